"""The engine's input types: one container of one workload over a history window.

The engine never sees the database or the collectors: ``app`` maps its rows onto
these dataclasses. Usage is a set of *weighted points* so that the same
strategies run on

* raw per-pod samples (the CSV replay: one point per 5-minute sample, weight 1), and
* hourly rollups (``HourlyUsage``): each hour becomes five pseudo-points placed
  at its p50/p90/p95/p99/max with the masses between those quantiles (0.50,
  0.40, 0.05, 0.04, 0.01) times the number of samples in the hour. Every point
  sits at the *upper* end of its mass, so a percentile over rollups is never
  lower than the same percentile over the samples it summarises (conservative).
  Memory uses avg/p95/p95/max/max for the same masses, and the hour's max is its
  peak for the daily-peak statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from rightsizing.errors import InvalidInputError
from rightsizing.quantiles import FloatArray

SAMPLE_SECONDS = 300.0
ROLLUP_MASSES = (0.50, 0.40, 0.05, 0.04, 0.01)


def _array(values: Sequence[float] | FloatArray, what: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise InvalidInputError(f"{what} must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"{what} contains NaN or infinite values")
    if np.any(arr < 0):
        raise InvalidInputError(f"{what} contains negative values")
    return arr


@dataclass(frozen=True)
class Resources:
    """Requests and limits of one container. CPU in cores, memory in bytes; None = unset."""

    cpu_request: float | None = None
    cpu_limit: float | None = None
    memory_request: float | None = None
    memory_limit: float | None = None

    def __post_init__(self) -> None:
        for name in ("cpu_request", "cpu_limit", "memory_request", "memory_limit"):
            v = getattr(self, name)
            if v is not None and (not np.isfinite(v) or v < 0):
                raise InvalidInputError(f"{name} must be a non-negative number, got {v!r}")


@dataclass(frozen=True)
class HourlyUsage:
    """One hourly rollup of per-pod 5-minute samples (mirrors ContainerUsageHour)."""

    hour_start_s: float
    cpu_p50: float
    cpu_p90: float
    cpu_p95: float
    cpu_p99: float
    cpu_max: float
    memory_avg: float
    memory_p95: float
    memory_max: float
    samples: int
    pods: float
    oom_kills: int = 0
    restarts: int = 0
    throttled_ratio: float | None = None


_HOURLY_FIELDS = (
    "hour_start_s",
    "cpu_p50",
    "cpu_p90",
    "cpu_p95",
    "cpu_p99",
    "cpu_max",
    "memory_avg",
    "memory_p95",
    "memory_max",
    "samples",
    "pods",
    "oom_kills",
    "restarts",
    "throttled_ratio",
)


@dataclass(frozen=True)
class HourlyColumns:
    """Hourly rollups of one container as columns, sorted by hour (``HourlyUsage`` fields).

    All columns are float64 arrays of one length; ``throttled_ratio`` is NaN where the
    hour has no throttling data.
    """

    hour_start_s: FloatArray
    cpu_p50: FloatArray
    cpu_p90: FloatArray
    cpu_p95: FloatArray
    cpu_p99: FloatArray
    cpu_max: FloatArray
    memory_avg: FloatArray
    memory_p95: FloatArray
    memory_max: FloatArray
    samples: FloatArray
    pods: FloatArray
    oom_kills: FloatArray
    restarts: FloatArray
    throttled_ratio: FloatArray

    def __post_init__(self) -> None:
        n = self.hour_start_s.size
        for name in _HOURLY_FIELDS:
            arr = getattr(self, name)
            if arr.ndim != 1 or arr.size != n:
                raise InvalidInputError(f"hourly column {name} has a different length than hours")
        if n > 1 and np.any(np.diff(self.hour_start_s) < 0):
            raise InvalidInputError("hourly rollups must be sorted by hour")

    def __len__(self) -> int:
        return int(self.hour_start_s.size)

    @classmethod
    def from_rows(cls, hours: Sequence[HourlyUsage]) -> HourlyColumns:
        rows = sorted(hours, key=lambda h: h.hour_start_s)
        table = np.array(
            [
                [
                    *(getattr(h, f) for f in _HOURLY_FIELDS[:-1]),
                    np.nan if h.throttled_ratio is None else h.throttled_ratio,
                ]
                for h in rows
            ],
            dtype=np.float64,
        ).reshape(len(rows), len(_HOURLY_FIELDS))
        return cls(*(np.ascontiguousarray(table[:, i]) for i in range(len(_HOURLY_FIELDS))))

    def take(self, index: slice | npt.NDArray[np.intp]) -> HourlyColumns:
        """The rows at ``index`` (a slice or sorted positions)."""
        return HourlyColumns(*(getattr(self, f)[index] for f in _HOURLY_FIELDS))

    def between(self, start_s: float, end_s: float) -> HourlyColumns:
        """Hours starting in ``[start_s, end_s)``."""
        lo = int(np.searchsorted(self.hour_start_s, start_s, side="left"))
        hi = int(np.searchsorted(self.hour_start_s, end_s, side="left"))
        return self.take(slice(lo, hi))

    def monotone(self) -> HourlyColumns:
        """Percentiles made non-decreasing (p50 ≤ … ≤ max, memory p95 ≤ max).

        Stored rollups can break the order by a rounding step (separate float columns,
        or a rollup written by another tool); the engine refuses unordered hours, so a
        loader repairs them upwards, which keeps every value conservative.
        """
        cpu = np.maximum.accumulate(
            np.stack([self.cpu_p50, self.cpu_p90, self.cpu_p95, self.cpu_p99, self.cpu_max]),
            axis=0,
        )
        return replace(
            self,
            cpu_p50=cpu[0],
            cpu_p90=cpu[1],
            cpu_p95=cpu[2],
            cpu_p99=cpu[3],
            cpu_max=cpu[4],
            memory_max=np.maximum(self.memory_max, self.memory_p95),
        )


@dataclass(frozen=True)
class UsageHistory:
    """Weighted usage points, sorted by time. ``memory_peak`` is the peak each point covers."""

    times_s: FloatArray
    cpu: FloatArray
    memory: FloatArray
    weights: FloatArray
    memory_peak: FloatArray
    resolution_s: float = SAMPLE_SECONDS

    def __post_init__(self) -> None:
        n = self.times_s.size
        for name in ("cpu", "memory", "weights", "memory_peak"):
            if getattr(self, name).size != n:
                raise InvalidInputError(f"usage {name} has a different length than times")
        if n > 1 and np.any(np.diff(self.times_s) < 0):
            raise InvalidInputError("usage times must be sorted ascending")
        if self.resolution_s <= 0:
            raise InvalidInputError("resolution must be positive")

    @classmethod
    def from_samples(
        cls,
        times_s: Sequence[float] | FloatArray,
        cpu_cores: Sequence[float] | FloatArray,
        memory_bytes: Sequence[float] | FloatArray,
        resolution_s: float = SAMPLE_SECONDS,
    ) -> UsageHistory:
        t = _array(times_s, "timestamps")
        c = _array(cpu_cores, "cpu usage")
        m = _array(memory_bytes, "memory usage")
        if not (t.size == c.size == m.size):
            raise InvalidInputError("timestamps, cpu and memory must have the same length")
        if t.size > 1 and np.any(np.diff(t) < 0):
            order = np.argsort(t, kind="stable")
            t, c, m = t[order], c[order], m[order]
        return cls(t, c, m, np.ones_like(t), m, resolution_s)

    @classmethod
    def from_hourly(cls, hours: Sequence[HourlyUsage]) -> UsageHistory:
        """Expand rollups into pseudo-points (see module docstring); zero-pod hours are dropped."""
        return cls.from_columns(HourlyColumns.from_rows(hours))

    @classmethod
    def from_columns(cls, cols: HourlyColumns) -> UsageHistory:
        """The same expansion on columns, without a Python loop over hours.

        Why columns: the weekly job loads a whole cluster's hours at once (hundreds of
        thousands of rows), and a per-hour object costs more than the engine itself.
        """
        keep = (cols.samples > 0) & (cols.pods > 0)
        hour = cols.hour_start_s[keep]
        cpu = np.stack(
            [cols.cpu_p50, cols.cpu_p90, cols.cpu_p95, cols.cpu_p99, cols.cpu_max], axis=1
        )[keep]
        bad = np.flatnonzero(np.any(np.diff(cpu, axis=1) < 0, axis=1))
        if bad.size:
            raise InvalidInputError(f"hour {hour[bad[0]]:.0f}: cpu percentiles not ascending")
        mem_max, mem_p95 = cols.memory_max[keep], cols.memory_p95[keep]
        bad = np.flatnonzero(mem_max < mem_p95)
        if bad.size:
            raise InvalidInputError(f"hour {hour[bad[0]]:.0f}: memory max below p95")
        mem = np.stack([cols.memory_avg[keep], mem_p95, mem_p95, mem_max, mem_max], axis=1)
        k = len(ROLLUP_MASSES)
        c = _array(cpu.ravel(), "cpu usage")
        m = _array(mem.ravel(), "memory usage")
        w = (cols.samples[keep, None] * np.asarray(ROLLUP_MASSES)).ravel()
        return cls(np.repeat(hour + 1800.0, k), c, m, w, np.repeat(mem_max, k), 3600.0)

    @property
    def points(self) -> float:
        """How many 5-minute samples the history stands for."""
        return float(self.weights.sum())

    @property
    def span_s(self) -> float:
        if self.times_s.size == 0:
            return 0.0
        return float(self.times_s[-1] - self.times_s[0] + self.resolution_s)

    def since(self, start_s: float) -> UsageHistory:
        i = int(np.searchsorted(self.times_s, start_s, side="left"))
        return UsageHistory(
            self.times_s[i:],
            self.cpu[i:],
            self.memory[i:],
            self.weights[i:],
            self.memory_peak[i:],
            self.resolution_s,
        )


@dataclass(frozen=True)
class ReplicaHistory:
    """Replica counts over time (step function); zero means scaled to zero."""

    times_s: FloatArray
    replicas: FloatArray

    def mean(self) -> float:
        return float(self.replicas.mean()) if self.replicas.size else 0.0

    def zero_share(self) -> float:
        return float(np.mean(self.replicas <= 0)) if self.replicas.size else 0.0


@dataclass(frozen=True)
class Autoscaler:
    """An HPA (or KEDA ScaledObject, which drives an HPA) on this workload.

    Targets are utilization percentages of the *request* (Resource metrics);
    None when the autoscaler does not scale on that resource.
    """

    kind: Literal["hpa", "keda"]
    min_replicas: int
    max_replicas: int
    cpu_target_percent: float | None = None
    memory_target_percent: float | None = None

    def __post_init__(self) -> None:
        if self.min_replicas < 0 or self.max_replicas < max(self.min_replicas, 1):
            raise InvalidInputError(
                f"autoscaler replicas invalid: min {self.min_replicas}, max {self.max_replicas}"
            )
        for t in (self.cpu_target_percent, self.memory_target_percent):
            # any positive utilization is a valid Kubernetes target (1500% of a tiny
            # request is legal, if unusual)
            if t is not None and not (0 < t < math.inf):
                raise InvalidInputError(f"autoscaler target {t}% out of range")

    @property
    def scales_to_zero(self) -> bool:
        return self.min_replicas == 0


@dataclass(frozen=True)
class OomEvent:
    """An OOM kill at ``time_s``; ``memory_bytes`` is the limit (or usage) it hit."""

    time_s: float
    memory_bytes: float


@dataclass(frozen=True)
class UnitPrices:
    """What a requested unit costs. Defaults are OpenCost's default on-demand prices."""

    cpu_core_hour: Decimal = Decimal("0.031611")
    memory_gib_hour: Decimal = Decimal("0.004237")


@dataclass(frozen=True)
class QuotaContext:
    """The namespace ResourceQuota and what the *other* workloads take at max replicas.

    Keys are Kubernetes quota resource names in base units: ``requests.cpu``
    (cores), ``requests.memory`` (bytes), ``limits.cpu``, ``limits.memory``.
    """

    hard: Mapping[str, float]
    others_at_max: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerInputs:
    """Everything the engine knows about one container."""

    key: str
    usage: UsageHistory
    current: Resources = field(default_factory=Resources)
    replicas: ReplicaHistory | None = None
    autoscaler: Autoscaler | None = None
    oom_events: tuple[OomEvent, ...] = ()
    restarts: int = 0
    throttled_ratio: float | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)
    prices: UnitPrices = field(default_factory=UnitPrices)
    quota: QuotaContext | None = None
    now_s: float | None = None
    start_s: float | None = None  # history window start; zero-replica time inside it counts
    # why the workload's spec as read from the cluster cannot be used (an autoscaler the
    # engine cannot read): the engine then recommends nothing for it, and says why,
    # rather than ignore the spec or stop the whole fleet's run ("": nothing wrong)
    spec_error: str = ""

    @property
    def history_s(self) -> float:
        """Length of the history window: from ``start_s`` (or the first point) to the end."""
        if self.start_s is not None:
            return max(self.end_s - self.start_s, 0.0)
        return self.usage.span_s

    @property
    def end_s(self) -> float:
        if self.now_s is not None:
            return self.now_s
        if self.usage.times_s.size == 0:
            return 0.0
        return float(self.usage.times_s[-1] + self.usage.resolution_s)

    def mean_replicas(self) -> float:
        """Average replicas over the window, zero-replica time included (it costs nothing)."""
        if self.replicas is not None and self.replicas.replicas.size:
            return self.replicas.mean()
        return 1.0
