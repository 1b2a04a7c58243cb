"""``GET /api/v1/recommendations``: the latest successful run's results."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.recommendations.models import RecommendationRow
from app.recommendations.serialize import serialize
from app.recommendations.service import latest_run
from app.web.deps import SessionDep

router = APIRouter(tags=["rightsizing"])


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
