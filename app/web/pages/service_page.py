"""Services: a list, and one page per service for ops.

The service page shows CPU and memory per pod against request and limit (avg, p95,
peak), efficiency, the replica range against HPA/KEDA bounds, cost per day and the
current recommendation with its evidence.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.allocation.cache import ResultCache
from app.queries.finance import parse_window
from app.queries.paging import paginate
from app.queries.recommendations_view import latest_recommendations
from app.queries.services import ServiceUsage, WorkloadRef, find_workload, service_usage
from app.queries.spend import last_cost_day, spend_table
from app.queries.versions import spend_version
from app.queries.workloads import list_workloads
from app.settings import Settings
from app.web.deps import ContextDep, SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates
from dashboards.service import UsageSeries, cost_per_day, replicas, usage_vs_request

router = APIRouter(include_in_schema=False)
DAY_CHOICES = (7, 14, 30)
# Views by (database, workload, days, data version): see app.queries.versions.
_VIEWS: ResultCache[dict[str, Any]] = ResultCache(maxsize=256)


@router.get("/services", response_class=HTMLResponse)
def services_page(
    request: Request,
    session: SessionDep,
    namespace: str | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    views = list_workloads(session, namespace=namespace or None)
    namespaces = (
        sorted({v.namespace for v in list_workloads(session)}) if views or namespace else []
    )
    return templates.TemplateResponse(
        request,
        "services.html",
        page_context(
            request,
            "/services",
            rows=paginate(views, page, 50),
            namespace=namespace or "",
            namespaces=namespaces,
        ),
    )


def _figures(usage: ServiceUsage) -> dict[str, str]:
    h = usage.hours
    x = [p.hour for p in h]
    cpu = UsageSeries(
        x,
        [p.cpu_avg for p in h],
        [p.cpu_p95 for p in h],
        [p.cpu_max for p in h],
        [p.cpu_request for p in h],
        [p.cpu_limit for p in h],
    )
    mem = UsageSeries(
        x,
        [p.mem_avg for p in h],
        [p.mem_p95 for p in h],
        [p.mem_max for p in h],
        [p.mem_request for p in h],
        [p.mem_limit for p in h],
    )
    bounds = _bounds(usage.ref.autoscalers)
    return {
        "cpu": usage_vs_request(cpu, "CPU per pod", "cores").to_json(),
        "memory": usage_vs_request(mem, "Memory per pod", "GiB", scale=2**30).to_json(),
        "replicas": replicas(x, [p.pods for p in h], bounds[0], bounds[1]).to_json(),
    }


def _bounds(autoscalers: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    if not autoscalers:
        return None, None
    a = autoscalers[0]
    return a.get("min_replicas"), a.get("max_replicas")


@router.get("/services/{namespace}/{name}", response_class=HTMLResponse)
def service_page(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    namespace: str,
    name: str,
    cluster: str | None = None,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
) -> HTMLResponse:
    ref = find_workload(session, namespace, name, cluster or None)
    key = (ctx.settings.database_url, ref.cluster, ref.namespace, ref.kind, ref.name, days)
    values: dict[str, Any] = dict(
        _VIEWS.get_or_compute(
            (*key, spend_version(session)), lambda: _views(session, ctx.settings, ref, days)
        )
    )
    values["recs"] = latest_recommendations(session, namespace=namespace, workload=name)
    values["day_choices"] = DAY_CHOICES
    return templates.TemplateResponse(
        request, "service.html", page_context(request, "/services", **values)
    )


def _views(session: Session, settings: Settings, ref: WorkloadRef, days: int) -> dict[str, Any]:
    """Usage, efficiency, figures and cost: cached until the next collection or allocation."""
    usage = service_usage(session, ref, days)
    values: dict[str, Any] = {
        "ref": ref,
        "usage": usage,
        "days": days,
        "cpu_eff": usage.efficiency("cpu"),
        "mem_eff": usage.efficiency("mem"),
        "figures": _figures(usage) if usage.hours else {},
    }
    as_of = last_cost_day(session, settings)
    if as_of is not None:
        values.update(_cost(session, settings, ref, as_of, days))
    return values


def _cost(
    session: Session, settings: Settings, ref: WorkloadRef, as_of: date, days: int
) -> dict[str, Any]:
    """Daily cost: allocated to the workload when allocation ran, else its tagged AWS spend."""
    win = parse_window(f"{days}d", as_of)
    table = spend_table(session, settings, win.start, win.end, "workload")
    if table.source == "allocation":
        key, what = (
            f"{ref.namespace}/{ref.name}",
            "allocated: compute, its share of idle/shared and its AWS resources",
        )
    else:
        service = ref.cost_tags.get("service")
        if not service:
            return {}
        table = spend_table(session, settings, win.start, win.end, "service")
        key, what = service, "AWS spend tagged with this service (allocation not run yet)"
    amounts = table.series.get(key)
    if amounts is None or not any(amounts):
        return {}
    return {
        "cost_total": sum(amounts, Decimal(0)),
        "cost_what": what,
        "cost_figure": cost_per_day(table.days, amounts, f"Cost per day of {ref.name}").to_json(),
    }
