"""Packs: one container's hourly rollups of one full UTC day as one blob.

The pure part (which days a window covers fully, which ranges still need rows, how a
container's table is cut into days and packed) is separate from the one function that
writes (``store_packs``), so the cutting is tested without a database and the writing
happens in a transaction of the caller's choosing.

Correctness rests on versions, not on timing: database triggers bump
``usage_days.version`` on every write to a day's hourly rows; a plan records the
versions it read *before* it read the rows, and ``store_packs`` marks a day packed
only where the version is still the one read. A write that lands between the read and
the store leaves the day unpacked (read as rows next time), never packed stale.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import UsageDay, UsageDayPack, UsageHour
from rightsizing.inputs import HourlyColumns

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
DAY_S = 86400.0
_DTYPE = np.dtype("<f8")  # fixed byte order: a pack means the same on any machine

DayRange = tuple[datetime, datetime]
PackKey = tuple[int, str, str, str, str]

PACKED_COLUMNS = tuple(f.name for f in fields(HourlyColumns))[1:]
"""The columns a pack holds after the hour, in order: the engine's ``HourlyColumns``,
which are also the names of the ``usage_hourly`` columns they are read from."""
TABLE_ROWS = 1 + len(PACKED_COLUMNS)
"""A container's table: epoch seconds of each hour, then the ``PACKED_COLUMNS``."""

PACK_DAYS = 62
"""Days before a load's end whose packs are kept: the weekly run reads 14, a replay a few
weeks. Older days are read as rows and their packs dropped, so the packs (about
2.7 kB per container-day) never grow with the retention of ``usage_hourly``."""


@dataclass
class PackPlan:
    """Packs cut from rows just read, the day versions they were read at, and the oldest
    day whose packs are kept (older ones are dropped when the plan is stored)."""

    versions: dict[date, int]
    packs: list[dict[str, Any]] = field(default_factory=list)
    keep_from: date | None = None


def pack_horizon(end: datetime) -> date:
    """The oldest day a load ending at ``end`` packs."""
    return (end.astimezone(UTC) - timedelta(days=PACK_DAYS)).date()


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def full_days(start: datetime, end: datetime) -> list[date]:
    """The UTC days lying wholly inside ``[start, end)``, oldest first."""
    first = start.astimezone(UTC).date()
    if _midnight(first) < start:
        first += DAY
    out: list[date] = []
    d = first
    while _midnight(d) + DAY <= end:
        out.append(d)
        d += DAY
    return out


def uncovered_ranges(start: datetime, end: datetime, packed: Collection[date]) -> list[DayRange]:
    """``[start, end)`` minus the packed days, as few ranges as possible."""
    out: list[DayRange] = []
    cursor = start
    for d in sorted(packed):
        lo = _midnight(d)
        if lo < start or lo + DAY > end:
            continue  # not wholly inside: read as rows
        if cursor < lo:
            out.append((cursor, lo))
        cursor = max(cursor, lo + DAY)
    if cursor < end:
        out.append((cursor, end))
    return out


def pack(table: np.ndarray) -> bytes:
    return np.ascontiguousarray(table, dtype=_DTYPE).tobytes()


def unpack(data: bytes, hours: int, rows: int) -> np.ndarray:
    """A pack back as its (rows, hours) table; a blob of the wrong size is refused."""
    if len(data) != rows * hours * _DTYPE.itemsize:
        raise ValueError(
            f"usage pack of {len(data)} bytes does not hold {rows} x {hours} float64 values"
        )
    return np.frombuffer(data, dtype=_DTYPE).reshape(rows, hours).astype(np.float64)


def plan_packs(
    tables: Mapping[PackKey, np.ndarray],
    stale: Mapping[date, int],
    rows: int,
    keep_from: date | None = None,
) -> PackPlan:
    """Cut every container's table (row 0: epoch seconds, sorted) into the stale days.

    A stale day with no rows left still goes into the plan: storing it marks the day
    packed with no packs, which is what it then holds.
    """
    plan = PackPlan(versions=dict(stale), keep_from=keep_from)
    wanted = {(_midnight(d).timestamp() // DAY_S): d for d in stale}
    for (cid, ns, kind, name, container), table in tables.items():
        if table.shape[0] != rows:
            raise ValueError(f"a usage table has {table.shape[0]} rows, expected {rows}")
        day_index = np.floor(table[0] / DAY_S)
        cuts = np.flatnonzero(np.diff(day_index)) + 1
        for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), table.shape[1]], strict=True):
            d = wanted.get(float(day_index[lo]))
            if d is None:
                continue
            plan.packs.append(
                {
                    "day": d,
                    "cluster_id": cid,
                    "namespace": ns,
                    "workload_kind": kind,
                    "workload": name,
                    "container": container,
                    "hours": hi - lo,
                    "data": pack(table[:, lo:hi]),
                }
            )
    return plan


def store_packs(session: Session, plans: list[PackPlan]) -> int:
    """Replace the planned days' packs and mark each day packed at the version read,
    where that is still its version; drop the packs of days before the plans' horizon.
    Returns the number of days marked packed."""
    marked = 0
    for plan in plans:
        if not plan.versions:
            continue
        days = sorted(plan.versions)
        # Unmark first: if another run packed a day since this plan read it, its mark
        # must not survive over this plan's (possibly older) packs.
        session.execute(update(UsageDay).where(UsageDay.day.in_(days)).values(packed_version=None))
        session.execute(delete(UsageDayPack).where(UsageDayPack.day.in_(days)))
        if plan.packs:
            session.execute(insert(UsageDayPack), plan.packs)
        for d in days:
            version = plan.versions[d]
            result = session.execute(
                update(UsageDay)
                .where(UsageDay.day == d, UsageDay.version == version)
                .values(packed_version=version)
            )
            marked += int(getattr(result, "rowcount", 0) or 0)
    horizons = [p.keep_from for p in plans if p.keep_from is not None]
    if horizons:
        oldest = min(horizons)
        session.execute(
            update(UsageDay)
            .where(UsageDay.day < oldest, UsageDay.packed_version.is_not(None))
            .values(packed_version=None)
        )
        session.execute(delete(UsageDayPack).where(UsageDayPack.day < oldest))
    return marked


def store_packs_safely(factory: sessionmaker[Session], plans: list[PackPlan]) -> int:
    """``store_packs`` in a transaction of its own; 0 when there is nothing to store.

    The packs are a cache: if writing them fails (another run packing the same days
    at the same moment, a read-only replica), the caller's work goes on and the days
    are read as rows, and packed, next time.
    """
    if not any(p.versions for p in plans):
        return 0
    try:
        with factory() as session, session.begin():
            return store_packs(session, plans)
    except SQLAlchemyError as exc:
        log.warning("usage packs not stored, read as rows next time: %s", exc)
        return 0


def pack_written_days(
    session: Session, rows: Sequence[Mapping[str, Any]], start: datetime, end: datetime
) -> int:
    """Pack, in the ingest's own transaction, the full days of ``[start, end)`` whose
    hourly rows are now exactly the ``rows`` just upserted; returns the days packed.

    Why: a backfill writes whole days, and packing them from the rows in hand costs a
    fraction of reading them back in the first weekly run. Why it is safe: a day is
    packed only when the database holds as many rows for it as this write has distinct
    keys (all of them are there after the upsert, so nobody else's are), and at the
    version read after the upsert inside this transaction, which holds that day's
    ``usage_days`` row: a later write by anyone bumps it and makes the pack stale.
    """
    days = full_days(start, end)
    if not days or not rows:
        return 0
    wanted = {_midnight(d).timestamp() // DAY_S: d for d in days}
    latest: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for r in rows:  # a key written twice: the last row is the one stored
        latest[(*_container(r), r["hour"])] = r
    written = list(latest.values())
    hours = np.fromiter((r["hour"].timestamp() for r in written), np.float64, len(written))
    day_of = hours // DAY_S
    fresh: dict[float, date] = {}
    for index, count in zip(*np.unique(day_of, return_counts=True), strict=True):
        d = wanted.get(float(index))
        if d is None:
            continue
        lo = _midnight(d)
        stored = session.scalar(
            select(func.count())
            .select_from(UsageHour)
            .where(UsageHour.hour >= lo, UsageHour.hour < lo + DAY)
        )
        if stored == int(count):
            fresh[float(index)] = d
    if not fresh:
        return 0
    versions = {
        d: int(v)
        for d, v in session.execute(
            select(UsageDay.day, UsageDay.version).where(UsageDay.day.in_(list(fresh.values())))
        )
    }
    keep = np.isin(day_of, list(fresh))
    kept = [r for r, k in zip(written, keep.tolist(), strict=True) if k]
    plan = plan_packs(_tables(kept, hours[keep]), versions, TABLE_ROWS)
    return store_packs(session, [plan])


def _tables(rows: list[Mapping[str, Any]], hours: np.ndarray) -> dict[PackKey, np.ndarray]:
    """Rows as per-container (14, n) tables sorted by hour, the same floats the loader
    reads back (numpy turns a missing throttling ratio into NaN there and here)."""
    table = np.empty((TABLE_ROWS, len(rows)), dtype=np.float64)
    table[0] = hours
    for i, name in enumerate(PACKED_COLUMNS, start=1):
        table[i] = np.array([r[name] for r in rows], dtype=np.float64)
    return split_by_container((_container(r) for r in rows), table)


def split_by_container(keys: Iterable[PackKey], table: np.ndarray) -> dict[PackKey, np.ndarray]:
    """A table of many containers' hours (row 0: epoch seconds; one key per column) as
    one table per container, sorted by hour: one sort, no Python loop over hours."""
    index: dict[PackKey, int] = {}
    ids = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, table.shape[1])
    order = np.lexsort((table[0], ids))
    ids, table = ids[order], table[:, order]
    bounds = [0, *(np.flatnonzero(np.diff(ids)) + 1).tolist(), ids.size]
    names = list(index)
    return {names[int(ids[lo])]: table[:, lo:hi] for lo, hi in itertools.pairwise(bounds)}


def _container(row: Mapping[str, Any]) -> PackKey:
    return (
        row["cluster_id"],
        row["namespace"],
        row["workload_kind"],
        row["workload"],
        row["container"],
    )
