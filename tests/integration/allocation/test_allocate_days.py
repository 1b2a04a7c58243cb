"""allocate_days on both databases: known answers, idempotence, estimates, spec history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.allocation.errors import InputDataError, ParameterError
from app.allocation.models import AllocationDay, AllocationExternal, AllocationRow
from app.allocation.store import allocate_days, allocate_recent
from app.settings import Settings
from tests.integration.allocation.scenario import DAY, T_DAY, ingest, known_day, workload

SETTINGS = Settings()


def near(got: Decimal, want: str, micros: int = 1) -> bool:
    """Exact splits hand out the last micro-dollars by largest remainder."""
    return abs(got - Decimal(want)) <= Decimal(micros) / 10**6


def rows(sessions: sessionmaker[Session]) -> dict[str, AllocationRow]:
    with sessions() as s:
        return {r.workload: r for r in s.scalars(select(AllocationRow))}


def test_known_day_is_allocated_to_the_cent(sessions: sessionmaker[Session]) -> None:
    ingest(sessions, *known_day())
    summary = allocate_days(sessions, SETTINGS, DAY, DAY)
    assert summary.days == 1 and summary.statuses == {"reconciled": 1}
    r = rows(sessions)
    # Ratio 3: node = 3·4 + 16 = 28 units/h at $1/h. gateway-api: 1 core, 4 GiB.
    gw = r["gateway-api"]
    assert near(gw.cpu_cost, "2.571429") and near(gw.ram_cost, "3.428571")
    assert gw.cpu_core_hours == pytest.approx(24) and gw.cpu_usage_core_hours == pytest.approx(12)
    dns = r["kube-dns"]  # 0.5 core (1.5 units) + 1 GiB (1 unit) per hour
    assert near(dns.cpu_cost + dns.ram_cost, "2.142857", micros=2)
    idle = r["__idle__"]
    assert near(idle.cpu_cost + idle.ram_cost, "15.857143", micros=2)
    assert sum(x.cpu_cost + x.ram_cost for x in r.values()) == Decimal(24)
    with sessions() as s:
        day = s.scalars(select(AllocationDay)).one()
        assert day.bill_total == Decimal("104.000000")  # example bill with $24 of nodes
        assert day.workloads + day.idle + day.overhead + day.external + day.unallocated == (
            day.bill_total
        )
        ext = {
            (e.value, e.aws_service): e.amount
            for e in s.scalars(
                select(AllocationExternal).where(AllocationExternal.dimension == "service")
            )
        }
        assert ext[("reservation-api", "Amazon Relational Database Service")] == Decimal(30)


def test_recomputing_a_day_replaces_it(sessions: sessionmaker[Session]) -> None:
    ingest(sessions, *known_day())
    allocate_days(sessions, SETTINGS, DAY, DAY)
    before = {k: (v.cpu_cost, v.ram_cost) for k, v in rows(sessions).items()}
    allocate_days(sessions, SETTINGS, DAY, DAY)
    assert {k: (v.cpu_cost, v.ram_cost) for k, v in rows(sessions).items()} == before
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AllocationDay)) == 1
        # gateway-api, kube-dns, the cluster's idle and its EKS fee (overhead)
        assert s.scalar(select(func.count()).select_from(AllocationRow)) == 4


def test_without_a_bill_node_prices_give_an_estimate(sessions: sessionmaker[Session]) -> None:
    ingest(sessions, *known_day(with_bill=False))
    summary = allocate_days(sessions, SETTINGS, DAY, DAY)
    assert summary.statuses == {"no_bill": 1}
    with sessions() as s:
        day = s.scalars(select(AllocationDay)).one()
        assert day.bill_total is None and day.cost_source == "node_prices"
        assert day.workloads + day.idle == Decimal(24)
        assert any("estimate" in n for n in day.notes)


def test_an_hour_is_charged_at_the_request_in_force(sessions: sessionmaker[Session]) -> None:
    batch, window = known_day()
    ingest(sessions, batch, window)
    # At noon gateway-api's CPU request went from 1 to 2 cores.
    noon = T_DAY + timedelta(hours=12)
    changed = batch.__class__(workloads=[workload("gateway-api", noon, "2", 2)])
    ingest(sessions, changed, window)
    allocate_days(sessions, SETTINGS, DAY, DAY)
    gw = rows(sessions)["gateway-api"]
    assert gw.cpu_request_core_hours == pytest.approx(12 * 1 + 12 * 2)
    assert gw.cpu_core_hours == pytest.approx(36)


def test_bad_ranges_are_refused_without_writing(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ParameterError, match="before the first"):
        allocate_days(sessions, SETTINGS, DAY, DAY - timedelta(days=1))
    with pytest.raises(ParameterError, match="metric"):
        allocate_days(sessions, SETTINGS, DAY, DAY, metric="BlendedCost")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AllocationDay)) == 0


def test_bad_stored_usage_stops_at_that_day_and_keeps_the_others(
    sessions: sessionmaker[Session],
) -> None:
    ingest(sessions, *known_day())
    nxt = DAY + timedelta(days=1)
    batch, window = known_day(nxt)
    batch.usage[5] = replace(batch.usage[5], cpu_avg=-1.0)  # a broken exporter
    ingest(sessions, batch, window)
    with pytest.raises(InputDataError, match=f"{nxt}: cannot allocate.*finite and >= 0"):
        allocate_days(sessions, SETTINGS, DAY, nxt)
    with sessions() as s:
        assert [d.day for d in s.scalars(select(AllocationDay))] == [DAY]


def test_the_scheduled_job_covers_the_days_cost_explorer_may_revise(
    sessions: sessionmaker[Session],
) -> None:
    ingest(sessions, *known_day())
    now = T_DAY + timedelta(days=2, hours=5)
    summary = allocate_recent(sessions, SETTINGS, now)
    # refetch_days (3) + 1 days before today, and today
    assert summary.first_day == DAY - timedelta(days=2) and summary.last_day == DAY + timedelta(
        days=2
    )
    assert summary.days == 5 and summary.statuses["reconciled"] == 1
