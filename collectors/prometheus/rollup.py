"""Roll per-pod 5-minute samples up into hourly usage per workload container.

Pure numpy, no I/O. Each input sample at time ``t`` describes the interval
``(t - step, t]`` (a ``rate`` or ``max_over_time`` over exactly one step), so it
belongs to the UTC hour containing ``t - 1s``. Percentiles pool the samples of
every pod of the container during the hour (the p95 of per-pod values, never of a
sum), using numpy's default linear interpolation. Non-finite values (NaN, ±Inf
from a broken exporter) are dropped from the statistics but the pod still counts
as present, because it was scraped. A gap (no sample at all) counts as absent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from collectors.prometheus.client import Series
from collectors.records import ContainerUsageHour

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
PodKey = tuple[str, str]  # (pod, container)
GroupKey = tuple[str, str, str, int]  # (kind, workload, container, hour start unix)


@dataclass
class _Acc:
    cpu: list[Floats] = field(default_factory=list)
    mem: list[Floats] = field(default_factory=list)
    present: int = 0
    throttled: float = 0.0
    periods: float = 0.0
    has_throttle: bool = False
    oom: int = 0
    restarts: int = 0


@dataclass
class NamespaceSamples:
    """The query results for one namespace and window, keyed by (pod, container)."""

    cpu: list[Series]  # 5-minute CPU rate per pod container
    memory: list[Series]  # 5-minute working-set peak per pod container
    throttled: list[Series] = field(default_factory=list)  # hourly throttled periods
    periods: list[Series] = field(default_factory=list)  # hourly CFS periods
    restarts: list[Series] = field(default_factory=list)  # hourly restarts
    oom_flag: list[Series] = field(default_factory=list)  # hourly "last terminated OOMKilled"


def hour_of(ts: Ints, step_s: int) -> Ints:
    """Start (unix seconds) of the hour each interval ``(t - step, t]`` falls in."""
    return ((ts - 1) // 3600 * 3600).astype(np.int64)


def _by_pod(series: Iterable[Series]) -> dict[PodKey, Series]:
    out: dict[PodKey, Series] = {}
    for s in series:
        key = (s.labels.get("pod", ""), s.labels.get("container", ""))
        if key in out:  # duplicate label sets cannot come from a `by` clause; merge defensively
            prev = out[key]
            ts = np.concatenate([prev.timestamps, s.timestamps])
            vs = np.concatenate([prev.values, s.values])
            order = np.argsort(ts, kind="stable")
            out[key] = Series(prev.labels, ts[order], vs[order])
        else:
            out[key] = s
    return out


def _split_hours(ts: Ints, values: Floats, step_s: int) -> Iterable[tuple[int, Floats, int]]:
    """Yield (hour, finite values, number of samples) per hour."""
    if ts.size == 0:
        return
    hours = hour_of(ts, step_s)
    uniq, starts = np.unique(hours, return_index=True)
    bounds = [*starts.tolist(), ts.size]
    for i, hour in enumerate(uniq.tolist()):
        chunk = values[bounds[i] : bounds[i + 1]]
        yield int(hour), chunk[np.isfinite(chunk)], int(bounds[i + 1] - bounds[i])


def rollup(
    cluster: str,
    namespace: str,
    samples: NamespaceSamples,
    workload_of: Callable[[str], tuple[str, str]],
    step_s: int,
    hours: Iterable[datetime],
) -> list[ContainerUsageHour]:
    """Hourly usage per (workload kind, workload, container) for the given hours."""
    wanted = {int(h.timestamp()) for h in hours}
    acc: dict[GroupKey, _Acc] = defaultdict(_Acc)
    cpu = _by_pod(samples.cpu)
    mem = _by_pod(samples.memory)
    per_hour = 3600 // step_s

    for pod, container in sorted(set(cpu) | set(mem)):
        kind, name = workload_of(pod)
        c, m = cpu.get((pod, container)), mem.get((pod, container))
        if c is not None:
            for hour, vals, _ in _split_hours(c.timestamps, c.values, step_s):
                acc[(kind, name, container, hour)].cpu.append(vals)
        if m is not None:
            for hour, vals, _ in _split_hours(m.timestamps, m.values, step_s):
                acc[(kind, name, container, hour)].mem.append(vals)
        # Presence: a pod is running at t if any of its series has a sample at t.
        stamps = np.union1d(
            c.timestamps if c is not None else np.empty(0, np.int64),
            m.timestamps if m is not None else np.empty(0, np.int64),
        )
        for hour, _, count in _split_hours(stamps, np.zeros(stamps.size), step_s):
            acc[(kind, name, container, hour)].present += count

    def hourly(series: list[Series], apply: Callable[[_Acc, float], None]) -> None:
        for (pod, container), s in _by_pod(series).items():
            kind, name = workload_of(pod)
            for t, v in zip(s.timestamps.tolist(), s.values.tolist(), strict=True):
                key = (kind, name, container, int(hour_of(np.array([t]), 3600)[0]))
                if key in acc and np.isfinite(v):
                    apply(acc[key], float(v))

    def add_throttled(a: _Acc, v: float) -> None:
        a.throttled += v
        a.has_throttle = True

    def add_periods(a: _Acc, v: float) -> None:
        a.periods += v
        a.has_throttle = True

    def add_restarts(a: _Acc, v: float) -> None:
        a.restarts += round(v)

    hourly(samples.throttled, add_throttled)
    hourly(samples.periods, add_periods)
    hourly(samples.restarts, add_restarts)
    # OOM kills: restarts in an hour during which the last termination reason was OOMKilled.
    oom_hours = {
        (pod, container, int(t))
        for (pod, container), s in _by_pod(samples.oom_flag).items()
        for t, v in zip(hour_of(s.timestamps, 3600).tolist(), s.values.tolist(), strict=True)
        if v >= 1
    }
    for (pod, container), s in _by_pod(samples.restarts).items():
        kind, name = workload_of(pod)
        for hour, v in zip(hour_of(s.timestamps, 3600).tolist(), s.values.tolist(), strict=True):
            key = (kind, name, container, int(hour))
            if (pod, container, int(hour)) in oom_hours and key in acc and np.isfinite(v):
                acc[key].oom += round(v)

    out: list[ContainerUsageHour] = []
    for (kind, name, container, hour), a in sorted(acc.items()):
        if hour not in wanted or a.present == 0:
            continue
        cpu_v = np.concatenate(a.cpu) if a.cpu else np.empty(0)
        mem_v = np.concatenate(a.mem) if a.mem else np.empty(0)
        cq = np.percentile(cpu_v, [50, 90, 95, 99]) if cpu_v.size else np.zeros(4)
        pods = a.present / per_hour
        out.append(
            ContainerUsageHour(
                cluster=cluster,
                namespace=namespace,
                workload_kind=kind,
                workload=name,
                container=container,
                hour=datetime.fromtimestamp(hour, tz=UTC),
                cpu_avg=float(cpu_v.mean()) if cpu_v.size else 0.0,
                cpu_p50=float(cq[0]),
                cpu_p90=float(cq[1]),
                cpu_p95=float(cq[2]),
                cpu_p99=float(cq[3]),
                cpu_max=float(cpu_v.max()) if cpu_v.size else 0.0,
                memory_avg=float(mem_v.mean()) if mem_v.size else 0.0,
                memory_p95=float(np.percentile(mem_v, 95)) if mem_v.size else 0.0,
                memory_max=float(mem_v.max()) if mem_v.size else 0.0,
                samples=int(cpu_v.size),
                pods=pods,
                pod_hours=pods,  # pods x 1 hour
                throttled_ratio=(a.throttled / a.periods)
                if a.has_throttle and a.periods > 0
                else None,
                oom_kills=a.oom,
                restarts=a.restarts,
            )
        )
    return out
