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
from app.ingest import run_collector
from app.ingest.runner import watermark
from app.scheduling.claims import claim
from app.sources import build_collectors
from collectors.records import TimeWindow

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


def collect_source(ctx: AppContext, source: str, now: datetime) -> None:
    """Catch the source up from its watermark to ``now`` in windows of at most a day."""
    collectors = {c.source: c for c in build_collectors(ctx.settings)}
    collector = collectors.get(source)
    if collector is None:
        return
    end = now.replace(minute=0, second=0, microsecond=0)
    start = watermark(ctx.sessions, source) or end - INITIAL_LOOKBACK
    if start >= end:
        return
    for part in TimeWindow(start, end).split(MAX_WINDOW):
        result = run_collector(ctx.sessions, collector, part)
        if not result.ok:
            break  # keep the watermark where it is; the next run retries from there


def _collector_job(source: str) -> Callable[[AppContext, datetime], None]:
    def run(ctx: AppContext, now: datetime) -> None:
        collect_source(ctx, source, now)

    return run


def job_specs(ctx: AppContext) -> list[JobSpec]:
    s = ctx.settings.schedules
    specs = [
        JobSpec("collect:prometheus", s.prometheus, _collector_job("prometheus")),
        JobSpec("collect:kubernetes", s.kubernetes, _collector_job("kubernetes")),
        JobSpec("collect:aws_costs", s.aws_costs, _collector_job("aws_costs")),
    ]
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
