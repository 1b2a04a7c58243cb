"""Read stored allocation for a window: summed in SQL, handed to the pure aggregation.

Money is summed as integer micro-dollars (``ROUND(amount * 1e6)`` cast to BIGINT):
exact on PostgreSQL (NUMERIC) and on SQLite, where ``Money`` is stored as text and a
plain ``SUM`` would add floats.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.allocation.aggregate import Line, WorkloadMeta
from app.allocation.models import AllocationDay, AllocationExternal, AllocationRow
from app.allocation.money import from_micros
from app.allocation.window import DayWindow
from app.db.models import Cluster, Workload

_FLOATS = (
    "cpu_core_hours",
    "cpu_request_core_hours",
    "cpu_usage_core_hours",
    "ram_gib_hours",
    "ram_request_gib_hours",
    "ram_usage_gib_hours",
)
_MONEY = ("cpu_cost", "ram_cost", "other_cost")


def micros_sum(col: InstrumentedAttribute[Decimal]) -> Any:
    scaled = func.round(type_coerce(col, Numeric()) * literal_column("1000000"))
    return func.coalesce(func.sum(cast(scaled, BigInteger)), 0)


def load_lines(
    session: Session,
    window: DayWindow,
    metric: str,
    *,
    by_container: bool,
    by_day: bool,
) -> list[tuple[date | None, Line]]:
    """In-cluster rows summed per workload (or container), per day if asked."""
    r = AllocationRow
    keys: list[Any] = [r.cluster, r.category, r.namespace, r.kind, r.workload]
    if by_container:
        keys.append(r.container)
    if by_day:
        keys.append(r.day)
    sums = [func.sum(getattr(r, f)) for f in _FLOATS] + [micros_sum(getattr(r, m)) for m in _MONEY]
    stmt = (
        select(*keys, *sums)
        .where(r.metric == metric, r.day >= window.start, r.day < window.end)
        .group_by(*keys)
    )
    out: list[tuple[date | None, Line]] = []
    n = len(keys)
    for row in session.execute(stmt):
        line = Line(
            cluster=row[0],
            category=row[1],
            namespace=row[2],
            kind=row[3],
            workload=row[4],
            container=row[5] if by_container else "",
        )
        for i, f in enumerate(_FLOATS):
            setattr(line, f, float(row[n + i] or 0.0))
        for i, m in enumerate(_MONEY):
            setattr(line, m, from_micros(int(row[n + len(_FLOATS) + i])))
        out.append((row[n - 1] if by_day else None, line))
    return out


def load_external(
    session: Session, window: DayWindow, metric: str, dimension: str, *, by_day: bool
) -> list[tuple[date | None, str, str, Decimal]]:
    """(day or None, tag value, AWS service, amount) of one dimension's out-of-cluster rows."""
    e = AllocationExternal
    keys: list[Any] = [e.value, e.aws_service] + ([e.day] if by_day else [])
    stmt = (
        select(*keys, micros_sum(e.amount))
        .where(
            e.metric == metric,
            e.dimension == dimension,
            e.day >= window.start,
            e.day < window.end,
        )
        .group_by(*keys)
    )
    return [
        (row[2] if by_day else None, row[0], row[1], from_micros(int(row[-1])))
        for row in session.execute(stmt)
    ]


def load_days(session: Session, window: DayWindow, metric: str) -> list[AllocationDay]:
    return list(
        session.scalars(
            select(AllocationDay)
            .where(
                AllocationDay.metric == metric,
                AllocationDay.day >= window.start,
                AllocationDay.day < window.end,
            )
            .order_by(AllocationDay.day)
        )
    )


def load_meta(session: Session) -> dict[tuple[str, str, str, str], WorkloadMeta]:
    """Labels and resolved cost tags of every workload, by (cluster, namespace, kind, name)."""
    stmt = select(
        Cluster.name,
        Workload.namespace,
        Workload.kind,
        Workload.name,
        Workload.labels,
        Workload.cost_tags,
    ).join(Cluster, Cluster.id == Workload.cluster_id)
    out: dict[tuple[str, str, str, str], WorkloadMeta] = {}
    for cluster, ns, kind, name, labels, tags in session.execute(stmt):
        out[(cluster, ns, kind, name)] = WorkloadMeta(dict(labels or {}), dict(tags or {}))
    return out


def group_by_step(
    items: list[tuple[date | None, Any]], steps: list[DayWindow]
) -> dict[int, list[Any]]:
    """Assign rows carrying a day to the step containing it (no day: the only step)."""
    index = {d: i for i, s in enumerate(steps) for d in s.each_day()}
    out: dict[int, list[Any]] = defaultdict(list)
    for day, item in items:
        out[0 if day is None else index[day]].append(item)
    return out


def data_version(session: Session, window: DayWindow, metric: str) -> tuple[object, ...]:
    """What an answer for ``window`` was built from: stored days and the inventory."""
    d = AllocationDay
    in_window = (d.metric == metric, d.day >= window.start, d.day < window.end)
    row = session.execute(
        select(
            select(func.count()).select_from(d).where(*in_window).scalar_subquery(),
            select(func.max(d.computed_at)).where(*in_window).scalar_subquery(),
            select(func.count()).select_from(Workload).scalar_subquery(),
            select(func.max(Workload.last_seen)).scalar_subquery(),
        )
    ).one()
    return tuple(row)
