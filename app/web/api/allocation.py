"""``GET /api/v1/allocation``: cost per namespace, service, team, ... with reconciliation.

Query parameters follow OpenCost's allocation API: ``window`` (``7d``, ``month``,
``lastmonth``, RFC 3339 pairs ...), ``aggregate``, ``step``, ``idle=separate|share``
(OpenCost's shareIdle) and ``shared=even|weighted|none``; plus ``metric`` and
``format=json|csv``. A bad parameter is a 422 naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from app.allocation.capacity import capacity_report
from app.allocation.errors import ParameterError
from app.allocation.options import parse_metric, parse_options
from app.allocation.render import report_csv, report_dict, worst_status
from app.allocation.report import build_report
from app.allocation.window import parse_step, parse_window
from app.errors import InvalidParameterError
from app.web.deps import ContextDep, SessionDep

router = APIRouter(tags=["allocation"])


def _today() -> Any:
    return datetime.now(UTC).date()


@router.get("/allocation", response_model=None)
def allocation(
    session: SessionDep,
    ctx: ContextDep,
    window: str = "7d",
    aggregate: str = "namespace",
    step: str | None = None,
    idle: str | None = None,
    shared: str | None = None,
    metric: str | None = None,
    format: str = "json",
) -> Response:
    settings = ctx.settings
    try:
        if format not in {"json", "csv"}:
            raise ParameterError("format", f"{format!r} is not one of json, csv")
        win = parse_window(window, _today())
        steps = parse_step(step)
        opts = parse_options(settings, aggregate, idle, shared)
        report = build_report(
            session, win, steps, parse_metric(metric, settings), opts, list(settings.cost_tags)
        )
    except ParameterError as exc:
        raise InvalidParameterError(exc.parameter, exc.detail) from exc
    headers = {"X-Reconciliation": worst_status(report)}
    if format == "csv":
        name = f"allocation-{opts.aggregate.replace(':', '-')}-{win.start}-{win.end}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(report_csv(report), media_type="text/csv", headers=headers)
    return JSONResponse(report_dict(report), headers=headers)


@router.get("/allocation/capacity")
def capacity(
    session: SessionDep, ctx: ContextDep, window: str = "7d", metric: str | None = None
) -> dict[str, Any]:
    """Monthly cost of each service at its autoscaler's minimum, current and maximum replicas."""
    try:
        win = parse_window(window, _today())
        return capacity_report(session, win, parse_metric(metric, ctx.settings)).as_dict()
    except ParameterError as exc:
        raise InvalidParameterError(exc.parameter, exc.detail) from exc
