"""System page: collection runs, last success per source, errors, next scheduled runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.queries.system import runs_page, schedule, source_statuses, utcnow
from app.scheduling.jobs import job_specs
from app.web.deps import ContextDep, SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/system", response_class=HTMLResponse)
def system_page(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    source: str | None = None,
    status: Annotated[str | None, Query(pattern="^(success|failed)?$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    now = utcnow()
    jobs = schedule([(j.name, j.crontab) for j in job_specs(ctx)], now)
    intervals = {
        j.name.removeprefix("collect:"): j.interval for j in jobs if j.interval is not None
    }
    return templates.TemplateResponse(
        request,
        "system.html",
        page_context(
            request,
            "/system",
            now=now,
            sources=source_statuses(session, now, intervals),
            jobs=jobs,
            scheduler_enabled=ctx.settings.scheduler_enabled and not ctx.settings.demo,
            runs=runs_page(session, page, 50, source or None, status or None),
            source=source or "",
            status=status or "",
            clusters=[c.name for c in ctx.settings.clusters],
        ),
    )
