"""Backfill: aligned chunks, resumes after an interruption, never redoes finished chunks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.backfill import backfill, plan_chunks
from app.db.models import CollectionRun, UsageHour
from app.ingest.runner import watermark
from collectors.records import Batch, CollectorError, TimeWindow
from tests.support.sample_batches import StaticCollector, usage


class InterruptingCollector(StaticCollector):
    """Raises KeyboardInterrupt (a user's Ctrl-C) on its n-th call."""

    def __init__(self, stop_at: int) -> None:
        super().__init__()
        self.stop_at = stop_at

    def collect(self, window: TimeWindow) -> Batch:
        if self.calls + 1 == self.stop_at:
            self.calls += 1
            raise KeyboardInterrupt
        return super().collect(window)


def test_plan_chunks_aligns_to_the_chunk_size() -> None:
    w = TimeWindow(datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 3, 7, tzinfo=UTC))
    parts = plan_chunks(w, timedelta(days=1))
    assert [(p.start.day, p.start.hour, p.end.day, p.end.hour) for p in parts] == [
        (1, 5, 2, 0),
        (2, 0, 3, 0),
        (3, 0, 3, 7),
    ]


def test_interrupted_backfill_resumes_without_redoing_work(sessions: sessionmaker[Session]) -> None:
    window = TimeWindow(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC))
    first = InterruptingCollector(stop_at=3)
    with pytest.raises(KeyboardInterrupt):
        backfill(sessions, first, window)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == 48  # two whole days kept
    second = StaticCollector()
    report = backfill(sessions, second, window)
    assert (report.chunks, report.skipped, report.done) == (5, 2, 3)
    assert second.calls == 3
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == 5 * 24
    again = StaticCollector()
    report = backfill(sessions, again, window)
    assert (report.skipped, report.done, again.calls) == (5, 0, 0)


class WatchingCollector(StaticCollector):
    """Signals when each collection starts; optionally fails (collect or write) on the
    windows given by index."""

    def __init__(
        self,
        fail_collect: set[int] | None = None,
        poison: set[int] | None = None,
        hold: int | None = None,
    ) -> None:
        super().__init__()
        self.hold = hold  # this window's collection waits for ``release``
        self.release = threading.Event()
        self.finished = threading.Event()
        self.fail_collect = fail_collect or set()
        self.poison = poison or set()
        self.started = [threading.Event() for _ in range(8)]

    def collect(self, window: TimeWindow) -> Batch:
        index = self.calls
        self.started[index].set()
        if index == self.hold:
            self.release.wait(timeout=20)
            self.finished.set()
        if index in self.fail_collect:
            self.calls += 1
            raise CollectorError(f"source down for window {index}")
        batch = super().collect(window)
        if index in self.poison:
            bad = usage(window.start)
            object.__setattr__(bad, "hour", bad.hour.replace(tzinfo=None))  # breaks the write
            batch.usage.append(bad)
        return batch


FOUR_DAYS = TimeWindow(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))


def usage_hours(sessions: sessionmaker[Session]) -> list[datetime]:
    with sessions() as s:
        return sorted(s.scalars(select(UsageHour.hour)))


def test_next_chunk_is_collected_while_one_is_written(sessions: sessionmaker[Session]) -> None:
    col = WatchingCollector()
    ahead: list[bool] = []

    def on_chunk(part: TimeWindow, result: object) -> None:
        # Called once window i is written. Sequential code would only start collecting
        # window i+1 after this returns, so the wait would time out.
        i = len(ahead)
        ahead.append(i + 1 == 4 or col.started[i + 1].wait(timeout=30))

    report = backfill(sessions, col, FOUR_DAYS, on_chunk=on_chunk)
    assert (report.done, report.failed) == (4, [])
    assert ahead == [True, True, True, True]
    assert len(usage_hours(sessions)) == 4 * 24
    assert watermark(sessions, col.source) == FOUR_DAYS.end


def test_failed_collection_stops_without_collecting_further(
    sessions: sessionmaker[Session],
) -> None:
    col = WatchingCollector(fail_collect={1})
    report = backfill(sessions, col, FOUR_DAYS, stop_on_failure=True)
    assert report.done == 1 and len(report.failed) == 1
    assert col.calls == 2  # nothing collected past the failure
    assert "source down for window 1" in (report.failed[0].error or "")
    assert len(usage_hours(sessions)) == 24
    assert watermark(sessions, col.source) == FOUR_DAYS.start + timedelta(days=1)


def test_failed_write_drops_the_chunk_collected_ahead(sessions: sessionmaker[Session]) -> None:
    col = WatchingCollector(poison={1})
    report = backfill(sessions, col, FOUR_DAYS, stop_on_failure=True)
    assert report.done == 1 and len(report.failed) == 1
    # window 2 was handed to the collector before window 1's write failed (and may have
    # started); either way it is not written, and nothing after it is collected
    assert col.calls in (2, 3)
    hours = usage_hours(sessions)
    assert len(hours) == 24 and max(hours) < FOUR_DAYS.start + timedelta(days=1)
    assert watermark(sessions, col.source) == FOUR_DAYS.start + timedelta(days=1)
    # a rerun resumes from the failed chunk and ends with exactly the same rows as one go
    again = backfill(sessions, StaticCollector(), FOUR_DAYS)
    assert (again.skipped, again.done) == (1, 3)
    assert len(usage_hours(sessions)) == 4 * 24


def test_without_stop_every_good_chunk_lands(sessions: sessionmaker[Session]) -> None:
    col = WatchingCollector(fail_collect={0}, poison={2})
    report = backfill(sessions, col, FOUR_DAYS)
    assert report.done == 2 and [r.window.start.day for r in report.failed] == [1, 3]
    assert sorted({h.day for h in usage_hours(sessions)}) == [2, 4]
    with sessions() as s:
        statuses = s.execute(
            select(CollectionRun.window_start, CollectionRun.status).order_by(
                CollectionRun.window_start
            )
        ).all()
    assert [st for _, st in statuses] == ["failed", "success", "failed", "success"]


def test_ctrl_c_does_not_wait_for_the_day_collected_ahead(
    sessions: sessionmaker[Session],
) -> None:
    col = WatchingCollector(hold=1)  # window 1's collection hangs (a slow Prometheus)

    def on_chunk(part: TimeWindow, result: object) -> None:
        col.started[1].wait(timeout=20)
        raise KeyboardInterrupt  # the user presses Ctrl-C while window 1 is collected

    with pytest.raises(KeyboardInterrupt):
        backfill(sessions, col, FOUR_DAYS, on_chunk=on_chunk)
    # back at once: window 1's collection is still running and is simply dropped
    assert not col.finished.is_set()
    col.release.set()
    assert col.finished.wait(timeout=20)
    assert len(usage_hours(sessions)) == 24  # window 0 only; the rerun resumes at 1
    assert watermark(sessions, col.source) == FOUR_DAYS.start + timedelta(days=1)
