"""The workloads page: requests against last-day usage, one chart and a table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.queries.workloads import list_workloads
from app.web.deps import SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.workloads import WorkloadRequestUsage, requests_vs_usage

router = APIRouter(include_in_schema=False)


@router.get("/workloads", response_class=HTMLResponse)
def workloads_page(request: Request, session: SessionDep) -> HTMLResponse:
    views = list_workloads(session)
    rows = [
        WorkloadRequestUsage(
            label=f"{w.namespace}/{w.name}",
            requested_cores=float(w.cpu_request_total or 0) * float(w.replicas or 0),
            used_cores=w.cpu_avg_cores or 0.0,
        )
        for w in views
    ]
    figure_json = requests_vs_usage(rows).to_json() if views else "{}"
    return templates.TemplateResponse(
        request,
        "workloads.html",
        page_context(request, "/workloads", workloads=views, figure_json=figure_json),
    )
