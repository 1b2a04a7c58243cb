"""One stored recommendation as plain JSON-able data: the API's and the CLI's shape.

Here, not in the web layer, so that ``finops rightsizing recommend`` prints exactly what
``GET /api/v1/recommendations`` returns without importing the web framework.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.recommendations.models import RecommendationRow

_RES = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


def _n(v: Decimal | float | None) -> float | None:
    return None if v is None else float(v)


def serialize(r: RecommendationRow) -> dict[str, Any]:
    return {
        "cluster": r.cluster,
        "namespace": r.namespace,
        "workload_kind": r.workload_kind,
        "workload": r.workload,
        "container": r.container,
        "status": r.status,
        "reason": r.reason,
        "detail": r.detail,
        "current": {k: _n(getattr(r, f"current_{k}")) for k in _RES},
        "recommended": {k: _n(getattr(r, k)) for k in _RES} if r.status == "recommended" else None,
        "monthly_saving": _n(r.monthly_saving),
        "confidence": r.confidence,
        "evidence": r.evidence,
        "notes": r.notes,
        "hpa": r.hpa,
    }
