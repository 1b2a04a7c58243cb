"""The scheduled PR job: fires with the weekly rightsizing job and waits for its run.

Both jobs share the ``schedules.rightsizing`` trigger. APScheduler runs jobs in a
thread pool, so this one polls (bounded) until a recommendation run that started
at or after its own firing time has finished, then opens or updates the PR from
the latest *successful* run. A failed or missing run leaves the PR as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.context import AppContext
from app.gitops.job import PrRunResult, open_rightsizing_pr
from app.recommendations.models import RecommendationRun

log = logging.getLogger(__name__)

WAIT_S = 2 * 3600.0
POLL_S = 15.0


def run_finished_since(ctx: AppContext, since: datetime) -> RecommendationRun | None:
    with ctx.sessions() as session:
        return session.scalars(
            select(RecommendationRun)
            .where(RecommendationRun.started_at >= since, RecommendationRun.status != "running")
            .order_by(RecommendationRun.id.desc())
            .limit(1)
        ).first()


def rightsizing_pr_job(
    ctx: AppContext,
    fired_at: datetime,
    *,
    wait_s: float = WAIT_S,
    poll_s: float = POLL_S,
    sleep: Callable[[float], None] = time.sleep,
) -> PrRunResult | None:
    if not ctx.settings.git.repo_url:
        log.info("rightsizing PR: git.repo_url not set, nothing to do")
        return None
    deadline = time.monotonic() + wait_s
    run = run_finished_since(ctx, fired_at)
    while run is None and time.monotonic() < deadline:
        sleep(poll_s)
        run = run_finished_since(ctx, fired_at)
    if run is None:
        log.warning(
            "rightsizing PR: no run finished within %.0f s of %s; skipped", wait_s, fired_at
        )
        return None
    if run.status != "success":
        log.warning(
            "rightsizing PR: run %s %s; the pull request is left as it was", run.id, run.status
        )
        return None
    result = open_rightsizing_pr(ctx)
    log.info("rightsizing PR: %s", result.message)
    return result
