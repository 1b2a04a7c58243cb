"""Least privilege for the Roles we ship and for the finops service's API and AWS access."""

from __future__ import annotations

from typing import Any

from .findings import Finding, ref

Obj = dict[str, Any]
READ_VERBS = {"get", "list", "watch"}
SENSITIVE = {"secrets", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token"}

# What the finops collectors read (collectors/kubernetes): group -> resources, list/get/watch only.
FINOPS_READS: dict[str, set[str]] = {
    "": {"namespaces", "pods", "nodes", "resourcequotas"},
    "apps": {"deployments", "statefulsets", "daemonsets", "replicasets"},
    "batch": {"jobs", "cronjobs"},
    "autoscaling": {"horizontalpodautoscalers"},
    "keda.sh": {"scaledobjects"},
    "argoproj.io": {"rollouts"},
}
# What the finops service calls on AWS, and nothing else.
FINOPS_AWS_ACTIONS = {
    "ce:GetCostAndUsage",
    "ce:GetCostForecast",
    "pricing:GetProducts",
    "ec2:DescribeSpotPriceHistory",
}


def check_roles_read_only(objects: list[Obj]) -> list[Finding]:
    out = []
    for role in (o for o in objects if o["kind"] in ("Role", "ClusterRole")):
        for i, rule in enumerate(role.get("rules") or []):
            where = f"rule {i}"
            for field in ("apiGroups", "resources", "verbs"):
                if "*" in (rule.get(field) or []):
                    out.append(Finding("rbac", ref(role), f"{where}: wildcard in {field}"))
            writes = set(rule.get("verbs") or []) - READ_VERBS
            if writes:
                out.append(
                    Finding(
                        "rbac",
                        ref(role),
                        f"{where}: grants {', '.join(sorted(writes))}; "
                        "changes go through Git, not the API",
                    )
                )
            sensitive = set(rule.get("resources") or []) & SENSITIVE
            if sensitive:
                out.append(
                    Finding(
                        "rbac",
                        ref(role),
                        f"{where}: grants access to {', '.join(sorted(sensitive))}",
                    )
                )
            if rule.get("nonResourceURLs"):
                out.append(Finding("rbac", ref(role), f"{where}: grants non-resource URLs"))
    return out


def granted(role: Obj) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rule in role.get("rules") or []:
        for group in rule.get("apiGroups") or []:
            out.setdefault(group, set()).update(rule.get("resources") or [])
    return out


def check_finops_cluster_role(objects: list[Obj]) -> list[Finding]:
    roles = [
        o
        for o in objects
        if o["kind"] == "ClusterRole" and o["metadata"]["name"] == "finops-reader"
    ]
    if len(roles) != 1:
        return [Finding("rbac", "ClusterRole/finops-reader", f"expected one, found {len(roles)}")]
    role = roles[0]
    have = granted(role)
    out = check_roles_read_only([role])
    for group in sorted(set(have) | set(FINOPS_READS)):
        extra = have.get(group, set()) - FINOPS_READS.get(group, set())
        missing = FINOPS_READS.get(group, set()) - have.get(group, set())
        label = group or "core"
        if extra:
            out.append(
                Finding(
                    "rbac",
                    ref(role),
                    f"grants {label}/{', '.join(sorted(extra))}, which no collector reads",
                )
            )
        if missing:
            out.append(
                Finding(
                    "rbac",
                    ref(role),
                    f"lacks {label}/{', '.join(sorted(missing))}, which the collectors read",
                )
            )
    for i, rule in enumerate(role.get("rules") or []):
        if set(rule.get("verbs") or []) != READ_VERBS:
            out.append(
                Finding(
                    "rbac",
                    ref(role),
                    f"rule {i}: verbs {sorted(rule.get('verbs') or [])} "
                    "are not exactly get/list/watch",
                )
            )
    return out


def check_iam_policy(policy: Obj) -> list[Finding]:
    out = []
    actions: set[str] = set()
    for i, st in enumerate(policy.get("Statement") or []):
        if st.get("Effect") != "Allow":
            continue
        acts = st.get("Action") or []
        acts = [acts] if isinstance(acts, str) else acts
        for a in acts:
            if "*" in a:
                out.append(Finding("iam", f"statement {i}", f"wildcard action {a}"))
        if "NotAction" in st:
            out.append(Finding("iam", f"statement {i}", "NotAction allows everything else"))
        actions.update(acts)
    for a in sorted(actions - FINOPS_AWS_ACTIONS):
        out.append(Finding("iam", "finops-policy", f"allows {a}, which the service never calls"))
    for a in sorted(FINOPS_AWS_ACTIONS - actions):
        out.append(Finding("iam", "finops-policy", f"does not allow {a}, which the service calls"))
    return out
