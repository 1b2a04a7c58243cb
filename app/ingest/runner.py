"""Run one collector for one window.

The contract (DESIGN.md "Data flow"): the collector's records are written in a
single transaction together with a successful collection-run row and the source's
watermark; if the collector or the write fails, nothing of the batch is kept and a
failed run row records the error. Rerunning a window upserts the same rows, so
the data is unchanged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import data_generation
from app.db.models import CollectionRun, SourceWatermark
from app.ingest.upsert import upsert
from app.ingest.writer import write_batch
from collectors.records import Batch, Collector, CollectorError, TimeWindow

log = logging.getLogger(__name__)

_MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class RunResult:
    source: str
    window: TimeWindow
    status: str  # "success" | "failed"
    rows: int
    duration_seconds: float
    error: str | None = None
    requests_made: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "success"


def _now() -> datetime:
    return datetime.now(UTC)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, CollectorError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Collected:
    """What one window's collection gave, before anything is written."""

    window: TimeWindow
    started: datetime
    seconds: float  # spent collecting
    batch: Batch | None
    error: str | None = None


def collect_window(collector: Collector, window: TimeWindow) -> Collected:
    """Ask the source for ``window``; a failure is returned, not raised."""
    started = _now()
    t0 = time.perf_counter()
    try:
        batch = collector.collect(window)
    except Exception as exc:  # noqa: BLE001 - any failure becomes a failed run row
        error = _describe(exc)[:_MAX_ERROR_CHARS]
        return Collected(window, started, time.perf_counter() - t0, None, error)
    return Collected(window, started, time.perf_counter() - t0, batch)


def run_collector(
    factory: sessionmaker[Session], collector: Collector, window: TimeWindow
) -> RunResult:
    """Collect ``window`` from ``collector`` and store it atomically; never raises for source errors."""
    return store_collected(factory, collector.source, collect_window(collector, window))


def run_windows(
    factory: sessionmaker[Session],
    collector: Collector,
    windows: Sequence[TimeWindow],
    *,
    stop_on_failure: bool,
) -> Iterator[RunResult]:
    """``run_collector`` over ``windows`` in order, collecting the next while one is written.

    Why: a backfill alternates between waiting for the source (Prometheus evaluating
    a day of queries) and writing to the database; overlapping the two cuts a 14-day
    backfill by about a third (docs/benchmarks-collectors.md). Each window is still
    its own transaction, written in order, so the watermark and the resume logic are
    unchanged. At most one window is collected ahead (its batch held in memory), and
    none after a failed collection when ``stop_on_failure``; a window collected ahead
    of a failed write is dropped, not written (its collection is waited for, so the
    collector is free when this returns). Ctrl-C, or any exception out of the loop,
    does not wait for it: the thread finishes on its own and its batch is dropped.
    """
    if len(windows) <= 1:
        for window in windows:
            yield run_collector(factory, collector, window)
        return
    ahead: _Ahead | None = _Ahead(collector, windows[0])
    for i in range(len(windows)):
        assert ahead is not None
        collected = ahead.result()
        ahead = None
        more = i + 1 < len(windows)
        if more and not (stop_on_failure and collected.error is not None):
            ahead = _Ahead(collector, windows[i + 1])
        result = store_collected(factory, collector.source, collected)
        yield result
        if not result.ok and stop_on_failure:
            if ahead is not None:
                ahead.wait()  # collected ahead, never written
            return


class _Ahead:
    """One window collected on a daemon thread.

    A daemon thread rather than an executor: the interpreter joins executor threads at
    exit, so Ctrl-C on a backfill would first wait for a whole day's queries.
    """

    def __init__(self, collector: Collector, window: TimeWindow) -> None:
        self._done = threading.Event()
        self._value: Collected | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(collector, window), name="collect-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, collector: Collector, window: TimeWindow) -> None:
        try:
            self._value = collect_window(collector, window)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self._error = exc
        finally:
            self._done.set()

    def wait(self) -> None:
        self._done.wait()

    def result(self) -> Collected:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def store_collected(factory: sessionmaker[Session], source: str, collected: Collected) -> RunResult:
    """Write one window's batch with its run row and watermark in one transaction."""
    window, started = collected.window, collected.started
    t0 = time.perf_counter() - collected.seconds  # run rows count collection + writing
    batch = collected.batch
    requests = batch.requests_made if batch is not None else 0
    error = collected.error
    if batch is not None:
        try:
            with factory() as session, session.begin():
                rows = write_batch(session, batch, window)
                _record_run(session, source, window, started, t0, rows, requests, None)
                _advance_watermark(session, source, window.end)
            data_generation.bump()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a failed run row
            error = _describe(exc)[:_MAX_ERROR_CHARS]
    if error is not None:
        log.error(
            "collection failed: source=%s window=%s..%s error=%s",
            source,
            window.start.isoformat(),
            window.end.isoformat(),
            error,
        )
        duration = time.perf_counter() - t0
        with factory() as session, session.begin():
            _record_run(session, source, window, started, t0, 0, requests, error)
        return RunResult(source, window, "failed", 0, duration, error, requests)
    duration = time.perf_counter() - t0
    log.info(
        "collection ok: source=%s window=%s..%s rows=%d requests=%d %.2fs",
        source,
        window.start.isoformat(),
        window.end.isoformat(),
        rows,
        requests,
        duration,
    )
    return RunResult(source, window, "success", rows, duration, None, requests)


def _record_run(
    session: Session,
    source: str,
    window: TimeWindow,
    started: datetime,
    t0: float,
    rows: int,
    requests: int,
    error: str | None,
) -> None:
    session.add(
        CollectionRun(
            source=source,
            window_start=window.start,
            window_end=window.end,
            started_at=started,
            finished_at=_now(),
            duration_seconds=time.perf_counter() - t0,
            rows=rows,
            requests_made=requests,
            status="failed" if error else "success",
            error=error,
        )
    )


def _advance_watermark(session: Session, source: str, end: datetime) -> None:
    current = session.scalar(
        select(SourceWatermark.watermark).where(SourceWatermark.source == source)
    )
    if current is not None and current >= end:
        return
    upsert(
        session,
        SourceWatermark,
        [{"source": source, "watermark": end, "updated_at": _now()}],
        ["source"],
    )


def watermark(factory: sessionmaker[Session], source: str) -> datetime | None:
    with factory() as session:
        return session.scalar(
            select(SourceWatermark.watermark).where(SourceWatermark.source == source)
        )
