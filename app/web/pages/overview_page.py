"""Overview (finance): month to date, month-end forecast, spend by service and team,
top movers, unallocated share and data freshness, on one page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import data_generation
from app.allocation.cache import ResultCache, ShortLived
from app.context import AppContext
from app.db.models import UsageHour
from app.queries.finance import month_end_forecast, month_of, parse_window, share, top_movers
from app.queries.spend import (
    UNALLOCATED,
    chart_step,
    daily_totals,
    known_groups,
    last_cost_day,
    spend_table,
    spend_totals,
    step_name,
    top_series,
)
from app.queries.system import source_statuses, utcnow
from app.queries.versions import spend_version
from app.web.caching import cached, remembered
from app.web.deps import ContextDep, in_own_session
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.spend import Mover, stacked_over_time
from dashboards.spend import top_movers as movers_figure

router = APIRouter(include_in_schema=False)
WINDOWS = ("7d", "14d", "30d", "90d", "mtd", "lastmonth")
CHART_GROUPS = 8
# Computed views by (window, as-of day, metric, data version): see app.queries.versions.
_VIEWS: ResultCache[dict[str, object]] = ResultCache(maxsize=64)
# The data state (last cost day, freshness, version) for at most 2 s: writes made by
# this process bump the data generation in the key and show at once.
_STATE: ShortLived[tuple[Any, ...]] = ShortLived(ttl=2.0)


@router.get("/", response_class=HTMLResponse)
async def overview_page(request: Request, ctx: ContextDep, window: str = "30d") -> HTMLResponse:
    # async: a repeated view is served from the caches on the event loop; only a
    # miss (database queries) runs in a worker thread (app.web.caching), with its own
    # session, so that requests waiting for one computation hold no connection.
    settings = ctx.settings
    as_of, freshness, version = await remembered(
        _STATE,
        (settings.database_url, id(ctx.engine), data_generation.current()),
        lambda: in_own_session(ctx, lambda session: _data_state(session, ctx)),
    )
    values: dict[str, object] = {"freshness": freshness, "window": window, "windows": WINDOWS}
    if as_of is not None:
        key = (
            ctx.settings.database_url,
            window,
            as_of,
            ctx.settings.aws.cost_metric,
            version,
        )
        views: dict[str, object] = await cached(
            _VIEWS,
            key,
            lambda: in_own_session(ctx, lambda session: _spend_views(session, ctx, as_of, window)),
        )
        values.update(views)
    return templates.TemplateResponse(
        request, "overview.html", page_context(request, "/", **values)
    )


def _data_state(session: Session, ctx: AppContext) -> tuple[Any, ...]:
    """What the page needs to know about the data before it can use its cached views."""
    as_of = last_cost_day(session, ctx.settings)
    freshness = {
        "last_cost_day": as_of,
        "last_usage_hour": session.scalar(select(func.max(UsageHour.hour))),
        "stale_sources": [s.source for s in source_statuses(session, utcnow()) if s.stale],
    }
    return as_of, freshness, spend_version(session)


def _spend_views(session: Session, ctx: AppContext, as_of: date, window: str) -> dict[str, object]:
    settings = ctx.settings
    win = parse_window(window, as_of)
    month = month_of(as_of)
    mtd_daily = daily_totals(session, settings, month.start, as_of + timedelta(days=1))
    last_month = month_of(month.start - timedelta(days=1))
    last_daily = daily_totals(session, settings, last_month.start, last_month.end)
    last_month_total = sum(last_daily, Decimal(0))
    last_month_days = sum(1 for amount in last_daily if amount)
    step = chart_step(win.days)
    by_service = spend_table(session, settings, win.start, win.end, "service", step)
    prev = win.previous()
    before = spend_totals(session, settings, prev.start, prev.end, "service")
    second = "team" if "team" in settings.cost_tags else next(iter(settings.cost_tags))
    by_team = spend_table(session, settings, win.start, win.end, second, step)
    # Without spend in the previous period every group would be "new": say so instead.
    previous_total = sum(before.values(), Decimal(0))
    moves = top_movers(by_service.totals, before, top=8) if previous_total else []
    figures = {
        "by_service": stacked_over_time(
            by_service.days,
            top_series(by_service, CHART_GROUPS).series,
            f"Spend by service per {step_name(step)}, {win.label}",
            step_name(step),
        ).to_json(),
        "by_team": stacked_over_time(
            by_team.days,
            top_series(by_team, CHART_GROUPS).series,
            f"Spend by {second.replace('_', ' ')} per {step_name(step)}, {win.label}",
            step_name(step),
        ).to_json(),
    }
    if moves:
        figures["movers"] = movers_figure(
            [Mover(m.key, m.previous, m.current) for m in moves],
            f"Top movers: {win.label} against the {win.days} days before",
        ).to_json()
    totals = by_service.totals
    services = known_groups(session, "service")
    service_rows = [
        (name, services.get(name, {}).get(second, ""), totals.get(name, Decimal(0)))
        for name in sorted(
            set(services) | set(totals), key=lambda k: (-totals.get(k, Decimal(0)), k)
        )
    ]
    return {
        "service_rows": service_rows,
        "source": by_service.source,
        "idle_share": share(totals.get("__idle__", Decimal(0)), by_service.total)
        if by_service.source == "allocation"
        else None,
        "as_of": as_of,
        "month": month,
        "mtd": sum(mtd_daily, Decimal(0)),
        "forecast": month_end_forecast(month, as_of, mtd_daily),
        "last_month": last_month,
        "last_month_total": last_month_total,
        "last_month_days": last_month_days,
        "previous_has_data": bool(previous_total),
        "estimated": by_service.estimated,
        "unallocated_share": share(
            by_service.totals.get(UNALLOCATED, Decimal(0)), by_service.total
        ),
        "win": win,
        "window_total": by_service.total,
        "movers": moves,
        "figures": figures,
        "second_dimension": second,
    }
