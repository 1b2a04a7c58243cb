"""Read model for recommendations on pages: the latest successful run, sorted and paged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.recommendations.models import RecommendationRow, RecommendationRun
from app.recommendations.service import latest_run

SORT_KEYS = ("saving", "confidence", "workload", "status")


@dataclass
class RecommendationList:
    run: RecommendationRun | None
    rows: list[RecommendationRow]
    total_monthly_saving: Decimal


def _sort_key(sort: str) -> Callable[[RecommendationRow], Any]:
    key = sort.lstrip("-")
    if key == "saving":
        return lambda r: r.monthly_saving if r.monthly_saving is not None else Decimal(-1)
    if key == "confidence":
        return lambda r: r.confidence if r.confidence is not None else -1.0
    if key == "status":
        return lambda r: (r.status, r.namespace, r.workload, r.container)
    return lambda r: (r.namespace, r.workload, r.container)


def latest_recommendations(
    session: Session,
    sort: str = "-saving",
    namespace: str | None = None,
    workload: str | None = None,
    status: str | None = None,
) -> RecommendationList:
    run = latest_run(session)
    if run is None:
        return RecommendationList(None, [], Decimal(0))
    stmt = select(RecommendationRow).where(RecommendationRow.run_id == run.id)
    if namespace:
        stmt = stmt.where(RecommendationRow.namespace == namespace)
    if workload:
        stmt = stmt.where(RecommendationRow.workload == workload)
    if status:
        stmt = stmt.where(RecommendationRow.status == status)
    rows = list(session.scalars(stmt))
    rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    total = sum(
        (r.monthly_saving or Decimal(0) for r in rows if r.status == "recommended"), Decimal(0)
    )
    return RecommendationList(run, rows, total)
