"""Load hourly usage rollups as columns: one ``HourlyColumns`` per container.

Why not ORM objects: the weekly job reads every container's 14 days at once (a
thousand workloads are 336,000 rows), and building an ORM instance per row cost
about 20 s, more than the engine. Here the rows come back as plain tuples, are
transposed into numpy columns in one pass, and are grouped per container by a sort.

Why packs: even as plain tuples, fetching 336,000 rows is most of a warm weekly run.
Full UTC days whose ``usage_day_packs`` are current (``usage_days.packed_version ==
version``) are read as one blob per container-day instead; only the rest of the
window (the partial first and last day, days written since they were packed) is read
as rows. ``app.usage.packs`` builds and stores the packs; this module only reads.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import Float, String, and_, cast, extract, false, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db.models import UsageDay, UsageDayPack, UsageHour
from app.usage.packs import (
    PACKED_COLUMNS,
    TABLE_ROWS,
    DayRange,
    PackPlan,
    full_days,
    pack_horizon,
    plan_packs,
    split_by_container,
    uncovered_ranges,
    unpack,
)
from rightsizing.inputs import HourlyColumns

UsageKey = tuple[int, str, str, str, str]
"""cluster id, namespace, workload kind, workload name, container name."""

_VALUES = tuple(getattr(UsageHour, name) for name in PACKED_COLUMNS)


@dataclass
class LoadStats:
    """What a load read, for logs and tests: days served from packs, rows fetched."""

    packed_days: int = 0
    packs: int = 0
    rows: int = 0


def _hour_column(session: Session) -> ColumnElement[object]:
    """The hour as something numpy converts without a Python object per row.

    SQLite stores it as ISO text, which numpy parses in bulk; PostgreSQL computes epoch
    seconds itself (its timestamps would otherwise arrive as datetime objects).
    """
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(UsageHour.hour, String)
    return cast(extract("epoch", UsageHour.hour), Float)


def _epoch_seconds(values: tuple[object, ...], dialect: str) -> np.ndarray:
    if dialect == "sqlite":
        return np.array(values, dtype="datetime64[us]").astype(np.int64) / 1e6
    return np.array(values, dtype=np.float64)


def _fetch_tables(
    session: Session, ranges: Sequence[DayRange], namespaces: Collection[str] | None
) -> tuple[dict[UsageKey, np.ndarray], int]:
    """Every container's rows in the ``[start, end)`` ranges as a (14, n) table sorted by
    hour, and the number of rows fetched."""
    if not ranges:
        return {}, 0
    stmt = select(
        UsageHour.cluster_id,
        UsageHour.namespace,
        UsageHour.workload_kind,
        UsageHour.workload,
        UsageHour.container,
        _hour_column(session),
        *_VALUES,
    ).where(or_(false(), *(and_(UsageHour.hour >= a, UsageHour.hour < b) for a, b in ranges)))
    if namespaces:
        stmt = stmt.where(UsageHour.namespace.in_(list(namespaces)))
    # Core, not the ORM: plain tuples without per-row entity bookkeeping (a third faster).
    rows = session.connection().execute(stmt).all()
    if not rows:
        return {}, 0
    columns = list(zip(*rows, strict=True))
    table = np.empty((TABLE_ROWS, len(rows)), dtype=np.float64)
    table[0] = _epoch_seconds(columns[5], session.get_bind().dialect.name)
    table[1:] = np.array(columns[6:], dtype=np.float64)  # None (no throttling) -> NaN
    out = split_by_container(zip(*columns[:5], strict=True), table)
    return out, len(rows)


def _packed_tables(
    session: Session, days: Collection[date], namespaces: Collection[str] | None
) -> dict[UsageKey, list[np.ndarray]]:
    if not days:
        return {}
    stmt = select(
        UsageDayPack.cluster_id,
        UsageDayPack.namespace,
        UsageDayPack.workload_kind,
        UsageDayPack.workload,
        UsageDayPack.container,
        UsageDayPack.hours,
        UsageDayPack.data,
    ).where(UsageDayPack.day.in_(sorted(days)))
    if namespaces:
        stmt = stmt.where(UsageDayPack.namespace.in_(list(namespaces)))
    out: dict[UsageKey, list[np.ndarray]] = {}
    for cid, ns, kind, name, container, hours, data in session.connection().execute(stmt):
        key = (int(cid), str(ns), str(kind), str(name), str(container))
        out.setdefault(key, []).append(unpack(bytes(data), int(hours), TABLE_ROWS))
    return out


def current_days(session: Session, days: Sequence[date]) -> tuple[set[date], dict[date, int]]:
    """(the days whose packs are current, every day's version) among ``days``."""
    if not days:
        return set(), {}
    rows = session.execute(
        select(UsageDay.day, UsageDay.version, UsageDay.packed_version).where(
            UsageDay.day >= days[0], UsageDay.day <= days[-1]
        )
    ).all()
    versions = {d: int(v) for d, v, _p in rows}
    return {d for d, v, p in rows if p is not None and p == v}, versions


def load_hourly_columns(
    session: Session,
    start: datetime,
    end: datetime,
    namespaces: Collection[str] | None = None,
    *,
    plan: list[PackPlan] | None = None,
    stats: LoadStats | None = None,
) -> dict[UsageKey, HourlyColumns]:
    """Every container's hours in ``[start, end)``, percentiles repaired to be ordered.

    With ``plan`` (a list to append to) and no namespace filter, the full days read as
    rows are also cut into packs for ``packs.store_packs`` to write later: the
    caller decides when to write, so reading never needs a write transaction.
    """
    days = full_days(start, end)
    # Versions first, rows after: a pack built from these rows is labelled with a
    # version no newer than the rows, so a write in between can only make it stale.
    packed, versions = current_days(session, days)
    pieces: dict[UsageKey, list[np.ndarray]] = _packed_tables(session, packed, namespaces)
    ranges = uncovered_ranges(start, end, packed)
    tables, fetched = _fetch_tables(session, ranges, namespaces)
    if plan is not None and not namespaces:
        keep_from = pack_horizon(end)
        stale = {d: v for d, v in versions.items() if d not in packed and d >= keep_from}
        if stale:
            plan.append(plan_packs(tables, stale, TABLE_ROWS, keep_from))
    for key, table in tables.items():
        pieces.setdefault(key, []).append(table)
    if stats is not None:
        stats.packed_days += len(packed)
        stats.packs += sum(len(p) for p in pieces.values()) - len(tables)
        stats.rows += fetched
    out: dict[UsageKey, HourlyColumns] = {}
    for key, parts in pieces.items():
        if len(parts) == 1:
            table = parts[0]  # sorted by ``_fetch_tables`` or packed sorted
        else:  # row ranges may lie on both sides of a packed day: sort the whole
            table = np.concatenate(parts, axis=1)
            table = table[:, np.argsort(table[0], kind="stable")]
        out[key] = HourlyColumns(*table).monotone()
    return out
