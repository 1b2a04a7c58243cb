"""Check that a patch changed resources and autoscaler targets and nothing else.

The check reads both versions with PyYAML, a different parser from the
round-trip one that wrote the change, blanks the fields a rightsizing PR may
edit (container ``resources``, HPA ``averageUtilization``, KEDA cpu/memory
trigger ``value``) and requires what remains to be identical. It works on
source files and on ``kustomize`` output alike.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from rightsizing.gitops.errors import ManifestError

_EDITABLE = "<editable>"
# libyaml's loader when PyYAML was built with it: rendered overlays can be large.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _blank_pod(pod: Any) -> None:
    if not isinstance(pod, dict):
        return
    for key in ("containers", "initContainers"):
        for c in pod.get(key) or []:
            if isinstance(c, dict) and "resources" in c:
                c["resources"] = _EDITABLE


def _blank(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    doc = copy.deepcopy(doc)
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return doc
    template = spec.get("template")
    if isinstance(template, dict):
        _blank_pod(template.get("spec"))
    if doc.get("kind") == "HorizontalPodAutoscaler":
        for m in spec.get("metrics") or []:
            for part in (m or {}).values() if isinstance(m, dict) else ():
                target = part.get("target") if isinstance(part, dict) else None
                if isinstance(target, dict) and "averageUtilization" in target:
                    target["averageUtilization"] = _EDITABLE
    if doc.get("kind") == "ScaledObject":
        for t in spec.get("triggers") or []:
            meta = t.get("metadata") if isinstance(t, dict) else None
            if t.get("type") in ("cpu", "memory") and isinstance(meta, dict) and "value" in meta:
                meta["value"] = _EDITABLE
    return doc


def parse_all(text: str, where: str) -> list[Any]:
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise ManifestError(f"{where}: does not parse after patching: {exc}") from exc


def out_of_scope(before: str, after: str, where: str) -> list[str]:
    """Human-readable reasons why ``after`` differs from ``before`` beyond editable fields."""
    a, b = parse_all(before, where), parse_all(after, where)
    if len(a) != len(b):
        return [f"{where}: {len(a)} documents before, {len(b)} after"]
    problems = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if _blank(x) != _blank(y):
            kind = x.get("kind", "?") if isinstance(x, dict) else "?"
            name = (x.get("metadata") or {}).get("name", "?") if isinstance(x, dict) else "?"
            problems.append(f"{where}: document {i + 1} ({kind} {name}) changed outside resources")
    return problems
