"""The jobs the scheduler runs and their triggers.

Each job is a ``JobSpec``: a name, its crontab (from ``settings.schedules``), the
function to call and how to name the period it covers, so a job fired on two
replicas for the same period runs once (see ``claims``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.context import AppContext
from app.ingest import RunResult, run_windows
from app.ingest.runner import watermark
from app.scheduling.claims import claim
from app.sources import build_collectors
from collectors.records import Collector, TimeWindow

log = logging.getLogger(__name__)

# How far back a source with no watermark starts, and the longest window per run.
INITIAL_LOOKBACK = timedelta(days=14)
MAX_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class JobSpec:
    name: str
    crontab: str
    func: Callable[[AppContext, datetime], None]


def period_key(fired_at: datetime) -> str:
    return fired_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def catch_up(ctx: AppContext, collector: Collector, now: datetime) -> list[RunResult]:
    """Collect from the source's watermark to the last whole hour, a day at a time.

    A failed window stops the catch-up: the watermark stays put and the next run
    retries from there, so a gap is never skipped.
    """
    end = now.replace(minute=0, second=0, microsecond=0)
    start = watermark(ctx.sessions, collector.source) or end - INITIAL_LOOKBACK
    results: list[RunResult] = []
    if start >= end:
        return results
    step = min(MAX_WINDOW, getattr(collector, "max_window", MAX_WINDOW))
    # The next window is collected while one is written (a fresh install's first run
    # catches up days); a failure stops at once.
    parts = TimeWindow(start, end).split(step)
    results.extend(run_windows(ctx.sessions, collector, parts, stop_on_failure=True))
    return results


def _collector_job(collector: Collector) -> Callable[[AppContext, datetime], None]:
    def run(ctx: AppContext, now: datetime) -> None:
        catch_up(ctx, collector, now)

    return run


def _allocation_job(ctx: AppContext, now: datetime) -> None:
    from app.allocation.store import allocate_recent

    allocate_recent(ctx.sessions, ctx.settings, now)


def _budget_job(ctx: AppContext, now: datetime) -> None:
    from app.budgets.job import run_budget_job

    run_budget_job(ctx.sessions, ctx.settings, now)


def _rightsizing_job(ctx: AppContext, now: datetime) -> None:
    from app.recommendations.service import run_configured

    run_configured(ctx.sessions, ctx.settings)


def _rightsizing_pr_job(ctx: AppContext, now: datetime) -> None:
    from app.gitops.schedule import rightsizing_pr_job

    rightsizing_pr_job(ctx, now)


def job_specs(ctx: AppContext, collectors: list[Collector] | None = None) -> list[JobSpec]:
    """The jobs of this configuration, each with its trigger from ``settings.schedules``."""
    s = ctx.settings.schedules
    schedule_of = {"prometheus": s.prometheus, "kubernetes": s.kubernetes, "aws_costs": s.aws_costs}
    specs = [
        JobSpec(
            f"collect:{c.source}",
            schedule_of.get(c.source.split(":", 1)[0], s.prometheus),
            _collector_job(c),
        )
        for c in (
            collectors if collectors is not None else build_collectors(ctx.settings, ctx.sessions)
        )
    ]
    specs.append(JobSpec("allocation", s.allocation, _allocation_job))
    if ctx.settings.budgets:
        specs.append(JobSpec("budgets", s.budgets, _budget_job))
    specs.append(JobSpec("rightsizing", s.rightsizing, _rightsizing_job))
    if ctx.settings.git.repo_url:  # the weekly PR, after the run it waits for
        specs.append(JobSpec("rightsizing-pr", s.rightsizing, _rightsizing_pr_job))
    return specs


def run_claimed(ctx: AppContext, spec: JobSpec, fired_at: datetime | None = None) -> bool:
    """Run ``spec`` for its period unless another replica already has; return True if run."""
    fired = fired_at or datetime.now(UTC)
    period = period_key(fired)
    if not claim(ctx.sessions, spec.name, period):
        log.info("job %s for %s already claimed by another replica", spec.name, period)
        return False
    try:
        spec.func(ctx, fired)
    except Exception:
        log.exception("job %s for %s failed", spec.name, period)
    return True
