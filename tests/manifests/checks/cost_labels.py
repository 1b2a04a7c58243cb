"""The cost-allocation labels on every object and every pod template.

finops joins workloads to AWS costs by these labels (its config's ``cost_tags``), reading pod
template labels first: a pod template without them would be charged to the namespace defaults.
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, ref
from .workloads import pod_template

Obj = dict[str, Any]

COST_LABELS = ("app.kubernetes.io/name", "team", "cost-center", "environment")
ENVIRONMENTS = {"dev", "staging", "prod", "shared", "management"}


def _object_labels(o: Obj) -> list[Finding]:
    labels = o["metadata"].get("labels") or {}
    missing = [k for k in COST_LABELS if not labels.get(k)]
    if missing:
        return [Finding("cost-labels", ref(o), f"missing cost label(s) {', '.join(missing)}")]
    if labels["environment"] not in ENVIRONMENTS:
        message = f"environment={labels['environment']} is not one of {sorted(ENVIRONMENTS)}"
        return [Finding("cost-labels", ref(o), message)]
    return []


def _template_labels(o: Obj) -> list[Finding]:
    template = pod_template(o) if o["kind"] != "Pod" else None
    if template is None:
        return []
    labels = o["metadata"].get("labels") or {}
    tlabels = (template.get("metadata") or {}).get("labels") or {}
    out = []
    for k in COST_LABELS:
        if not tlabels.get(k):
            message = (
                f"pod template lacks cost label {k}: its pods' cost would fall to the "
                "namespace defaults"
            )
            out.append(Finding("cost-labels", ref(o), message))
        elif labels.get(k) and tlabels[k] != labels[k]:
            message = f"pod template {k}={tlabels[k]} differs from the workload's {labels[k]}"
            out.append(Finding("cost-labels", ref(o), message))
    return out


def check_cost_labels(objects: list[Obj]) -> list[Finding]:
    return [f for o in objects for f in (*_object_labels(o), *_template_labels(o))]
