"""A finding: one thing wrong with one object, phrased for the person who must fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Finding:
    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.message}"


def ref(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` (namespace omitted for cluster-scoped objects)."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    name = meta.get("name", "?")
    return f"{obj.get('kind', '?')}/{ns}/{name}" if ns else f"{obj.get('kind', '?')}/{name}"


def report(findings: list[Finding]) -> str:
    """All findings, one per line, for assertion messages."""
    return "\n".join(str(f) for f in sorted(findings)) or "(no findings)"
