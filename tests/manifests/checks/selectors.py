"""Label selectors, evaluated the way the API server does, against workloads' pod templates."""

from __future__ import annotations

from typing import Any

from .workloads import pod_template, workloads

Obj = dict[str, Any]


def matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); None matches nothing."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def pod_labels(objects: list[Obj]) -> list[tuple[Obj, dict[str, str]]]:
    """Each workload with the labels its pods will carry."""
    return [
        (w, ((pod_template(w) or {}).get("metadata") or {}).get("labels") or {})
        for w in workloads(objects)
    ]


def selected_workloads(
    objects: list[Obj], selector: Obj | None, namespace: str | None
) -> list[Obj]:
    """Workloads in ``namespace`` whose pods the selector selects."""
    return [
        w
        for w, labels in pod_labels(objects)
        if w["metadata"].get("namespace") == namespace and matches(selector, labels)
    ]
