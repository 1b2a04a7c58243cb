"""FastAPI application factory.

The web layer reads only the database (DESIGN.md): no request waits on Prometheus,
AWS or Kubernetes. Routers are listed in ``app.web.routes``; errors of the
``FinopsError`` tree are mapped to HTTP once, here.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.context import AppContext
from app.errors import (
    AuthError,
    DatabaseError,
    FinopsError,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
)
from app.web.routes import include_routes

_STATUS: list[tuple[type[FinopsError], int]] = [
    (InvalidParameterError, 422),
    (NotFoundError, 404),
    (AuthError, 401),
    (ForbiddenError, 403),
    (DatabaseError, 503),
]


def create_app(ctx: AppContext) -> FastAPI:
    app = FastAPI(
        title="tacos-finops",
        version="0.1.0",
        description="FinOps cost allocation, rightsizing and budgets for Kubernetes on AWS.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.ctx = ctx

    @app.exception_handler(FinopsError)
    async def _finops_error(_request: Request, exc: FinopsError) -> JSONResponse:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, InvalidParameterError):
            body = {
                "detail": [
                    {"loc": ["query", exc.parameter], "msg": exc.detail, "type": "value_error"}
                ]
            }
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)

    include_routes(app)
    return app
