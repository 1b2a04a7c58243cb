"""One cluster's compute cost for one day, split per container and idle.

The OpenCost rule, per container-hour: allocated CPU = max(request, usage) and
allocated memory = max(request, usage), both per pod, times the pod-hours.

The day's node cost (from the bill, else from node prices as an estimate) is spread
over the day's hours in proportion to the node-price estimate of each hour (more
nodes at the 30k RPS peak cost more), or evenly when no prices are known. Each
hour's cost is split into $/core-hour and $/GiB-hour by the CPU:memory price ratio
``r`` over the nodes' capacity: ``$/GiB-h = P / (r·cores + GiB)``, ``$/core-h = r·$/GiB-h``.
A container pays its allocated core-hours and GiB-hours at those prices; what the
capacity leaves unpaid is idle (CPU and memory parts). If allocation exceeds the
capacity (bursts above requests, or capacity unknown) the hour's cost is split over
the allocations alone and idle is zero: never negative.

Shares are floats; the money is split exactly (``money.distribute_micros``), so
containers + idle == node cost to the micro-dollar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from app.allocation.money import distribute_micros, from_micros, to_micros

GIB = float(2**30)
HOURS = 24
_EPS = 1e-9  # GiB-equivalent units: below this an hour holds nothing worth pricing
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class ContainerHours:
    """Usage rows of one cluster and day; ``container`` indexes the caller's key list.

    Per-pod figures: requests and average usage in cores and bytes (request 0 = not
    set); ``pod_hours`` is what the hour is charged for.
    """

    container: IntArray
    hour: IntArray
    pod_hours: FloatArray
    cpu_request: FloatArray
    cpu_usage: FloatArray
    memory_request: FloatArray
    memory_usage: FloatArray

    @classmethod
    def empty(cls) -> ContainerHours:
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), z, z, z, z, z)

    def __post_init__(self) -> None:
        n = len(self.container)
        arrays = (
            self.hour,
            self.pod_hours,
            self.cpu_request,
            self.cpu_usage,
            self.memory_request,
            self.memory_usage,
        )
        if any(len(a) != n for a in arrays):
            raise ValueError("container-hour arrays must have the same length")
        if n and (self.hour.min() < 0 or self.hour.max() >= HOURS):
            raise ValueError("hour indexes must be 0..23")
        for a in arrays[1:]:
            if n and (not np.isfinite(a).all() or (a < 0).any()):
                raise ValueError("usage, requests and pod-hours must be finite and >= 0")


@dataclass
class Capacity:
    """Per hour of the day: node cores, node GiB, and the nodes' summed hourly price."""

    cores: FloatArray = field(default_factory=lambda: np.zeros(HOURS))
    gib: FloatArray = field(default_factory=lambda: np.zeros(HOURS))
    price: FloatArray = field(default_factory=lambda: np.zeros(HOURS))

    def estimate(self) -> Decimal:
        return Decimal(str(round(float(self.price.sum()), 6)))


@dataclass
class ClusterDayCost:
    """Per container (by index): allocated, requested and used quantities, and costs."""

    cpu_core_hours: FloatArray
    cpu_request_core_hours: FloatArray
    cpu_usage_core_hours: FloatArray
    ram_gib_hours: FloatArray
    ram_request_gib_hours: FloatArray
    ram_usage_gib_hours: FloatArray
    cpu_cost: list[Decimal]
    ram_cost: list[Decimal]
    idle_cpu_cost: Decimal
    idle_ram_cost: Decimal
    node_cost: Decimal

    def total(self) -> Decimal:
        return (
            sum(self.cpu_cost, Decimal(0))
            + sum(self.ram_cost, Decimal(0))
            + (self.idle_cpu_cost + self.idle_ram_cost)
        )


def _hour_weights(capacity: Capacity) -> FloatArray:
    p = np.nan_to_num(capacity.price, nan=0.0)
    if p.sum() > 0:
        return np.asarray(p / p.sum(), dtype=np.float64)
    return np.full(HOURS, 1.0 / HOURS)


def allocate_cluster_day(
    n_containers: int,
    rows: ContainerHours,
    capacity: Capacity,
    node_cost: Decimal,
    ratio: float,
) -> ClusterDayCost:
    """Split ``node_cost`` over ``n_containers`` containers and idle (see module doc)."""
    if ratio <= 0 or not np.isfinite(ratio):
        raise ValueError("the CPU:memory price ratio must be a positive number")
    idx, hr = rows.container, rows.hour
    if len(idx) and (idx.min() < 0 or idx.max() >= n_containers):
        raise ValueError("container index out of range")
    ph = rows.pod_hours
    cpu_alloc = np.maximum(rows.cpu_request, rows.cpu_usage) * ph
    ram_alloc = np.maximum(rows.memory_request, rows.memory_usage) * ph / GIB

    def per_container(v: FloatArray) -> FloatArray:
        return np.bincount(idx, weights=v, minlength=n_containers).astype(np.float64)

    def per_hour(v: FloatArray) -> FloatArray:
        return np.bincount(hr, weights=v, minlength=HOURS).astype(np.float64)

    price_h = _hour_weights(capacity)  # share of the day's cost in each hour
    acpu_h, aram_h = per_hour(cpu_alloc), per_hour(ram_alloc)
    used_h = ratio * acpu_h + aram_h
    cap_h = ratio * capacity.cores + capacity.gib
    denom_h = np.maximum(cap_h, used_h)
    live = denom_h > _EPS  # an hour with (next to) nothing allocated or known is all idle
    safe = np.where(live, denom_h, 1.0)
    unit_h = np.where(live, price_h / safe, 0.0)  # share of the day per GiB-equivalent
    cpu_w = per_container(ratio * cpu_alloc * unit_h[hr])
    ram_w = per_container(ram_alloc * unit_h[hr])
    idle_units = denom_h - used_h
    idle_cpu_u = ratio * np.maximum(capacity.cores - acpu_h, 0.0)
    idle_ram_u = np.maximum(capacity.gib - aram_h, 0.0)
    both = idle_cpu_u + idle_ram_u
    frac_cpu = np.where(both > 0, idle_cpu_u / np.where(both > 0, both, 1.0), ratio / (ratio + 1))
    idle_share = np.where(live, idle_units * unit_h, price_h)
    idle_cpu_w = float((idle_share * frac_cpu).sum())
    idle_ram_w = float((idle_share * (1 - frac_cpu)).sum())

    weights = np.concatenate([cpu_w, ram_w, [idle_cpu_w, idle_ram_w]])
    total = to_micros(node_cost)
    if total == 0:
        micros = np.zeros(weights.size, dtype=np.int64)
    elif weights.sum() > 0:
        micros = distribute_micros(total, weights)
    else:  # defensive: no hour had weight; the whole cost is idle
        micros = distribute_micros(total, np.r_[np.zeros(2 * n_containers), ratio, 1.0])
    dollars = [from_micros(int(m)) for m in micros]
    return ClusterDayCost(
        cpu_core_hours=per_container(cpu_alloc),
        cpu_request_core_hours=per_container(rows.cpu_request * ph),
        cpu_usage_core_hours=per_container(rows.cpu_usage * ph),
        ram_gib_hours=per_container(ram_alloc),
        ram_request_gib_hours=per_container(rows.memory_request * ph / GIB),
        ram_usage_gib_hours=per_container(rows.memory_usage * ph / GIB),
        cpu_cost=dollars[:n_containers],
        ram_cost=dollars[n_containers : 2 * n_containers],
        idle_cpu_cost=dollars[-2],
        idle_ram_cost=dollars[-1],
        node_cost=from_micros(total),
    )
