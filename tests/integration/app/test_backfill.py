"""Backfill: aligned chunks, resumes after an interruption, never redoes finished chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.backfill import backfill, plan_chunks
from app.db.models import UsageHour
from collectors.records import Batch, TimeWindow
from tests.support.sample_batches import StaticCollector


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
