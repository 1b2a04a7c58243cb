"""Liveness and readiness: the only endpoints that never need authentication."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db.migrate import current_revision, head_revision
from app.web.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: ContextDep) -> JSONResponse:
    """Ready when the database answers and its schema is at the migrations' head."""
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("select 1"))
        current = current_revision(ctx.engine)
    except Exception as exc:  # noqa: BLE001 - any DB failure means not ready
        return JSONResponse(
            {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
            status_code=503,
        )
    head = head_revision()
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "reachable",
                "migrations": f"at {current}, expected {head}: run `finops db upgrade`",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "reachable", "migrations": current})
