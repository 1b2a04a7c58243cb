"""Run the whole demo span once: traffic → replicas → usage → nodes → DaemonSets → bill.

The order matters because each stage feeds the next: the node fleet is sized from the
pods' requests, and the DaemonSet runs one pod per node. Every stage draws from its own
random stream, seeded from ``(seed, stage name)``, so the result depends only on the
seed and the span, and changing one workload's model does not reshuffle the others.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from collectors.demo import costs, nodes, replicas, traffic, usage
from collectors.demo.models import MIB, WorkloadModel, pod_cpu_request, pod_memory_request
from collectors.demo.topology import NODE_GROUPS, WORKLOADS
from collectors.demo.traffic import STEPS_PER_HOUR, Timeline

#: Cost Explorer marks the most recent days as estimated until the month is finalized.
ESTIMATED_DAYS = 2


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


@dataclass(frozen=True)
class Simulation:
    timeline: Timeline
    rps: traffic.FloatArray  # per step
    replicas: dict[str, replicas.IntArray]  # workload name -> per step
    usage: list[usage.HourlyUsage]
    nodes: list[nodes.NodeLife]
    bill: dict[date, list[costs.BillItem]]  # whole days only

    def day(self, index: int) -> date:
        return (self.timeline.start + timedelta(days=index)).date()

    def estimated(self, day: date) -> bool:
        last = self.day(self.timeline.whole_days - 1)
        return (last - day).days < ESTIMATED_DAYS


def _load(model: WorkloadModel, rps: traffic.FloatArray) -> traffic.FloatArray:
    if model.load_kind == "constant":
        return np.zeros_like(rps)
    return rps * model.load_share


def _hourly_requests(
    model: WorkloadModel, reps: replicas.IntArray, whole_days: int
) -> tuple[traffic.FloatArray, traffic.FloatArray]:
    """Per-hour peak of requested CPU cores and memory GiB (the scheduler sees the peak)."""
    peak = reps.reshape(-1, STEPS_PER_HOUR).max(axis=1)
    cpu = np.zeros(peak.size)
    mem = np.zeros(peak.size)
    for first, containers in model.spec_versions(whole_days):
        cpu[first:] = pod_cpu_request(containers)
        mem[first:] = pod_memory_request(containers) * MIB / nodes.GIB
    return peak * cpu, peak * mem


def simulate(seed: int, end: datetime, days: int) -> Simulation:
    timeline = Timeline.ending_at(end, days)
    rps = traffic.platform_rps(timeline, stream(seed, "traffic"))

    reps: dict[str, replicas.IntArray] = {}
    hourly: list[usage.HourlyUsage] = []
    cpu_req = np.zeros(timeline.hours)
    mem_req = np.zeros(timeline.hours)
    daemons = [w for w in WORKLOADS if w.scaling.kind == "daemonset"]
    for w in WORKLOADS:
        if w.scaling.kind == "daemonset":
            continue
        load = _load(w, rps)
        reps[w.name] = replicas.replicas(w, load)
        hourly.extend(usage.workload_usage(w, load, reps[w.name], stream(seed, w.name)))
        cpu, mem = _hourly_requests(w, reps[w.name], timeline.whole_days)
        cpu_req += cpu
        mem_req += mem

    spot = next(g for g in NODE_GROUPS if g.scales)
    fixed = tuple(g for g in NODE_GROUPS if not g.scales)
    count = nodes.spot_nodes_needed(
        spot,
        fixed,
        cpu_req,
        mem_req,
        sum(d.pod_cpu_request() for d in daemons),
        sum(d.pod_memory_request() for d in daemons) * MIB / nodes.GIB,
    )
    fleet = nodes.fleet(NODE_GROUPS, count, stream(seed, "nodes"))
    per_hour = nodes.nodes_per_hour(fleet, timeline.hours)
    for d in daemons:
        reps[d.name] = np.repeat(per_hour, STEPS_PER_HOUR)
        load = _load(d, rps)
        hourly.extend(usage.workload_usage(d, load, reps[d.name], stream(seed, d.name)))

    return Simulation(timeline, rps, reps, hourly, fleet, _bill(timeline, rps, fleet))


def _bill(
    timeline: Timeline,
    rps: traffic.FloatArray,
    fleet: list[nodes.NodeLife],
) -> dict[date, list[costs.BillItem]]:
    step_seconds = traffic.STEP.total_seconds()
    per_day = STEPS_PER_HOUR * 24
    shares = {w.name: w.load_share for w in WORKLOADS}
    out: dict[date, list[costs.BillItem]] = {}
    for day in range(timeline.whole_days):
        sl = slice(day * per_day, (day + 1) * per_day)
        requests = float(rps[sl].sum()) * step_seconds
        drivers = costs.DayDrivers(
            node_cost=nodes.daily_compute_cost(fleet, day),
            node_hours=sum(n.hours_in(day * 24, day * 24 + 24) for n in fleet),
            requests=requests,
            reservations=requests * shares["reservation-api"],
            messages=requests * shares["reservation-worker"],
        )
        out[(timeline.start + timedelta(days=day)).date()] = costs.daily_items(drivers)
    return out
