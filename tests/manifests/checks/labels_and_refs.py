"""Cross-references inside one rendered overlay, and the cost-allocation labels.

Everything that points at something by name or selector must find it in the same render:
an HPA whose target was renamed, a PDB whose selector matches nothing or a NetworkPolicy that
selects no pod is accepted by the API server and silently does nothing.
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, ref
from .workloads import pod_template, workloads

Obj = dict[str, Any]

COST_LABELS = ("app.kubernetes.io/name", "team", "cost-center", "environment")
ENVIRONMENTS = {"dev", "staging", "prod", "shared", "management"}


def check_cost_labels(objects: list[Obj]) -> list[Finding]:
    out = []
    for o in objects:
        labels = o["metadata"].get("labels") or {}
        missing = [k for k in COST_LABELS if not labels.get(k)]
        if missing:
            out.append(
                Finding("cost-labels", ref(o), f"missing cost label(s) {', '.join(missing)}")
            )
        elif labels["environment"] not in ENVIRONMENTS:
            out.append(
                Finding(
                    "cost-labels",
                    ref(o),
                    f"environment={labels['environment']} is not one of {sorted(ENVIRONMENTS)}",
                )
            )
        template = pod_template(o) if o["kind"] != "Pod" else None
        if template is not None:
            tlabels = (template.get("metadata") or {}).get("labels") or {}
            for k in COST_LABELS:
                if not tlabels.get(k):
                    out.append(
                        Finding(
                            "cost-labels",
                            ref(o),
                            f"pod template lacks cost label {k}: its "
                            "pods' cost would fall to the namespace defaults",
                        )
                    )
                elif labels.get(k) and tlabels[k] != labels[k]:
                    out.append(
                        Finding(
                            "cost-labels",
                            ref(o),
                            f"pod template {k}={tlabels[k]} differs "
                            f"from the workload's {labels[k]}",
                        )
                    )
    return out


def _matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist)."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (
            op == "NotIn" and labels.get(key) in values
        ):
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def pod_labels(objects: list[Obj]) -> list[tuple[Obj, dict[str, str]]]:
    return [
        (w, ((pod_template(w) or {}).get("metadata") or {}).get("labels") or {})
        for w in workloads(objects)
    ]


def selected_workloads(
    objects: list[Obj], selector: Obj | None, namespace: str | None
) -> list[Obj]:
    return [
        w
        for w, labels in pod_labels(objects)
        if w["metadata"].get("namespace") == namespace and _matches(selector, labels)
    ]


def check_references(objects: list[Obj]) -> list[Finding]:  # one branch per referring kind
    out: list[Finding] = []
    known = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects}
    es_targets = {
        (
            o["metadata"].get("namespace"),
            (o["spec"].get("target") or {}).get("name") or o["metadata"]["name"],
        )
        for o in objects
        if o["kind"] == "ExternalSecret"
    }

    def exists(kind: str, ns: str | None, name: str) -> bool:
        return (kind, ns, name) in known

    def miss(o: Obj, msg: str) -> None:
        out.append(Finding("references", ref(o), msg))

    for o in objects:
        ns = o["metadata"].get("namespace")
        spec = o.get("spec") or {}
        kind = o["kind"]
        if kind in ("HorizontalPodAutoscaler", "ScaledObject"):
            t = spec["scaleTargetRef"]
            tkind = t.get("kind") or "Deployment"
            target = next(
                (
                    w
                    for w in objects
                    if w["kind"] == tkind
                    and w["metadata"]["name"] == t["name"]
                    and w["metadata"].get("namespace") == ns
                ),
                None,
            )
            if target is None:
                miss(o, f"scales {tkind}/{t['name']}, which does not exist")
            else:
                containers = {
                    c["name"]
                    for c in ((pod_template(target) or {}).get("spec") or {}).get("containers")
                    or []
                }
                for m in spec.get("metrics") or []:
                    container = (m.get("containerResource") or {}).get("container")
                    if container is not None and container not in containers:
                        miss(o, f"scales on container {container}, which {tkind}/{t['name']} lacks")
        elif kind in ("PodDisruptionBudget", "Service") and (
            spec.get("selector") or kind == "PodDisruptionBudget"
        ):
            selector = (
                spec.get("selector")
                if kind == "PodDisruptionBudget"
                else {"matchLabels": spec["selector"]}
            )
            if not selected_workloads(objects, selector, ns):
                miss(o, f"selector {selector} matches no workload's pods")
        elif kind == "NetworkPolicy" and (spec.get("podSelector") or {}):
            if not selected_workloads(objects, spec["podSelector"], ns):
                miss(o, f"podSelector {spec['podSelector']} matches no workload's pods")
        elif kind == "ServiceMonitor":
            services = [
                s
                for s in objects
                if s["kind"] == "Service"
                and s["metadata"].get("namespace")
                in ((spec.get("namespaceSelector") or {}).get("matchNames") or [ns])
                and _matches(spec.get("selector"), s["metadata"].get("labels") or {})
            ]
            if not services:
                miss(o, "selects no Service")
            for ep in spec.get("endpoints") or []:
                if services and not any(
                    p.get("name") == ep.get("port") for s in services for p in s["spec"]["ports"]
                ):
                    miss(
                        o,
                        f"endpoint port {ep.get('port')} is not a port name of the "
                        "selected Service(s)",
                    )
        elif kind == "HTTPRoute":
            for rule in spec.get("rules") or []:
                for b in rule.get("backendRefs") or []:
                    svc = next(
                        (
                            s
                            for s in objects
                            if s["kind"] == "Service"
                            and s["metadata"]["name"] == b["name"]
                            and s["metadata"].get("namespace") == (b.get("namespace") or ns)
                        ),
                        None,
                    )
                    if svc is None:
                        miss(o, f"backend Service {b['name']} does not exist")
                    elif not any(p["port"] == b.get("port") for p in svc["spec"]["ports"]):
                        miss(o, f"backend Service {b['name']} has no port {b.get('port')}")
        elif kind == "ExternalSecret":
            store = spec["secretStoreRef"]
            if not exists(
                store.get("kind", "SecretStore"),
                ns if store.get("kind", "SecretStore") == "SecretStore" else None,
                store["name"],
            ):
                miss(
                    o,
                    f"uses {store.get('kind', 'SecretStore')} {store['name']}, "
                    "which does not exist",
                )
        elif kind == "SecretStore":
            sa = (
                (((spec.get("provider") or {}).get("aws") or {}).get("auth") or {}).get("jwt") or {}
            ).get("serviceAccountRef")
            if sa and not exists("ServiceAccount", ns, sa["name"]):
                miss(o, f"authenticates as ServiceAccount {sa['name']}, which does not exist")
        elif kind == "RoleBinding" and spec is not None:
            role = o["roleRef"]
            if role["kind"] == "Role" and not exists("Role", ns, role["name"]):
                miss(o, f"binds Role {role['name']}, which does not exist")
        if kind == "ScaledObject":
            for trig in spec.get("triggers") or []:
                auth = (trig.get("authenticationRef") or {}).get("name")
                if auth and not exists("TriggerAuthentication", ns, auth):
                    miss(
                        o,
                        f"trigger {trig.get('name')} uses TriggerAuthentication {auth}, "
                        "which does not exist",
                    )
        if kind == "Rollout":
            canary = (spec.get("strategy") or {}).get("canary") or {}
            for t in (canary.get("analysis") or {}).get("templates") or []:
                if not exists("AnalysisTemplate", ns, t["templateName"]):
                    miss(
                        o,
                        f"analysis uses AnalysisTemplate {t['templateName']}, which does not exist",
                    )
        template = pod_template(o)
        if template is not None and kind != "Pod":
            pspec = template.get("spec") or {}
            sa = pspec.get("serviceAccountName", "default")
            if not exists("ServiceAccount", ns, sa):
                miss(o, f"runs as ServiceAccount {sa}, which does not exist")
            for v in pspec.get("volumes") or []:
                if "secret" in v and not (
                    (ns, v["secret"]["secretName"]) in es_targets
                    or exists("Secret", ns, v["secret"]["secretName"])
                ):
                    miss(
                        o,
                        f"mounts Secret {v['secret']['secretName']}, "
                        "which no ExternalSecret or Secret provides",
                    )
                if "configMap" in v and not exists("ConfigMap", ns, v["configMap"]["name"]):
                    miss(o, f"mounts ConfigMap {v['configMap']['name']}, which does not exist")
            for c in pspec.get("containers") or []:
                for ef in c.get("envFrom") or []:
                    cm = (ef.get("configMapRef") or {}).get("name")
                    if cm and not exists("ConfigMap", ns, cm):
                        miss(o, f"container {c['name']} reads ConfigMap {cm}, which does not exist")
    return out
