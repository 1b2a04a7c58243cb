"""Run allocation for days and store it: the function the scheduler and the CLI call.

Each day is one transaction: its previous rows (for the metric) are deleted and
the new ones inserted, so recomputing a day replaces it and a failure leaves the
day as it was. Days are independent, so a long range commits as it goes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session, sessionmaker

from app import data_generation
from app.allocation.daily import DayAllocation, allocate_day
from app.allocation.errors import InputDataError, ParameterError
from app.allocation.loading import load_bill_lines, load_cluster_inputs
from app.allocation.models import AllocationDay, AllocationExternal, AllocationRow
from app.settings import Settings

log = logging.getLogger(__name__)
MAX_DAYS_PER_RUN = 3660
METRICS = ("AmortizedCost", "UnblendedCost")


@dataclass
class AllocationSummary:
    """What one ``allocate_days`` call did."""

    first_day: date
    last_day: date
    metric: str
    days: int = 0
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def describe(self) -> str:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        return (
            f"allocated {self.days} day(s) {self.first_day}..{self.last_day} ({self.metric}): "
            f"{self.rows} rows, {parts or 'nothing'} in {self.seconds:.2f}s"
        )


def compute_day(session: Session, settings: Settings, day: date, metric: str) -> DayAllocation:
    """Load one day's inputs and allocate it (no writes)."""
    return allocate_day(
        day,
        metric,
        load_bill_lines(session, day, metric),
        load_cluster_inputs(session, day),
        cluster_tag_key=settings.aws.cluster_tag_key,
        dimensions={name: t.aws_tag for name, t in settings.cost_tags.items()},
        ratio=settings.pricing.cpu_to_memory_cost_ratio,
    )


def _item_rows(a: DayAllocation) -> list[dict[str, Any]]:
    return [
        {
            "day": a.day,
            "metric": a.metric,
            "cluster": i.cluster,
            "category": i.category,
            "namespace": i.namespace,
            "kind": i.kind,
            "workload": i.workload,
            "container": i.container,
            "aws_service": i.aws_service,
            "cpu_core_hours": i.cpu_core_hours,
            "cpu_request_core_hours": i.cpu_request_core_hours,
            "cpu_usage_core_hours": i.cpu_usage_core_hours,
            "ram_gib_hours": i.ram_gib_hours,
            "ram_request_gib_hours": i.ram_request_gib_hours,
            "ram_usage_gib_hours": i.ram_usage_gib_hours,
            "cpu_cost": i.cpu_cost,
            "ram_cost": i.ram_cost,
            "other_cost": i.other_cost,
        }
        for i in a.items
    ]


def store_day(session: Session, a: DayAllocation) -> int:
    """Replace the stored allocation of ``a.day`` for ``a.metric``; return rows written."""
    for model in (AllocationRow, AllocationExternal, AllocationDay):
        session.execute(delete(model).where(model.day == a.day, model.metric == a.metric))
    session.add(
        AllocationDay(
            day=a.day,
            metric=a.metric,
            status=a.status,
            cost_source=a.cost_source,
            bill_total=a.bill_total,
            workloads=a.part("workload"),
            idle=a.part("idle"),
            overhead=a.part("overhead"),
            external=a.external_total("service", unallocated=False),
            unallocated=a.external_total("service", unallocated=True),
            notes=a.notes,
            computed_at=datetime.now(UTC),
        )
    )
    rows = _item_rows(a)
    if rows:
        session.execute(insert(AllocationRow), rows)
    ext = [
        {
            "day": a.day,
            "metric": a.metric,
            "dimension": e.dimension,
            "value": e.value,
            "aws_service": e.aws_service,
            "amount": e.amount,
        }
        for e in a.external
    ]
    if ext:
        session.execute(insert(AllocationExternal), ext)
    return len(rows) + len(ext) + 1


def allocate_days(
    sessions: sessionmaker[Session],
    settings: Settings,
    first_day: date,
    last_day: date,
    metric: str | None = None,
) -> AllocationSummary:
    """Allocate and store every day of ``first_day..last_day`` (inclusive); idempotent."""
    metric = metric or settings.aws.cost_metric
    if metric not in METRICS:
        raise ParameterError("metric", f"{metric!r} is not one of {', '.join(METRICS)}")
    if last_day < first_day:
        raise ParameterError("to", f"the last day {last_day} is before the first {first_day}")
    n = (last_day - first_day).days + 1
    if n > MAX_DAYS_PER_RUN:
        raise ParameterError("to", f"{n} days requested; at most {MAX_DAYS_PER_RUN} per run")
    summary = AllocationSummary(first_day, last_day, metric)
    t0 = time.perf_counter()
    for i in range(n):
        day = first_day + timedelta(days=i)
        with sessions() as session, session.begin():
            try:
                result = compute_day(session, settings, day, metric)
            except ValueError as exc:  # stored inputs the arithmetic refuses (e.g. negative usage)
                raise InputDataError(
                    f"{day}: cannot allocate: {exc}; days before it are stored, "
                    "this day and later ones are unchanged"
                ) from exc
            summary.rows += store_day(session, result)
        data_generation.bump()  # after the commit: caches see the new day at once
        summary.days += 1
        summary.statuses[result.status] += 1
    summary.seconds = time.perf_counter() - t0
    log.info(summary.describe())
    return summary


def allocate_recent(
    sessions: sessionmaker[Session], settings: Settings, now: datetime
) -> AllocationSummary:
    """The scheduled job: today and the days Cost Explorer may still revise."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=settings.aws.refetch_days + 1)
    return allocate_days(sessions, settings, first, today)
