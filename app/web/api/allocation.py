"""``GET /api/v1/allocation``: cost per namespace, service, team, ... with reconciliation.

Query parameters follow OpenCost's allocation API: ``window`` (``7d``, ``month``,
``lastmonth``, RFC 3339 pairs ...), ``aggregate``, ``step``, ``idle=separate|share``
(OpenCost's shareIdle) and ``shared=even|weighted|none``; plus ``metric`` and
``format=json|csv``. A bad parameter is a 422 naming it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app import data_generation
from app.allocation.aggregate import WorkloadMeta
from app.allocation.cache import ResultCache, ShortLived
from app.allocation.capacity import capacity_report
from app.allocation.errors import ParameterError
from app.allocation.options import parse_metric, parse_options
from app.allocation.queries import data_version, load_meta
from app.allocation.render import report_csv, report_dict, worst_status
from app.allocation.report import AllocationReport, build_report
from app.allocation.window import parse_step, parse_window
from app.errors import InvalidParameterError
from app.web.caching import cached, remembered
from app.web.deps import ContextDep, SessionDep, in_own_session

router = APIRouter(tags=["allocation"])
_CACHE: ResultCache[tuple[bytes, str]] = ResultCache(maxsize=128)
_META: ResultCache[dict[tuple[str, str, str, str], WorkloadMeta]] = ResultCache(maxsize=4)


def _today() -> Any:
    return datetime.now(UTC).date()


# The data version, checked at most every 2 s (see ShortLived).
_VERSIONS: ShortLived[tuple[object, ...]] = ShortLived(ttl=2.0)


@router.get("/allocation", response_model=None)
async def allocation(
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
        cost_metric = parse_metric(metric, settings)
    except ParameterError as exc:
        raise InvalidParameterError(exc.parameter, exc.detail) from exc
    database = (ctx.settings.database_url, id(ctx.engine))
    # async: a cached answer is served on the event loop; the version check and a
    # miss (database queries) run in a worker thread (app.web.caching), each with its
    # own session, so that requests waiting for one computation hold no connection.
    version = await remembered(
        _VERSIONS,
        (*database, data_generation.current(), win, cost_metric),
        lambda: in_own_session(ctx, lambda session: data_version(session, win, cost_metric)),
    )
    key = (
        *database,
        win,
        steps,
        cost_metric,
        opts.aggregate,
        opts.idle,
        opts.shared,
        format,
        version,
    )
    computed_here = False  # this request's own flag: counters are shared by all requests

    def compute() -> tuple[bytes, str]:
        nonlocal computed_here
        computed_here = True

        def read(session: Session) -> AllocationReport:
            # Labels and cost tags change only with the inventory (the version's last two parts).
            meta = _META.get_or_compute((*database, version[2:]), lambda: load_meta(session))
            return build_report(
                session, win, steps, cost_metric, opts, list(settings.cost_tags), meta
            )

        report = in_own_session(ctx, read)
        if format == "csv":
            return report_csv(report).encode(), worst_status(report)
        return json.dumps(report_dict(report)).encode(), worst_status(report)

    body, status = await cached(_CACHE, key, compute)
    headers = {"X-Reconciliation": status, "X-Cache": "miss" if computed_here else "hit"}
    if format == "csv":
        name = f"allocation-{opts.aggregate.replace(':', '-')}-{win.start}-{win.end}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(body, media_type="text/csv", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


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
