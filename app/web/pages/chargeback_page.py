"""Chargeback: one month by team or cost center, with CSV and FOCUS exports.

Exports are finance actions (``export_costs``); viewers see the table only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.errors import InvalidParameterError
from app.queries.chargeback import charge_lines, months_with_data, parse_month
from app.queries.csv_export import to_csv
from app.queries.focus import FOCUS_COLUMNS, focus_rows
from app.queries.spend import spend_table
from app.settings import Settings
from app.web.auth.guard import require
from app.web.auth.roles import Permission
from app.web.deps import ContextDep, SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.spend import totals_bar

router = APIRouter(include_in_schema=False)
EXPORT = [Depends(require(Permission.EXPORT_COSTS))]


def _dimensions(settings: Settings) -> list[str]:
    return [d for d in settings.cost_tags if d != "service"] or list(settings.cost_tags)


def _check_by(settings: Settings, by: str) -> None:
    if by not in settings.cost_tags:
        valid = ", ".join(_dimensions(settings))
        raise InvalidParameterError("by", f"unknown dimension {by!r}; use one of {valid}")


@router.get("/chargeback", response_class=HTMLResponse)
def chargeback_page(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    month: str | None = None,
    by: str = "team",
) -> HTMLResponse:
    settings = ctx.settings
    _check_by(settings, by)
    months = months_with_data(session, settings)
    values: dict[str, object] = {
        "months": months,
        "by": by,
        "dimensions": _dimensions(settings),
        "month": month or (months[0] if months else ""),
    }
    if months:
        win = parse_month(str(values["month"]))
        table = spend_table(session, settings, win.start, win.end, by)
        totals = table.totals
        values.update(
            win=win,
            total=table.total,
            estimated=table.estimated,
            rows=[
                (k, v, float(v / table.total) if table.total else 0.0) for k, v in totals.items()
            ],
            figure=totals_bar(totals, f"{win.label} by {by.replace('_', ' ')}").to_json()
            if totals
            else None,
        )
    return templates.TemplateResponse(
        request, "chargeback.html", page_context(request, "/chargeback", **values)
    )


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/chargeback.csv", dependencies=EXPORT, response_model=None)
def chargeback_csv(
    session: SessionDep,
    ctx: ContextDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    by: str = "team",
) -> Response:
    _check_by(ctx.settings, by)
    win = parse_month(month)
    table = spend_table(session, ctx.settings, win.start, win.end, by)
    rows = [(month, by, k, v) for k, v in table.totals.items()]
    return _csv(
        to_csv(["month", "dimension", "value", "cost_usd"], rows), f"chargeback_{by}_{month}.csv"
    )


@router.get("/chargeback.focus.csv", dependencies=EXPORT, response_model=None)
def chargeback_focus(
    session: SessionDep,
    ctx: ContextDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    by: str = "team",
) -> Response:
    _check_by(ctx.settings, by)
    win = parse_month(month)
    rows = focus_rows(charge_lines(session, ctx.settings, win, by), win.start, win.end)
    return _csv(to_csv(FOCUS_COLUMNS, rows), f"focus_{by}_{month}.csv")
