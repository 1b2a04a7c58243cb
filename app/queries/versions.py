"""A cheap fingerprint of the data behind the finance pages, for caching their views.

Every write that can change spend leaves a trace here: ingest records a collection
run (new id), the allocation job stamps ``computed_at`` on the days it (re)writes,
and inventory changes move the workload count or ``last_seen``. A view cached under
this version is reused until one of them moves, never after (``ResultCache``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.allocation.models import AllocationDay
from app.db.models import CollectionRun, Workload


def spend_version(session: Session) -> tuple[object, ...]:
    row = session.execute(
        select(
            select(func.max(CollectionRun.id)).scalar_subquery(),
            select(func.count()).select_from(AllocationDay).scalar_subquery(),
            select(func.max(AllocationDay.computed_at)).scalar_subquery(),
            select(func.count()).select_from(Workload).scalar_subquery(),
            select(func.max(Workload.last_seen)).scalar_subquery(),
        )
    ).one()
    return tuple(row)
