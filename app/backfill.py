"""Backfill a source over a long range, resumably.

The range is cut into chunks aligned to the chunk size; each chunk is one ingest
transaction. A chunk that already has a successful collection run for exactly its
window is skipped, so an interrupted backfill picks up where it stopped and a
finished one is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import CollectionRun
from app.ingest import RunResult, run_windows
from collectors.records import Collector, TimeWindow


@dataclass
class BackfillReport:
    chunks: int = 0
    skipped: int = 0
    done: int = 0
    failed: list[RunResult] = field(default_factory=list)
    rows: int = 0


def plan_chunks(window: TimeWindow, chunk: timedelta) -> list[TimeWindow]:
    """Chunks aligned to multiples of ``chunk`` since the epoch, so reruns line up."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    size = chunk.total_seconds()
    first = epoch + timedelta(seconds=(window.start - epoch).total_seconds() // size * size)
    out: list[TimeWindow] = []
    t = first
    while t < window.end:
        nxt = t + chunk
        out.append(TimeWindow(max(t, window.start), min(nxt, window.end)))
        t = nxt
    return out


def completed_windows(
    factory: sessionmaker[Session], source: str, window: TimeWindow
) -> set[tuple[datetime, datetime]]:
    with factory() as session:
        rows = session.execute(
            select(CollectionRun.window_start, CollectionRun.window_end).where(
                CollectionRun.source == source,
                CollectionRun.status == "success",
                CollectionRun.window_start >= window.start,
                CollectionRun.window_end <= window.end,
            )
        )
        return {(a, b) for a, b in rows}


def backfill(
    factory: sessionmaker[Session],
    collector: Collector,
    window: TimeWindow,
    chunk: timedelta = timedelta(days=1),
    *,
    on_chunk: Callable[[TimeWindow, RunResult | None], None] | None = None,
    stop_on_failure: bool = False,
) -> BackfillReport:
    chunks = plan_chunks(window, chunk)
    done_before = completed_windows(factory, collector.source, window)
    report = BackfillReport(chunks=len(chunks))
    todo: list[TimeWindow] = []
    for part in chunks:
        if (part.start, part.end) not in done_before:
            todo.append(part)
            continue
        report.skipped += 1
        if on_chunk:
            on_chunk(part, None)
    # The next chunk is collected while one is written (run_windows).
    for result in run_windows(factory, collector, todo, stop_on_failure=stop_on_failure):
        if result.ok:
            report.done += 1
            report.rows += result.rows
        else:
            report.failed.append(result)
        if on_chunk:
            on_chunk(result.window, result)
    return report
