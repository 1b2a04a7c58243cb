"""Weighted percentiles and the VPA-style decaying histogram.

Both the raw-sample path and the hourly-rollup path end up as *weighted* points
(a rollup hour stands for many 5-minute samples), so every percentile in the
package is a weighted one. The decaying histogram reproduces the Kubernetes VPA
recommender's arithmetic (exponential buckets, 5% growth, percentile returned as
the end of the bucket) so that the ``vpa`` strategy is a faithful anchor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` of the total.

    This is the "inverted CDF" definition (no interpolation): the answer is always
    an observed value, which keeps the evidence traceable to a real data point.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile must be within [0, 1], got {q}")
    if values.size == 0:
        raise ValueError("quantile of an empty series")
    if q >= 1.0:
        return float(values[weights > 0].max()) if np.any(weights > 0) else float(values.max())
    order = np.argsort(values)  # ties share a value: stability is not needed
    return sorted_weighted_quantile(values[order], weights[order], q)


def sorted_weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """``weighted_quantile`` of values already in ascending order (weights alongside),
    for callers that sort once and ask many times (``ValueOrder``)."""
    if values.size == 0:
        raise ValueError("quantile of an empty series")
    if q >= 1.0:
        return float(values[weights > 0].max()) if np.any(weights > 0) else float(values[-1])
    cum = np.cumsum(weights)
    total = cum[-1]
    if total <= 0:
        raise ValueError("quantile of a series whose weights sum to zero")
    idx = int(np.searchsorted(cum, q * total, side="left"))
    return float(values[min(idx, values.size - 1)])


def sorted_median(values: FloatArray) -> float:
    """``np.median`` of values already in ascending order (same arithmetic, no sort)."""
    m = values.size
    if m % 2:
        return float(values[m // 2])
    return float((values[m // 2 - 1] + values[m // 2]) / 2.0)


@dataclass(frozen=True)
class ValueOrder:
    """One sort of a container's CPU samples by value, shared by everything that reads
    them in that order.

    Why: the fleet calibration fits seven prefixes of each container's window (its
    held-out days) and asks each for a cost-optimal request, a level drift, a recent
    rise and both baselines' requests. Each of those sorted its own copy (a dozen sorts
    of thousands of samples per container); a prefix of the window keeps its part of
    one sort in order, so filtering the one sort by position answers them all.
    """

    index: IntArray  # positions of the samples, by CPU value (ties share a value: any order)
    cpu: FloatArray  # the CPU values in that order
    pods: NDArray[np.bool_]  # whether each sample, in that order, had pods (weight > 0)

    @classmethod
    def of(cls, cpu: FloatArray, weights: FloatArray) -> ValueOrder:
        # (quicksort: on a container's data fresh from memory a stable sort, timsort, is
        # about 1.8x slower; measured in docs/benchmarks-rightsizing.md)
        index = np.argsort(cpu)
        return cls(index, cpu[index], weights[index] > 0)

    def between(self, start: int, stop: int) -> NDArray[np.bool_]:
        """Which of the sorted samples sit at positions ``start:stop``."""
        if start <= 0:
            return self.index < stop
        return (self.index >= start) & (self.index < stop)

    def median_with_pods(self, start: int, stop: int) -> float | None:
        """The median CPU of samples ``start:stop`` that had pods (None: there are none)."""
        values = self.cpu[self.between(start, stop) & self.pods]
        return sorted_median(values) if values.size else None


def recency_weights(times_s: FloatArray, now_s: float, half_life_s: float) -> FloatArray:
    """Exponential decay weights: a point ``half_life_s`` old counts half as much."""
    if half_life_s <= 0:
        raise ValueError("half-life must be positive")
    age = np.maximum(now_s - times_s, 0.0)
    out: FloatArray = np.exp2(-age / half_life_s)
    return out


@lru_cache(maxsize=16)
def _bucket_starts(max_value: float, first_bucket: float, ratio: float) -> FloatArray:
    """The buckets' starts (and the last one's end), read-only: shared by every histogram
    with these bounds (the fleet calibration makes seven per container)."""
    n = math.ceil(math.log(max_value * (ratio - 1) / first_bucket + 1, ratio)) + 1
    idx = np.arange(n + 1, dtype=np.float64)
    starts: FloatArray = first_bucket * (ratio**idx - 1) / (ratio - 1)
    starts.flags.writeable = False
    return starts


class DecayingHistogram:
    """Exponential-bucket histogram as used by the VPA recommender.

    Bucket ``i`` starts at ``first * (ratio**i - 1) / (ratio - 1)``. Weights are
    relative, so decay is applied as ``2 ** ((t - reference) / half_life)`` with
    the reference at the newest sample (numerically safe, same percentiles).
    """

    def __init__(self, max_value: float, first_bucket: float, ratio: float = 1.05) -> None:
        if first_bucket <= 0 or ratio <= 1 or max_value <= first_bucket:
            raise ValueError("invalid histogram bounds")
        self.first_bucket = first_bucket
        self.ratio = ratio
        self.starts: FloatArray = _bucket_starts(max_value, first_bucket, ratio)
        self.weights: FloatArray = np.zeros(self.starts.size - 1, dtype=np.float64)

    def bucket_of(self, values: FloatArray) -> NDArray[np.int64]:
        raw = np.log(values * (self.ratio - 1) / self.first_bucket + 1) / math.log(self.ratio)
        b = np.floor(raw + 1e-12).astype(np.int64)
        return np.clip(b, 0, self.weights.size - 1)

    def buckets_for(self, values: FloatArray) -> NDArray[np.int64]:
        """The bucket of each value (negative values count as 0)."""
        return self.bucket_of(np.maximum(values, 0.0))

    def add(
        self, values: FloatArray, weights: FloatArray, buckets: NDArray[np.int64] | None = None
    ) -> None:
        """Add ``values`` with ``weights``; ``buckets``: their ``buckets_for``, when the
        caller has it (the fleet calibration adds seven prefixes of one window)."""
        if buckets is None:
            buckets = self.buckets_for(values)
        if not np.any(self.weights):  # (bincount sums each bucket in order, as add.at does)
            summed = np.bincount(buckets, weights=weights, minlength=self.weights.size)
            self.weights = summed.astype(np.float64, copy=False)
        else:
            np.add.at(self.weights, buckets, weights)

    @property
    def total(self) -> float:
        return float(self.weights.sum())

    def percentile(self, p: float) -> float:
        """End of the first bucket where the cumulative weight reaches ``p``."""
        total = self.total
        if total <= 0:
            return 0.0
        cum = np.cumsum(self.weights)
        b = int(np.searchsorted(cum, p * total, side="left"))
        b = min(b, self.weights.size - 1)
        return float(self.starts[b + 1])
