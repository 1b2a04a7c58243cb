"""Read model for the System page: collection health per source and the run log.

A source is *stale* when its last success is older than twice its schedule's
interval (at least two hours): one missed run is noise, two are a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import CollectionRun, SourceWatermark
from app.queries.paging import Page, clamp
from app.scheduling.cron import crontab_trigger

MIN_STALE_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class SourceStatus:
    source: str
    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_success_at: datetime | None
    watermark: datetime | None
    runs_failed_24h: int
    stale: bool


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    crontab: str
    next_run: datetime | None
    interval: timedelta | None


def schedule(jobs: list[tuple[str, str]], now: datetime) -> list[ScheduledJob]:
    """Next fire time and interval of each (name, crontab), computed from the crontab."""
    out = []
    for name, expr in jobs:
        trigger = crontab_trigger(expr)
        first = trigger.get_next_fire_time(None, now)
        second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
        interval = second - first if first and second else None
        out.append(ScheduledJob(name, expr, first, interval))
    return out


def source_statuses(
    session: Session, now: datetime, intervals: dict[str, timedelta] | None = None
) -> list[SourceStatus]:
    intervals = intervals or {}
    sources = set(session.scalars(select(CollectionRun.source).distinct()))
    marks = {m.source: m.watermark for m in session.scalars(select(SourceWatermark))}
    sources |= set(marks)
    since = now - timedelta(hours=24)
    out = []
    for source in sorted(sources):
        last = session.scalars(
            select(CollectionRun)
            .where(CollectionRun.source == source)
            .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
            .limit(1)
        ).first()
        last_ok: datetime | None = session.scalar(
            select(func.max(CollectionRun.finished_at)).where(
                CollectionRun.source == source, CollectionRun.status == "success"
            )
        )
        failed = session.scalar(
            select(func.count()).where(
                CollectionRun.source == source,
                CollectionRun.status == "failed",
                CollectionRun.started_at >= since,
            )
        )
        stale_after = max(MIN_STALE_AFTER, 2 * intervals.get(source, timedelta(hours=1)))
        out.append(
            SourceStatus(
                source=source,
                last_run_at=last.started_at if last else None,
                last_status=last.status if last else None,
                last_error=last.error if last else None,
                last_success_at=last_ok,
                watermark=marks.get(source),
                runs_failed_24h=int(failed or 0),
                stale=last_ok is None or now - last_ok > stale_after,
            )
        )
    return out


def runs_page(
    session: Session,
    page: int,
    per_page: int,
    source: str | None = None,
    status: str | None = None,
) -> Page[CollectionRun]:
    page, per_page = clamp(page, per_page)
    cond = []
    if source:
        cond.append(CollectionRun.source == source)
    if status:
        cond.append(CollectionRun.status == status)
    total = int(session.scalar(select(func.count()).select_from(CollectionRun).where(*cond)) or 0)
    last = max(1, -(-total // per_page))
    page = min(page, last)
    rows = session.scalars(
        select(CollectionRun)
        .where(*cond)
        .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def utcnow() -> datetime:
    return datetime.now(UTC)
