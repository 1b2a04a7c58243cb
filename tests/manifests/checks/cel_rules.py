"""Evaluate the CEL rules (``x-kubernetes-validations``) of the real CRD schemas.

The API server runs these on create; a JSON-Schema validator ignores them. We run each rule at
the node it is attached to, with ``self`` bound to that node's value, as the API server does.
Transition rules (those using ``oldSelf``) only apply to updates and are skipped. A rule that
uses a Kubernetes CEL extension cel-python lacks (``isURL``, ``quantity``...) is reported as
not evaluated, by name, so a reader can see exactly what was and was not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import celpy
from celpy.adapter import json_to_cel

from .findings import Finding, ref
from .schemas import crd_index

Obj = dict[str, Any]


@dataclass
class CelReport:
    evaluated: int = 0
    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, rule, why)


@cache
def _program(rule: str) -> Any:
    env = celpy.Environment()
    return env.program(env.compile(rule))


def _evaluate(rule: str, value: Any) -> bool | str:
    """True/False, or the reason it could not be evaluated."""
    try:
        result = _program(rule).evaluate({"self": json_to_cel(value)})
    except Exception as exc:  # noqa: BLE001 - cel-python raises assorted types
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    if isinstance(result, Exception):
        return f"{type(result).__name__}: {str(result).splitlines()[0][:120]}"
    if isinstance(result, celpy.celtypes.BoolType | bool):
        return bool(result)
    return f"rule returned {type(result).__name__}, not a bool"


def _walk(schema: Obj, value: Any, path: str, subject: str, report: CelReport) -> None:
    if value is None:
        return
    for v in schema.get("x-kubernetes-validations") or []:
        rule = v["rule"]
        if "oldSelf" in rule:
            continue
        outcome = _evaluate(rule, value)
        if outcome is True:
            report.evaluated += 1
        elif outcome is False:
            report.evaluated += 1
            message = v.get("message") or f"failed CEL rule {rule}"
            report.findings.append(Finding("cel", subject, f"{path or '(root)'}: {message}"))
        else:
            report.not_evaluated.append((f"{subject} {path}", rule, str(outcome)))
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            child = props.get(key) if key in props else (extra if isinstance(extra, dict) else None)
            if child is not None:
                _walk(child, sub, f"{path}.{key}" if path else key, subject, report)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _walk(schema["items"], item, f"{path}[{i}]", subject, report)


def check_cel(objects: list[Obj]) -> CelReport:
    report = CelReport()
    index = crd_index()
    for obj in objects:
        crd = index.get((obj["apiVersion"], obj["kind"]))
        if crd is not None:
            _walk(crd.schema, obj, "", ref(obj), report)
    return report
