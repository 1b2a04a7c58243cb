"""The Kubernetes VPA recommender's arithmetic, as a strategy.

* CPU: 90th percentile of a decaying histogram of usage samples (24 h half-life,
  exponential buckets from 0.01 cores growing 5%).
* Memory: 90th percentile of a decaying histogram of *daily peaks* over 8 days
  (buckets from 10 MB growing 5%); an OOM kill adds a peak of
  max(memory + 100 MiB, memory x 1.2).
* Target = percentile x 1.15 (safety margin), floored at 25 millicores and
  250 MiB per pod. Lower/upper bounds (p50/p95 widened by the confidence factor
  for short histories) go into the evidence.
* Limits keep the current limit/request ratio (VPA's default ``RequestsAndLimits``);
  with no current memory values at all the limit equals the request, which is how
  the replay treats a container it knows nothing about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from rightsizing.inputs import ContainerInputs, Resources
from rightsizing.quantiles import DecayingHistogram
from rightsizing.results import Evidence, NoRecommendation, Proposal, Reason
from rightsizing.strategies.base import AS_FRACTION, DAY_S, MIB, check_range


def scale_limit(request: float, cur_req: float | None, cur_lim: float | None) -> float | None:
    """VPA keeps limit/request proportional; no current limit means none is set."""
    if cur_lim is None:
        return None
    if cur_req is None or cur_req <= 0:
        return max(cur_lim, request)
    return request * cur_lim / cur_req


@dataclass(frozen=True)
class VpaStrategy:
    name: ClassVar[str] = "vpa"
    cpu_percentile: float = 0.9
    memory_percentile: float = 0.9
    safety_margin: float = 0.15
    half_life_hours: float = 24.0
    memory_days: float = 8.0
    cpu_floor_cores: float = 0.025
    memory_floor_bytes: float = 250 * MIB
    oom_min_bump_bytes: float = 100 * MIB
    oom_bump_ratio: float = 1.2

    def __post_init__(self) -> None:
        check_range(self.name, "cpu_percentile", self.cpu_percentile, 0.01, 1, AS_FRACTION)
        check_range(self.name, "memory_percentile", self.memory_percentile, 0.01, 1, AS_FRACTION)
        check_range(self.name, "safety_margin", self.safety_margin, 0, 5)
        check_range(self.name, "half_life_hours", self.half_life_hours, 0.1, 10000)
        check_range(self.name, "memory_days", self.memory_days, 1, 365)

    @staticmethod
    def _empty_cpu_histogram() -> DecayingHistogram:
        return DecayingHistogram(1000.0, 0.01)

    def cpu_buckets(self, inputs: ContainerInputs) -> NDArray[np.int64]:
        """The CPU histogram's bucket of every sample of the window, for
        ``cpu_request_before`` to take prefixes of."""
        return self._empty_cpu_histogram().buckets_for(inputs.usage.cpu)

    def _cpu_histogram(
        self,
        inputs: ContainerInputs,
        now_s: float | None = None,
        stop: int | None = None,
        buckets: NDArray[np.int64] | None = None,
    ) -> DecayingHistogram:
        """The decaying CPU histogram at the window's end, or at ``now_s`` over the first
        ``stop`` samples (the container as it was seen then); ``buckets``: the window's
        ``cpu_buckets``, when the caller has them."""
        usage = inputs.usage
        end = inputs.end_s if now_s is None else now_s
        t, cpu, w = usage.times_s[:stop], usage.cpu[:stop], usage.weights[:stop]
        decay = np.exp2((t - end) / (self.half_life_hours * 3600.0))
        cpu_hist = self._empty_cpu_histogram()
        cpu_hist.add(cpu, w * decay, None if buckets is None else buckets[:stop])
        return cpu_hist

    def _cpu_target(self, cpu_hist: DecayingHistogram) -> tuple[float, float]:
        """(the histogram's percentile, the request: percentile x margin, floored)."""
        cpu_p = cpu_hist.percentile(self.cpu_percentile)
        return cpu_p, self._cpu_request_at(cpu_p)

    def _cpu_request_at(self, cpu_p: float) -> float:
        """The request made of the CPU percentile: with the safety margin, floored."""
        return max(cpu_p * (1.0 + self.safety_margin), self.cpu_floor_cores)

    def cpu_request(self, inputs: ContainerInputs) -> float | None:
        """The CPU request ``propose`` would recommend (None without samples).

        Only the CPU arithmetic: the fleet calibration asks for it on every held-out
        fold of every container (rightsizing.strategies.fleet_price).
        """
        if inputs.usage.times_s.size == 0:
            return None
        return self._cpu_target(self._cpu_histogram(inputs))[1]

    def cpu_request_before(
        self,
        inputs: ContainerInputs,
        now_s: float,
        stop: int,
        buckets: NDArray[np.int64] | None = None,
    ) -> float | None:
        """``cpu_request`` of the container as it was seen at ``now_s`` (its first ``stop``
        samples), without building that container: the fleet calibration asks this for
        seven held-out days of every container, with the window's ``cpu_buckets``
        computed once."""
        if stop <= 0:
            return None
        return self._cpu_target(self._cpu_histogram(inputs, now_s, stop, buckets))[1]

    def cpu_requests_before(
        self,
        inputs: ContainerInputs,
        stops: Sequence[int],
        buckets: NDArray[np.int64] | None = None,
    ) -> list[float | None]:
        """``cpu_request_before`` of the container as seen before each of ``stops`` (its
        first ``stop`` samples), from one pass over the window instead of one histogram
        per cut (the time of the cut does not matter: see below).

        Why it is the same: a decaying histogram's percentile does not change when every
        weight is scaled alike, and a sample's decay to a cut is its decay to the
        window's last sample times a constant. So each sample is weighted once, the
        samples are binned by (which cuts see them, bucket) in one ``bincount``, and the
        cuts' histograms are running sums of those rows. The sums are associated
        differently, so a cut's request can differ from ``cpu_request_before``'s only
        where a percentile falls within rounding of a bucket's edge.
        """
        usage = inputs.usage
        n = usage.times_s.size
        stops = [min(stop, n) for stop in stops]  # (a prefix longer than the window: all)
        out: list[float | None] = [None] * len(stops)
        cuts = np.unique(np.array([stop for stop in stops if stop > 0], dtype=np.intp))
        if cuts.size == 0:
            return out
        last = int(cuts[-1])
        hist = self._empty_cpu_histogram()
        nb = hist.weights.size
        binned = hist.buckets_for(usage.cpu[:last]) if buckets is None else buckets[:last]
        t = usage.times_s[:last]
        decay = np.exp2((t - float(t[-1])) / (self.half_life_hours * 3600.0))
        # which cuts see a sample: those whose stop is above its position
        seen_from = np.searchsorted(cuts, np.arange(last), side="right")
        rows = np.bincount(
            seen_from * nb + binned, weights=usage.weights[:last] * decay, minlength=cuts.size * nb
        ).reshape(cuts.size, nb)
        prefix = np.cumsum(rows, axis=0)  # row r: the samples before cuts[r]
        totals = prefix.sum(axis=1)
        # each row's percentile as ``DecayingHistogram.percentile`` reads it: the end of
        # the first bucket whose running weight reaches the level (0 with no weight)
        below = np.cumsum(prefix, axis=1) < (self.cpu_percentile * totals)[:, None]
        at = np.minimum(below.sum(axis=1), nb - 1)
        p = np.where(totals > 0, hist.starts[at + 1], 0.0)
        by_stop = {
            stop: self._cpu_request_at(cpu_p)
            for stop, cpu_p in zip(cuts.tolist(), p.tolist(), strict=True)
        }
        for j, stop in enumerate(stops):
            if stop > 0:
                out[j] = by_stop[stop]
        return out

    def propose(self, inputs: ContainerInputs) -> Proposal | NoRecommendation:
        usage = inputs.usage
        if usage.times_s.size == 0:
            return NoRecommendation(inputs.key, self.name, Reason.INSUFFICIENT_DATA, "no samples")
        end = inputs.end_s
        half = self.half_life_hours * 3600.0
        cpu_hist = self._cpu_histogram(inputs)
        margin = 1.0 + self.safety_margin
        cpu_p, cpu = self._cpu_target(cpu_hist)

        mem_hist = DecayingHistogram(1e12, 1e7)
        start = end - self.memory_days * DAY_S
        recent = usage.since(start)
        day_index = np.floor((recent.times_s - start) / DAY_S).astype(np.int64)
        peaks = np.zeros(int(self.memory_days) + 1)
        np.maximum.at(peaks, np.clip(day_index, 0, peaks.size - 1), recent.memory_peak)
        seen = np.zeros(peaks.size, dtype=bool)
        seen[np.clip(day_index, 0, peaks.size - 1)] = True
        day_end = start + (np.arange(peaks.size) + 1) * DAY_S
        mem_hist.add(peaks[seen], np.exp2((np.minimum(day_end[seen], end) - end) / half))
        for oom in inputs.oom_events:
            if oom.time_s >= start:
                bump = max(
                    oom.memory_bytes + self.oom_min_bump_bytes,
                    oom.memory_bytes * self.oom_bump_ratio,
                )
                mem_hist.add(np.array([bump]), np.array([np.exp2((oom.time_s - end) / half)]))
        mem_p = mem_hist.percentile(self.memory_percentile)
        memory = max(mem_p * margin, self.memory_floor_bytes)

        # VPA's confidence: history length in days, capped by samples per day (points of
        # rollups are counted in 5-minute samples, raw points at their own resolution)
        step = 300.0 if usage.resolution_s >= 3600.0 else usage.resolution_s
        days = usage.points * step / DAY_S
        confidence = min(days, usage.span_s / DAY_S)
        lower = cpu_hist.percentile(0.5) * margin * (1 + 0.001 / max(confidence, 1e-9)) ** -2
        upper = cpu_hist.percentile(0.95) * margin * (1 + 1.0 / max(confidence, 1e-9))
        cur = inputs.current
        mem_limit = scale_limit(memory, cur.memory_request, cur.memory_limit)
        if cur.memory_request is None and cur.memory_limit is None:
            mem_limit = memory
        return Proposal(
            Resources(
                cpu_request=cpu,
                cpu_limit=scale_limit(cpu, cur.cpu_request, cur.cpu_limit),
                memory_request=memory,
                memory_limit=mem_limit,
            ),
            (
                Evidence("cpu_histogram_p90", cpu_p, "cores", "decaying, 24 h half-life"),
                Evidence("cpu_lower_bound", lower, "cores"),
                Evidence("cpu_upper_bound", upper, "cores"),
                Evidence("memory_daily_peak_p90", mem_p, "bytes", f"{int(seen.sum())} days"),
                Evidence("vpa_confidence_days", confidence, "days"),
            ),
        )
