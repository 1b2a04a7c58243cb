"""Scheduled collection: catch-up from the watermark, gaps never skipped, jobs registered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.context import AppContext
from app.ingest.runner import watermark
from app.scheduling.jobs import INITIAL_LOOKBACK, JobSpec, catch_up, job_specs, run_claimed
from app.scheduling.scheduler import build_scheduler, next_runs
from app.settings import load_settings
from collectors.records import Batch, TimeWindow
from tests.support.sample_batches import StaticCollector

NOW = datetime(2026, 11, 26, 10, 37, tzinfo=UTC)


def ctx_for(engine: Engine, sessions: sessionmaker[Session]) -> AppContext:
    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False))
    return AppContext(settings=settings, engine=engine, sessions=sessions)


class FlakyCollector(StaticCollector):
    """Fails for windows that start inside ``bad``; succeeds otherwise."""

    def __init__(self, bad: TimeWindow | None) -> None:
        super().__init__()
        self.bad = bad

    def collect(self, window: TimeWindow) -> Batch:
        self.calls += 1
        if self.bad and self.bad.start <= window.start < self.bad.end:
            from collectors.records import CollectorError

            raise CollectorError("HTTP 503 from prometheus")
        return super().collect(window)


def test_first_run_looks_back_then_continues_from_watermark(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    ctx = ctx_for(engine, sessions)
    results = catch_up(ctx, StaticCollector(), NOW)
    end = NOW.replace(minute=0)
    assert results[0].window.start == end - INITIAL_LOOKBACK
    assert all(r.ok for r in results)
    assert watermark(sessions, "static") == end
    later = catch_up(ctx, StaticCollector(), NOW + timedelta(hours=2))
    assert [(r.window.start, r.window.end) for r in later] == [(end, end + timedelta(hours=2))]
    assert catch_up(ctx, StaticCollector(), NOW + timedelta(hours=2)) == []


def test_failure_stops_catch_up_and_next_run_retries_the_gap(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    ctx = ctx_for(engine, sessions)
    end = NOW.replace(minute=0)
    bad = TimeWindow(end - timedelta(days=5), end - timedelta(days=4))
    results = catch_up(ctx, FlakyCollector(bad), NOW)
    assert results[-1].ok is False
    stuck = watermark(sessions, "static")
    assert stuck is not None
    assert stuck <= bad.start + timedelta(days=1)
    healed = catch_up(ctx, FlakyCollector(None), NOW)
    assert healed[0].window.start == stuck
    assert all(r.ok for r in healed)
    assert watermark(sessions, "static") == end


def test_run_claimed_runs_once_per_period(engine: Engine, sessions: sessionmaker[Session]) -> None:
    ctx = ctx_for(engine, sessions)
    calls: list[datetime] = []
    spec = JobSpec("probe", "* * * * *", lambda _ctx, fired: calls.append(fired))
    assert run_claimed(ctx, spec, NOW)
    assert not run_claimed(
        ctx,
        spec,
        NOW.replace(second=30),
    )  # same minute, same period
    assert run_claimed(ctx, spec, NOW + timedelta(minutes=1))
    assert len(calls) == 2


def test_scheduler_registers_every_job_with_its_trigger(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    ctx = ctx_for(engine, sessions)
    specs = job_specs(ctx, [StaticCollector(source="prometheus")])
    assert [s.name for s in specs] == ["collect:prometheus", "allocation", "rightsizing"]
    scheduler = build_scheduler(ctx, specs)
    scheduler.start(paused=True)
    try:
        runs = {r["job"]: r["next_run"] for r in next_runs(scheduler)}
    finally:
        scheduler.shutdown(wait=False)
    assert set(runs) == {"collect:prometheus", "allocation", "rightsizing"}
    rightsizing = datetime.fromisoformat(runs["rightsizing"])
    assert rightsizing.weekday() == 0  # Monday
    assert (rightsizing.hour, rightsizing.minute) == (6, 0)
