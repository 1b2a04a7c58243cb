"""Run one collector for one window.

The contract (DESIGN.md "Data flow"): the collector's records are written in a
single transaction together with a successful collection-run row and the source's
watermark; if the collector or the write fails, nothing of the batch is kept and a
failed run row records the error. Rerunning a window upserts the same rows, so
the data is unchanged.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import data_generation
from app.db.models import CollectionRun, SourceWatermark
from app.ingest.upsert import upsert
from app.ingest.writer import write_batch
from collectors.records import Collector, CollectorError, TimeWindow

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


def run_collector(
    factory: sessionmaker[Session], collector: Collector, window: TimeWindow
) -> RunResult:
    """Collect ``window`` from ``collector`` and store it atomically; never raises for source errors."""
    started = _now()
    t0 = time.perf_counter()
    requests = 0
    try:
        batch = collector.collect(window)
        requests = batch.requests_made
        with factory() as session, session.begin():
            rows = write_batch(session, batch, window)
            _record_run(session, collector.source, window, started, t0, rows, requests, None)
            _advance_watermark(session, collector.source, window.end)
        data_generation.bump()
    except Exception as exc:  # noqa: BLE001 - any failure becomes a failed run row
        error = _describe(exc)[:_MAX_ERROR_CHARS]
        log.error(
            "collection failed: source=%s window=%s..%s error=%s",
            collector.source,
            window.start.isoformat(),
            window.end.isoformat(),
            error,
        )
        duration = time.perf_counter() - t0
        with factory() as session, session.begin():
            _record_run(session, collector.source, window, started, t0, 0, requests, error)
        return RunResult(collector.source, window, "failed", 0, duration, error, requests)
    duration = time.perf_counter() - t0
    log.info(
        "collection ok: source=%s window=%s..%s rows=%d requests=%d %.2fs",
        collector.source,
        window.start.isoformat(),
        window.end.isoformat(),
        rows,
        requests,
        duration,
    )
    return RunResult(collector.source, window, "success", rows, duration, None, requests)


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
