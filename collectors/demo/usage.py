"""Per-pod 5-minute samples for each container, rolled up into hourly usage.

Each container of a workload gets a ``(steps, max_pods)`` grid of samples, NaN where a
pod did not exist. CPU is the container's idle cost plus its share of the workload's
load, with a fixed per-pod imbalance (load balancers are never perfect) and per-sample
jitter, capped at the CPU limit (the excess is CFS throttling). Memory is a working set
that grows with load and, for leaky containers, with pod age; a pod whose memory
reaches its limit is OOM-killed at that sample, restarts and starts over. The hourly
rollup then computes the same statistics a Prometheus rollup would, over per-pod
samples, so p95 is the 95th percentile of pod values and never of a sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from collectors.demo import rollup
from collectors.demo.models import MIB, ContainerModel, WorkloadModel
from collectors.demo.traffic import STEPS_PER_HOUR
from collectors.records import ContainerUsageHour

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CPU_QUANTILES = (50.0, 90.0, 95.0, 99.0)
#: Throttling starts when demand passes this share of the limit and saturates 40% above.
THROTTLE_ONSET = 0.8


@dataclass(frozen=True)
class HourlyUsage:
    """One container's hourly rollup over the whole span, indexed by hour of the span."""

    namespace: str
    workload_kind: str
    workload: str
    container: str
    cpu: FloatArray  # (hours, 6): avg, p50, p90, p95, p99, max (cores)
    memory: FloatArray  # (hours, 3): avg, p95, max (bytes)
    samples: IntArray
    throttled: FloatArray | None
    oom_kills: IntArray

    def records(
        self, cluster: str, start: datetime, first: int, stop: int
    ) -> list[ContainerUsageHour]:
        """Records for hours ``first <= h < stop``; hours without samples are left out."""
        out: list[ContainerUsageHour] = []
        cpu = self.cpu.tolist()
        mem = self.memory.tolist()
        samples = self.samples.tolist()
        kills = self.oom_kills.tolist()
        throttled = None if self.throttled is None else self.throttled.tolist()
        for h in range(first, stop):
            n = samples[h]
            if n == 0:
                continue
            c, m = cpu[h], mem[h]
            out.append(
                ContainerUsageHour(
                    cluster=cluster,
                    namespace=self.namespace,
                    workload_kind=self.workload_kind,
                    workload=self.workload,
                    container=self.container,
                    hour=start + timedelta(hours=h),
                    cpu_avg=c[0],
                    cpu_p50=c[1],
                    cpu_p90=c[2],
                    cpu_p95=c[3],
                    cpu_p99=c[4],
                    cpu_max=c[5],
                    memory_avg=m[0],
                    memory_p95=m[1],
                    memory_max=m[2],
                    samples=n,
                    pods=n / STEPS_PER_HOUR,
                    pod_hours=n / STEPS_PER_HOUR,
                    throttled_ratio=None if throttled is None else throttled[h],
                    oom_kills=kills[h],
                    restarts=kills[h],
                )
            )
        return out


def _memory_with_leak(
    working_set: FloatArray,
    present: BoolArray,
    model: ContainerModel,
    rng: np.random.Generator,
) -> tuple[FloatArray, BoolArray]:
    """Step through time because an OOM kill resets the pod's age, which feeds the next step."""
    steps, width = working_set.shape
    limit = model.memory_limit if model.memory_limit is not None else np.inf
    age = np.asarray(rng.uniform(0.0, 48.0, size=(width,)), dtype=np.float64)
    memory = np.empty_like(working_set)
    killed = np.zeros_like(present)
    dt = 1.0 / STEPS_PER_HOUR
    for t in range(steps):
        age = np.where(present[t], age + dt, 0.0)
        m = working_set[t] + model.memory_leak_per_hour * age
        k = present[t] & (m >= limit)
        memory[t] = np.where(k, limit, m)
        killed[t] = k
        age = np.where(k, 0.0, age)
    return memory, killed


def _container_usage(
    model: WorkloadModel,
    c: ContainerModel,
    load_per_pod: FloatArray,
    present: BoolArray,
    imbalance: FloatArray,
    rng: np.random.Generator,
) -> HourlyUsage:
    steps, width = present.shape
    hours = steps // STEPS_PER_HOUR
    jitter = np.exp(rng.normal(0.0, 0.12, (steps, width)))
    demand = (c.cpu_base + c.cpu_per_unit * load_per_pod[:, None]) * imbalance[None, :] * jitter
    throttle: FloatArray | None = None
    if c.cpu_limit is not None:
        cpu = np.minimum(demand, c.cpu_limit)
        throttle = np.clip((demand / c.cpu_limit - THROTTLE_ONSET) / 0.4, 0.0, 1.0)
    else:
        cpu = demand

    working_set = (c.memory_base + c.memory_per_unit * load_per_pod[:, None]) * (
        1.0 + rng.normal(0.0, 0.015, (steps, width))
    )
    if c.memory_leak_per_hour > 0:
        memory, killed = _memory_with_leak(working_set, present, c, rng)
    else:
        limit = c.memory_limit if c.memory_limit is not None else np.inf
        killed = present & (working_set >= limit)
        memory = np.minimum(working_set, limit)

    def per_hour(a: FloatArray) -> FloatArray:
        return np.where(present, a, np.nan).reshape(hours, STEPS_PER_HOUR * width)

    cpu_h = per_hour(cpu)
    mem_h = per_hour(memory * MIB)
    cpu_stats = np.column_stack(
        [
            rollup.row_mean(cpu_h),
            rollup.row_percentiles(cpu_h, CPU_QUANTILES),
            rollup.row_max(cpu_h),
        ]
    )
    mem_stats = np.column_stack(
        [
            rollup.row_mean(mem_h),
            rollup.row_percentiles(mem_h, (95.0,))[:, 0],
            rollup.row_max(mem_h),
        ]
    )
    return HourlyUsage(
        namespace=model.namespace,
        workload_kind=model.kind,
        workload=model.name,
        container=c.name,
        cpu=cpu_stats,
        memory=mem_stats,
        samples=rollup.counts(cpu_h),
        throttled=None if throttle is None else rollup.row_mean(per_hour(throttle)),
        oom_kills=killed.reshape(hours, STEPS_PER_HOUR * width).sum(axis=1).astype(np.int64),
    )


def workload_usage(
    model: WorkloadModel, load: FloatArray, replicas: IntArray, rng: np.random.Generator
) -> list[HourlyUsage]:
    """Hourly usage of every container of ``model`` for per-step ``load`` and ``replicas``."""
    if load.shape != replicas.shape or load.size % STEPS_PER_HOUR:
        raise ValueError("load and replicas must cover the same whole hours")
    width = max(1, int(replicas.max(initial=0)))
    present = np.arange(width)[None, :] < replicas[:, None]
    load_per_pod = np.where(replicas > 0, load / np.maximum(replicas, 1), 0.0)
    imbalance = np.clip(rng.normal(1.0, 0.06, width), 0.8, 1.2)
    return [
        _container_usage(model, c, load_per_pod, present, imbalance, rng) for c in model.containers
    ]
