"""``GET /api/v1/collection-runs``: what each collector did, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.db.models import CollectionRun, SourceWatermark
from app.web.deps import SessionDep

router = APIRouter(tags=["collection"])


@router.get("/collection-runs")
def collection_runs(
    session: SessionDep,
    source: str | None = None,
    status: Annotated[str | None, Query(pattern="^(success|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    stmt = select(CollectionRun).order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
    if source:
        stmt = stmt.where(CollectionRun.source == source)
    if status:
        stmt = stmt.where(CollectionRun.status == status)
    runs = session.scalars(stmt.limit(limit)).all()
    marks = session.scalars(select(SourceWatermark)).all()
    return {
        "items": [
            {
                "id": r.id,
                "source": r.source,
                "window_start": r.window_start.isoformat(),
                "window_end": r.window_end.isoformat(),
                "started_at": r.started_at.isoformat(),
                "duration_seconds": round(r.duration_seconds, 3),
                "rows": r.rows,
                "requests_made": r.requests_made,
                "status": r.status,
                "error": r.error,
            }
            for r in runs
        ],
        "watermarks": {m.source: m.watermark.isoformat() for m in marks},
    }
