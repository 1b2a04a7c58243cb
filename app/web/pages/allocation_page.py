"""Allocation explorer: pick a window and a grouping, see a chart, a table and a CSV.

Every choice lives in the query string (``?window=30d&group_by=team&sort=-cost``),
so a view can be bookmarked and shared; the CSV link carries the same filters.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.context import AppContext
from app.queries.csv_export import to_csv
from app.queries.finance import Window, parse_window
from app.queries.paging import paginate
from app.queries.spend import (
    SpendTable,
    chart_step,
    check_group_by,
    group_by_options,
    label_keys,
    last_cost_day,
    spend_table,
    step_name,
    top_series,
)
from app.queries.system import utcnow
from app.web.auth.guard import require
from app.web.auth.roles import Permission
from app.web.deps import ContextDep, SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.spend import stacked_over_time, totals_bar

router = APIRouter(include_in_schema=False)
SORTS = ("key", "-key", "cost", "-cost")
WINDOWS = ("7d", "14d", "30d", "90d", "mtd", "lastmonth")


def _load(
    session: Session, ctx: AppContext, window: str, group_by: str
) -> tuple[Window, SpendTable] | None:
    check_group_by(ctx.settings, group_by)
    as_of: date | None = last_cost_day(session, ctx.settings)
    if as_of is None:
        parse_window(window, utcnow().date())  # still reject a malformed window
        return None
    win = parse_window(window, as_of)
    step = chart_step(win.days)
    return win, spend_table(session, ctx.settings, win.start, win.end, group_by, step)


def _rows(table: SpendTable, sort: str) -> list[tuple[str, Decimal, float]]:
    total = table.total
    rows = [(k, v, float(v / total) if total else 0.0) for k, v in table.totals.items()]
    key = sort.lstrip("-")
    rows.sort(
        key=(lambda r: r[0]) if key == "key" else (lambda r: r[1]), reverse=sort.startswith("-")
    )
    return rows


@router.get("/allocation", response_class=HTMLResponse)
def allocation_page(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    window: str = "30d",
    group_by: str = "service",
    sort: Annotated[str, Query(pattern="^-?(key|cost)$")] = "-cost",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    loaded = _load(session, ctx, window, group_by)
    values: dict[str, object] = {
        "window": window,
        "windows": WINDOWS,
        "group_by": group_by,
        "group_by_options": [
            *group_by_options(ctx.settings),
            *(f"label:{k}" for k in label_keys(session)),
        ],
        "sort": sort,
    }
    if loaded is not None:
        win, table = loaded
        rows = _rows(table, sort)
        top = top_series(table, 10)
        values.update(
            win=win,
            total=table.total,
            estimated=table.estimated,
            source=table.source,
            rows=paginate(rows, page, 50),
            figure_time=stacked_over_time(
                table.days,
                top.series,
                f"Spend by {group_by.replace('_', ' ')} per {step_name(chart_step(win.days))}, {win.label}",
                step_name(chart_step(win.days)),
            ).to_json(),
            figure_totals=totals_bar(
                dict(sorted(top.totals.items(), key=lambda kv: -kv[1])),
                f"Total by {group_by}, {win.label}",
            ).to_json(),
        )
    return templates.TemplateResponse(
        request, "allocation.html", page_context(request, "/allocation", **values)
    )


@router.get(
    "/allocation.csv", dependencies=[Depends(require(Permission.EXPORT_COSTS))], response_model=None
)
def allocation_csv(
    session: SessionDep,
    ctx: ContextDep,
    window: str = "30d",
    group_by: str = "service",
    sort: Annotated[str, Query(pattern="^-?(key|cost)$")] = "-cost",
) -> Response:
    loaded = _load(session, ctx, window, group_by)
    rows: list[tuple[object, ...]] = []
    label = window
    if loaded is not None:
        win, table = loaded
        label = f"{win.start}_{win.end}"
        for key, amount, frac in _rows(table, sort):
            rows.append((win.start, win.end, group_by, key, amount, f"{frac:.6f}"))
    body = to_csv(
        ["window_start", "window_end_exclusive", "group_by", "group", "cost_usd", "share"], rows
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="allocation_{group_by}_{label}.csv"'
        },
    )
