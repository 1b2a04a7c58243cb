from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from app.allocation.compute import Capacity, ContainerHours, allocate_cluster_day
from tests.unit.allocation.factories import flat_capacity, steady_rows


def test_known_answer_one_node_one_container() -> None:
    # Node: 4 cores, 16 GiB, $1/h. Ratio 3 → 28 units/h. Container allocates
    # max(1, 0.5) = 1 core (3 units) and max(2, 4) = 4 GiB (4 units) every hour.
    rows = steady_rows(1, cpu_request=1, cpu_usage=0.5, mem_request_gib=2, mem_usage_gib=4)
    res = allocate_cluster_day(1, rows, flat_capacity(4, 16, 1.0), Decimal("24"), 3.0)
    assert res.cpu_core_hours[0] == pytest.approx(24)
    assert res.ram_gib_hours[0] == pytest.approx(96)
    assert res.cpu_usage_core_hours[0] == pytest.approx(12)
    assert res.ram_request_gib_hours[0] == pytest.approx(48)
    assert res.cpu_cost[0] == Decimal("2.571429")  # 24 × 3/28
    assert res.ram_cost[0] == Decimal("3.428571")  # 24 × 4/28
    assert res.idle_cpu_cost == Decimal("7.714286")  # 24 × 9/28
    assert res.idle_ram_cost == Decimal("10.285714")  # 24 × 12/28
    assert res.total() == Decimal("24")


def test_overcommitted_hours_have_no_idle_and_no_negative_money() -> None:
    rows = steady_rows(2, cpu_request=2, cpu_usage=1, mem_request_gib=2, mem_usage_gib=1)
    res = allocate_cluster_day(2, rows, flat_capacity(1, 1, 0.5), Decimal("12"), 1.0)
    assert res.idle_cpu_cost == 0 and res.idle_ram_cost == 0
    assert res.cpu_cost == [Decimal(3), Decimal(3)]
    assert res.total() == Decimal(12)


def test_cost_follows_the_hourly_price_profile() -> None:
    # Nodes only in hour 0..11 at $2/h; a container runs only hours 12..23: all idle.
    cap = Capacity(
        cores=np.r_[np.full(12, 4.0), np.zeros(12)],
        gib=np.r_[np.full(12, 16.0), np.zeros(12)],
        price=np.r_[np.full(12, 2.0), np.zeros(12)],
    )
    rows = ContainerHours(
        container=np.zeros(12, dtype=np.int64),
        hour=np.arange(12, 24, dtype=np.int64),
        pod_hours=np.ones(12),
        cpu_request=np.ones(12),
        cpu_usage=np.ones(12),
        memory_request=np.full(12, 2.0**30),
        memory_usage=np.full(12, 2.0**30),
    )
    res = allocate_cluster_day(1, rows, cap, Decimal("24"), 3.0)
    assert res.cpu_cost[0] + res.ram_cost[0] == 0
    assert res.idle_cpu_cost + res.idle_ram_cost == Decimal(24)


def test_no_capacity_known_splits_over_allocations_only() -> None:
    rows = steady_rows(2, cpu_request=1, cpu_usage=0, mem_request_gib=0, mem_usage_gib=0)
    res = allocate_cluster_day(2, rows, Capacity(), Decimal("10"), 3.0)
    assert res.cpu_cost == [Decimal(5), Decimal(5)]
    assert res.idle_cpu_cost + res.idle_ram_cost == 0


def test_nothing_running_and_nothing_known_is_all_idle() -> None:
    res = allocate_cluster_day(0, ContainerHours.empty(), Capacity(), Decimal("7.5"), 3.0)
    assert res.idle_cpu_cost + res.idle_ram_cost == Decimal("7.5")


@pytest.mark.parametrize("field", ["pod_hours", "cpu_usage", "memory_request"])
@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_bad_usage_figures_are_refused(field: str, bad: float) -> None:
    rows = steady_rows(1, cpu_request=1, cpu_usage=1, mem_request_gib=1, mem_usage_gib=1)
    values = {k: getattr(rows, k).copy() for k in vars(rows)}
    values[field][3] = bad
    with pytest.raises(ValueError, match="finite"):
        ContainerHours(**values)


def test_bad_ratio_and_indexes_are_refused() -> None:
    rows = steady_rows(1, cpu_request=1, cpu_usage=1, mem_request_gib=1, mem_usage_gib=1)
    with pytest.raises(ValueError, match="ratio"):
        allocate_cluster_day(1, rows, Capacity(), Decimal(1), 0)
    with pytest.raises(ValueError, match="out of range"):
        allocate_cluster_day(0, rows, Capacity(), Decimal(1), 3)
    with pytest.raises(ValueError, match=r"0\.\.23"):
        ContainerHours(
            container=np.zeros(1, dtype=np.int64),
            hour=np.array([24]),
            pod_hours=np.ones(1),
            cpu_request=np.ones(1),
            cpu_usage=np.ones(1),
            memory_request=np.ones(1),
            memory_usage=np.ones(1),
        )
