"""``GET /api/v1/recommendations``: the latest successful run's results."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.recommendations.models import RecommendationRow
from app.recommendations.service import latest_run
from app.web.deps import SessionDep

router = APIRouter(tags=["rightsizing"])

_RES = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


def _n(v: Decimal | None) -> float | None:
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


@router.get("/recommendations")
def recommendations(
    session: SessionDep,
    namespace: str | None = None,
    workload: str | None = None,
    status: Annotated[str | None, Query(pattern="^(recommended|no_recommendation)$")] = None,
) -> dict[str, Any]:
    run = latest_run(session)
    if run is None:
        return {"run": None, "items": [], "total_monthly_saving": 0.0}
    stmt = select(RecommendationRow).where(RecommendationRow.run_id == run.id)
    if namespace:
        stmt = stmt.where(RecommendationRow.namespace == namespace)
    if workload:
        stmt = stmt.where(RecommendationRow.workload == workload)
    if status:
        stmt = stmt.where(RecommendationRow.status == status)
    rows = session.scalars(stmt).all()
    items = sorted((serialize(r) for r in rows), key=lambda i: -(i["monthly_saving"] or 0.0))
    total = sum((r.monthly_saving or Decimal(0)) for r in rows if r.status == "recommended")
    return {
        "run": {
            "id": run.id,
            "strategy": run.strategy,
            "window_start": run.window_start.isoformat(),
            "window_end": run.window_end.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "containers": run.containers,
            "recommended": run.recommended,
        },
        "items": items,
        "total_monthly_saving": float(total),
    }
