"""Recommendations: the latest run as a sortable table with savings, confidence and
status, the total potential saving, and a chart of the biggest savings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.queries.paging import paginate
from app.queries.recommendations_view import latest_recommendations
from app.web.deps import SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.recommendations import SavingRow, savings_by_workload

router = APIRouter(include_in_schema=False)


@router.get("/recommendations", response_class=HTMLResponse)
def recommendations_page(
    request: Request,
    session: SessionDep,
    sort: Annotated[str, Query(pattern="^-?(saving|confidence|workload|status)$")] = "-saving",
    namespace: str | None = None,
    status: Annotated[str | None, Query(pattern="^(recommended|no_recommendation)?$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    recs = latest_recommendations(
        session, sort=sort, namespace=namespace or None, status=status or None
    )
    savers = [
        SavingRow(f"{r.namespace}/{r.workload}/{r.container}", r.monthly_saving)
        for r in recs.rows
        if r.status == "recommended" and r.monthly_saving is not None and r.monthly_saving > 0
    ]
    figure = savings_by_workload(savers, "Biggest monthly savings").to_json() if savers else None
    namespaces = sorted({r.namespace for r in latest_recommendations(session).rows})
    return templates.TemplateResponse(
        request,
        "recommendations.html",
        page_context(
            request,
            "/recommendations",
            recs=recs,
            rows=paginate(recs.rows, page, 50),
            positive_total=sum((s.monthly_saving for s in savers), Decimal(0)),
            figure=figure,
            sort=sort,
            namespace=namespace or "",
            namespaces=namespaces,
            status=status or "",
        ),
    )
