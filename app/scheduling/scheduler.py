"""APScheduler 3.x wiring: one in-memory job store per process (never shared)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from app.context import AppContext
from app.scheduling.cron import crontab_trigger
from app.scheduling.jobs import JobSpec, job_specs, run_claimed


def build_scheduler(ctx: AppContext, specs: list[JobSpec] | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    for spec in specs if specs is not None else job_specs(ctx):
        scheduler.add_job(
            _fire,
            trigger=crontab_trigger(spec.crontab),
            args=[ctx, spec],
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=600,
        )
    return scheduler


def _fire(ctx: AppContext, spec: JobSpec) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    run_claimed(ctx, spec, now)


def next_runs(scheduler: BackgroundScheduler) -> list[dict[str, Any]]:
    out = []
    for job in scheduler.get_jobs():
        nxt = getattr(job, "next_run_time", None)
        out.append({"job": job.id, "next_run": nxt.isoformat() if nxt else None})
    return out
