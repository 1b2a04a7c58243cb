"""Read model for spend: daily amounts per group, for the finance pages.

Two sources, one shape (``SpendTable``):

* the **allocation** tables written by the allocation job (``app.allocation``), read
  through its ``build_report``: cluster compute split over workloads, ``__idle__``,
  ``__shared__`` and ``__unallocated__``, for any grouping (namespace, cost tags,
  ``label:X``). Used whenever a day of the window has been allocated.
* the stored **bill** (``cost_lines``) otherwise, and for ``aws_service``: the lines
  grouped by a cost tag's AWS tag key add up to the whole bill, untagged spend being
  ``__unallocated__``. Groupings that only exist inside the cluster (namespace,
  labels) are then empty, and the page says allocation has not run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.allocation.errors import ParameterError
from app.allocation.models import AllocationDay
from app.allocation.options import parse_options
from app.allocation.report import build_report
from app.allocation.window import DayWindow, split_steps
from app.db.models import CostLineRow
from app.errors import InvalidParameterError
from app.settings import Settings

UNALLOCATED = "__unallocated__"
Step = int | str  # days, "week" or "month" (as app.allocation.window.split_steps)
ZERO = Decimal(0)


@dataclass
class SpendTable:
    """Amounts per group and day over ``days`` (every day present, zeros filled)."""

    group_by: str
    days: list[date]
    series: dict[str, list[Decimal]] = field(default_factory=dict)  # largest total first
    estimated: bool = False
    source: str = "bill"  # allocation | bill | none
    idle: Decimal | None = None  # known from allocation only
    unallocated: Decimal | None = None
    bill_total: Decimal | None = None

    @property
    def totals(self) -> dict[str, Decimal]:
        return {k: sum(v, ZERO) for k, v in self.series.items()}

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    def daily_totals(self) -> list[Decimal]:
        return [sum((s[i] for s in self.series.values()), ZERO) for i in range(len(self.days))]


IN_CLUSTER = ("namespace", "cluster", "workload")
_LABEL = re.compile(r"^label:[A-Za-z0-9][-A-Za-z0-9_./]{0,252}$")


def group_by_options(settings: Settings) -> list[str]:
    return [*settings.cost_tags, *IN_CLUSTER, "aws_service"]


def check_group_by(settings: Settings, group_by: str) -> str:
    if group_by in group_by_options(settings) or _LABEL.match(group_by):
        return group_by
    valid = ", ".join([*group_by_options(settings), "label:KEY"])
    raise InvalidParameterError("group_by", f"unknown grouping {group_by!r}; use one of {valid}")


def _tag_key(settings: Settings, group_by: str) -> str | None:
    if group_by == "aws_service":
        return None
    return settings.cost_tags[group_by].aws_tag


def days_between(start: date, end: date) -> list[date]:
    """``start`` inclusive to ``end`` exclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def chart_step(days: int) -> Step:
    """Bars per day up to about six weeks, then per week, then per calendar month.

    Readable charts, and the cost of a window grows with its number of steps.
    """
    if days <= 45:
        return 1
    return "week" if days <= 200 else "month"


def step_name(step: Step) -> str:
    return "day" if step == 1 else str(step)


def _periods(start: date, end: date, step: Step) -> list[date]:
    return [w.start for w in split_steps(DayWindow(start, end), step)]


def spend_table(
    session: Session,
    settings: Settings,
    start: date,
    end: date,
    group_by: str,
    step: Step = 1,
) -> SpendTable:
    """Spend per group and period (``step``) for ``start`` ≤ day < ``end``.

    ``days`` of the result holds each period's first day.
    """
    if end <= start:
        raise InvalidParameterError("window", f"end {end} is not after start {start}")
    check_group_by(settings, group_by)
    if group_by != "aws_service" and _allocated(session, settings, start, end):
        return _from_allocation(session, settings, start, end, group_by, step)
    periods = _periods(start, end, step)
    if group_by not in settings.cost_tags and group_by != "aws_service":
        return SpendTable(group_by, periods, source="none")
    tag_key = _tag_key(settings, group_by)
    index = {}
    for w in split_steps(DayWindow(start, end), step):
        for d in w.each_day():
            index[d] = periods.index(w.start)
    series: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(periods))
    estimated = False
    for day, key, amount, est in _day_amounts(session, settings, start, end, tag_key):
        estimated = estimated or est
        series[key or UNALLOCATED][index[day]] += amount
    ordered = dict(sorted(series.items(), key=lambda kv: (-sum(kv[1], ZERO), kv[0])))
    return SpendTable(group_by, periods, ordered, estimated)


def _allocated(session: Session, settings: Settings, start: date, end: date) -> bool:
    day = session.scalar(
        select(AllocationDay.day)
        .where(
            AllocationDay.metric == settings.aws.cost_metric,
            AllocationDay.day >= start,
            AllocationDay.day < end,
        )
        .limit(1)
    )
    return day is not None


def _from_allocation(
    session: Session, settings: Settings, start: date, end: date, group_by: str, step: Step
) -> SpendTable:
    """Groups per period from the allocation report (one report step per period)."""
    try:
        opts = parse_options(settings, group_by, None, None)
    except ParameterError as exc:
        raise InvalidParameterError(exc.parameter, exc.detail) from exc
    tags = list(settings.cost_tags)
    metric = settings.aws.cost_metric
    if step == 1:  # one query, summed per day in SQL
        steps = build_report(session, DayWindow(start, end), 1, metric, opts, tags).steps
    else:
        # One whole-window report per week/month: each sums its rows in SQL, so the
        # cost follows the number of periods, not the number of days.
        steps = [
            build_report(session, w, None, metric, opts, tags).steps[0]
            for w in split_steps(DayWindow(start, end), step)
        ]
    days = _periods(start, end, step)
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(days))
    idle = unallocated = bill = ZERO
    estimated = False
    for part in steps:
        i = index[part.window.start]
        for g in part.groups:
            series[g.name][i] += g.total
        rec = part.reconciliation
        idle += rec.idle
        unallocated += rec.unallocated
        bill += rec.bill_total
        estimated = estimated or bool(rec.estimated_days)
    ordered = dict(sorted(series.items(), key=lambda kv: (-sum(kv[1], ZERO), kv[0])))
    return SpendTable(group_by, days, ordered, estimated, "allocation", idle, unallocated, bill)


def _day_amounts(
    session: Session, settings: Settings, start: date, end: date, tag_key: str | None
) -> list[tuple[date, str, Decimal, bool]]:
    """(day, key, amount, estimated) summed per day and key.

    PostgreSQL sums NUMERIC exactly in the database; SQLite stores money as text, so
    there the rows are summed in Python with Decimal (SQLite serves small installs).
    """
    key_col = CostLineRow.aws_service if tag_key is None else CostLineRow.tag_value
    cond = (
        CostLineRow.day >= start,
        CostLineRow.day < end,
        CostLineRow.metric == settings.aws.cost_metric,
        CostLineRow.tag_key == (tag_key or ""),
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = (
            select(
                CostLineRow.day,
                key_col,
                func.sum(CostLineRow.amount),
                func.bool_or(CostLineRow.estimated),
            )
            .where(*cond)
            .group_by(CostLineRow.day, key_col)
        )
        return [(d, k, Decimal(a), bool(e)) for d, k, a, e in session.execute(stmt)]
    sums: dict[tuple[date, str], Decimal] = defaultdict(lambda: ZERO)
    est: dict[tuple[date, str], bool] = defaultdict(bool)
    for d, k, a, e in session.execute(
        select(CostLineRow.day, key_col, CostLineRow.amount, CostLineRow.estimated).where(*cond)
    ):
        sums[(d, k)] += a
        est[(d, k)] = est[(d, k)] or bool(e)
    return [(d, k, a, est[(d, k)]) for (d, k), a in sums.items()]


def last_cost_day(session: Session, settings: Settings) -> date | None:
    day: date | None = session.scalar(
        select(func.max(CostLineRow.day)).where(CostLineRow.metric == settings.aws.cost_metric)
    )
    return day


OTHER = "other"
_KEEP = (UNALLOCATED, "__idle__", "__shared__")


def top_series(table: SpendTable, n: int) -> SpendTable:
    """The ``n`` largest groups, the rest summed as ``other``; special buckets kept apart.

    With hundreds of services a stacked chart is unreadable; the table below the
    chart still lists every group.
    """
    named = [k for k in table.series if k not in _KEEP]
    keep = named[:n]
    rest = named[n:]
    series = {k: table.series[k] for k in keep}
    if rest:
        series[OTHER] = [
            sum((table.series[k][i] for k in rest), ZERO) for i in range(len(table.days))
        ]
    for k in _KEEP:
        if k in table.series:
            series[k] = table.series[k]
    return SpendTable(table.group_by, table.days, series, table.estimated)


def known_groups(session: Session, dimension: str) -> dict[str, dict[str, str]]:
    """Values of ``dimension`` carried by workloads, with the other tags of the first one.

    Lets a page list every service (or team) even when it has no spend yet, so a
    missing cost tag shows as a zero instead of a silent gap.
    """
    from app.db.models import Workload

    out: dict[str, dict[str, str]] = {}
    for tags in session.scalars(select(Workload.cost_tags)):
        value = (tags or {}).get(dimension)
        if value and value not in out:
            out[value] = dict(tags)
    return out


def label_keys(session: Session, limit: int = 40) -> list[str]:
    """Pod-template label keys seen on workloads, for the ``label:KEY`` groupings."""
    from app.db.models import Workload

    keys: set[str] = set()
    for labels in session.scalars(select(Workload.labels)):
        keys.update((labels or {}).keys())
    return sorted(keys)[:limit]


def spend_totals(
    session: Session, settings: Settings, start: date, end: date, group_by: str
) -> dict[str, Decimal]:
    """Totals per group over the window: one step, so much cheaper than ``spend_table``."""
    check_group_by(settings, group_by)
    if group_by != "aws_service" and _allocated(session, settings, start, end):
        try:
            opts = parse_options(settings, group_by, None, None)
        except ParameterError as exc:
            raise InvalidParameterError(exc.parameter, exc.detail) from exc
        window = DayWindow(start, end)
        report = build_report(
            session, window, None, settings.aws.cost_metric, opts, list(settings.cost_tags)
        )
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for step in report.steps:
            for g in step.groups:
                out[g.name] += g.total
        return dict(out)
    return spend_table(session, settings, start, end, group_by).totals


def daily_totals(session: Session, settings: Settings, start: date, end: date) -> list[Decimal]:
    """The whole spend of each day (zeros where nothing is stored), from the day summaries.

    An allocated day's parts add up to its bill; days not allocated use the bill's
    per-service lines. Used for month-to-date and the forecast.
    """
    days = days_between(start, end)
    out = dict.fromkeys(days, ZERO)
    metric = settings.aws.cost_metric
    allocated = session.scalars(
        select(AllocationDay).where(
            AllocationDay.metric == metric, AllocationDay.day >= start, AllocationDay.day < end
        )
    ).all()
    for d in allocated:
        out[d.day] = d.workloads + d.idle + d.overhead + d.external + d.unallocated
    done = {d.day for d in allocated}
    for day, _key, amount, _est in _day_amounts(session, settings, start, end, None):
        if day not in done:
            out[day] += amount
    return [out[d] for d in days]
