"""Every router of the app, in one list (add a line when an area adds a router)."""

from __future__ import annotations

from fastapi import FastAPI

from app.web.api import health, metrics, recommendations, runs, workloads
from app.web.api.allocation import router as allocation_router
from app.web.api.costs import router as costs_router
from app.web.pages import workloads_page
from app.web.static import router as static_router


def include_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(static_router)
    app.include_router(workloads.router, prefix="/api/v1")
    app.include_router(runs.router, prefix="/api/v1")
    app.include_router(recommendations.router, prefix="/api/v1")
    app.include_router(allocation_router, prefix="/api/v1")
    app.include_router(costs_router, prefix="/api/v1")
    app.include_router(workloads_page.router)
