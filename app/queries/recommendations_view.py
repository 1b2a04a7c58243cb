"""Read model for recommendations on pages: the latest successful run, sorted and paged."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

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


_BY_NAME = attrgetter("namespace", "workload", "container")
_BY_STATUS = attrgetter("status", "namespace", "workload", "container")


def sort_rows(rows: list[RecommendationRow], sort: str) -> list[RecommendationRow]:
    """Rows in ``sort`` order (``-`` first: descending); rows without the value last.

    Why last both ways: a container with no recommendation has no saving and no
    confidence, and ranking it as if it were -1 put it between a saving of -$0.85 and
    one of -$2.33; it is not "between" anything, so it goes after every figure.
    """
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    if key in ("saving", "confidence"):
        attr = "monthly_saving" if key == "saving" else "confidence"
        known = [r for r in rows if getattr(r, attr) is not None]
        missing = [r for r in rows if getattr(r, attr) is None]
        known.sort(key=lambda r: getattr(r, attr), reverse=desc)
        missing.sort(key=_BY_NAME)
        return known + missing
    return sorted(rows, key=_BY_STATUS if key == "status" else _BY_NAME, reverse=desc)


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
    rows = sort_rows(list(session.scalars(stmt)), sort)
    total = sum(
        (r.monthly_saving or Decimal(0) for r in rows if r.status == "recommended"), Decimal(0)
    )
    return RecommendationList(run, rows, total)
