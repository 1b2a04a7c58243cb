"""Every router of the app, in one list (add a line when an area adds a router).

Access control is decided here, per router: only the health checks, ``/metrics``
(aggregates only, reachable only from Prometheus by NetworkPolicy), static assets
(the app's own CSS/JS, no data) and the login form are public. Every other router
gets ``AUTH`` (any signed-in role may read); routes that export or change data add
a stricter ``require(...)`` themselves. ``tests/integration/web/test_auth.py``
fails if a route is reachable without credentials.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from app.web.api import health, metrics, recommendations, runs, workloads
from app.web.api.allocation import router as allocation_router
from app.web.api.costs import router as costs_router
from app.web.auth.guard import install_auth, require
from app.web.auth.roles import Permission
from app.web.pages import (
    allocation_page,
    chargeback_page,
    login_page,
    overview_page,
    recommendations_page,
    service_page,
    system_page,
    tokens_page,
    workloads_page,
)
from app.web.static import router as static_router

AUTH = [Depends(require(Permission.READ))]


def include_routes(app: FastAPI) -> None:
    install_auth(app, login_page.forbidden_page)
    # Public.
    app.include_router(health.router)
    app.include_router(static_router)
    app.include_router(login_page.router)
    # API.
    app.include_router(workloads.router, prefix="/api/v1", dependencies=AUTH)
    app.include_router(runs.router, prefix="/api/v1", dependencies=AUTH)
    app.include_router(recommendations.router, prefix="/api/v1", dependencies=AUTH)
    app.include_router(allocation_router, prefix="/api/v1", dependencies=AUTH)
    app.include_router(costs_router, prefix="/api/v1", dependencies=AUTH)
    # /metrics is public like every Prometheus target: it holds aggregate figures only
    # (run counts, watermarks, budget ratios), and the finops NetworkPolicy admits only
    # Prometheus to the pod. Everything with names or money per workload needs auth.
    app.include_router(metrics.router)
    # Pages.
    for page in (
        overview_page,
        allocation_page,
        service_page,
        recommendations_page,
        chargeback_page,
        workloads_page,
        system_page,
        tokens_page,
    ):
        app.include_router(page.router, dependencies=AUTH)
