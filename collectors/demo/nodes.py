"""The node fleet, hour by hour: fixed on-demand groups plus a spot group that follows demand.

The spot group behaves like Cluster Autoscaler: each hour it holds enough nodes for the
pods' requests (with some bin-packing slack), keeps an idle node one extra hour before
removing it, removes the newest node first, and loses a spot node to an interruption
now and then (replaced the same hour under a new name). Node lifetimes are whole hours,
which is what lets the EC2 bill be the exact sum of node-hours × hourly price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from collectors.demo.errors import DemoError
from collectors.demo.models import NodeGroup
from collectors.demo.topology import ALLOCATABLE_FRACTION, ZONES
from collectors.records import NodeRecord

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BIN_PACKING_SLACK = 1.15
SPOT_INTERRUPTION_PER_HOUR = 0.004
GIB = 1024**3


@dataclass(frozen=True)
class NodeLife:
    """One node from its first hour to ``end_hour`` (exclusive), in hours of the span."""

    group: NodeGroup
    name: str
    zone: str
    first_hour: int
    end_hour: int

    def hours_in(self, first: int, stop: int) -> int:
        return max(0, min(stop, self.end_hour) - max(first, self.first_hour))

    def record(self, cluster: str, start: datetime) -> NodeRecord:
        """The node with its whole simulated lifetime (so any split of windows agrees)."""
        g = self.group
        return NodeRecord(
            cluster=cluster,
            name=self.name,
            instance_type=g.instance_type,
            capacity_type=g.capacity_type,
            zone=self.zone,
            cpu_cores=Decimal(g.cpu_cores),
            memory_bytes=Decimal(g.memory_gib * GIB),
            hourly_price=g.hourly_price,
            created_at=start + timedelta(hours=self.first_hour),
            observed_at=start + timedelta(hours=self.end_hour),
        )


class _Names:
    """Unique EC2-style private DNS names, one /19 subnet per zone."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def new(self, zone_index: int) -> str:
        for _ in range(1000):
            third = 32 * zone_index + int(self._rng.integers(0, 32))
            fourth = int(self._rng.integers(4, 255))
            name = f"ip-10-0-{third}-{fourth}.ec2.internal"
            if name not in self._used:
                self._used.add(name)
                return name
        raise DemoError(f"no free node address left in zone {ZONES[zone_index]}")


def spot_nodes_needed(
    group: NodeGroup,
    fixed: tuple[NodeGroup, ...],
    cpu_requested: FloatArray,
    memory_requested_gib: FloatArray,
    daemon_cpu: float,
    daemon_memory_gib: float,
) -> IntArray:
    """Nodes of the scaling ``group`` per hour so that requests fit next to the fixed groups."""

    def allocatable(g: NodeGroup) -> tuple[float, float]:
        return (
            g.cpu_cores * ALLOCATABLE_FRACTION - daemon_cpu,
            g.memory_gib * ALLOCATABLE_FRACTION - daemon_memory_gib,
        )

    fixed_cpu = sum(allocatable(g)[0] * g.min_nodes for g in fixed)
    fixed_mem = sum(allocatable(g)[1] * g.min_nodes for g in fixed)
    per_cpu, per_mem = allocatable(group)
    need_cpu = np.ceil(np.maximum(0.0, cpu_requested * BIN_PACKING_SLACK - fixed_cpu) / per_cpu)
    need_mem = np.ceil(
        np.maximum(0.0, memory_requested_gib * BIN_PACKING_SLACK - fixed_mem) / per_mem
    )
    need = np.clip(np.maximum(need_cpu, need_mem), group.min_nodes, group.max_nodes)
    held = np.maximum(need, np.concatenate([need[:1], need[:-1]]))  # scale-down delay
    return np.asarray(held, dtype=np.int64)


def _least_used_zone(alive: list[NodeLife]) -> int:
    used = [sum(1 for n in alive if n.zone == z) for z in ZONES]
    return used.index(min(used))


def fleet(
    groups: tuple[NodeGroup, ...],
    spot_count: IntArray,
    rng: np.random.Generator,
) -> list[NodeLife]:
    """Every node of the span. ``spot_count`` is the per-hour size of the one scaling group."""
    hours = int(spot_count.size)
    names = _Names(rng)
    out: list[NodeLife] = []
    for g in groups:
        if not g.scales:
            for i in range(g.min_nodes):
                z = i % len(ZONES)
                out.append(NodeLife(g, names.new(z), ZONES[z], 0, hours))
    scaling = [g for g in groups if g.scales]
    if len(scaling) != 1:
        raise DemoError("the demo expects exactly one scaling node group")
    group = scaling[0]
    alive: list[NodeLife] = []

    def launch(h: int) -> None:
        z = _least_used_zone(alive)
        alive.append(NodeLife(group, names.new(z), ZONES[z], h, hours))

    def retire(node: NodeLife, h: int) -> None:
        alive.remove(node)
        if h > node.first_hour:
            out.append(NodeLife(group, node.name, node.zone, node.first_hour, h))

    for h in range(hours):
        interrupted = [n for n in alive if rng.random() < SPOT_INTERRUPTION_PER_HOUR]
        for node in interrupted:
            retire(node, h)
        target = int(spot_count[h])
        while len(alive) < target:
            launch(h)
        while len(alive) > target:
            retire(alive[-1], h)
    out.extend(alive)
    return out


def nodes_per_hour(lives: list[NodeLife], hours: int) -> IntArray:
    count = np.zeros(hours + 1, dtype=np.int64)
    for n in lives:
        count[n.first_hour] += 1
        count[n.end_hour] -= 1
    return np.asarray(np.cumsum(count)[:hours], dtype=np.int64)


def daily_compute_cost(lives: list[NodeLife], day: int) -> Decimal:
    """Exact EC2 compute cost of day ``day`` of the span: node-hours × hourly price."""
    first, stop = day * 24, day * 24 + 24
    return sum((n.group.hourly_price * n.hours_in(first, stop) for n in lives), Decimal(0))


def capacity(lives: list[NodeLife], hours: int) -> tuple[FloatArray, FloatArray]:
    """Allocatable CPU cores and memory GiB per hour (before DaemonSets)."""
    cpu = np.zeros(hours)
    mem = np.zeros(hours)
    for n in lives:
        cpu[n.first_hour : n.end_hour] += n.group.cpu_cores * ALLOCATABLE_FRACTION
        mem[n.first_hour : n.end_hour] += n.group.memory_gib * ALLOCATABLE_FRACTION
    return cpu, mem
