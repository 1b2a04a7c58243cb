"""One replayable usage series: per-pod samples plus what the replay needs to know."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.inputs import (
    ROLLUP_MASSES,
    SAMPLE_SECONDS,
    Autoscaler,
    HourlyColumns,
    Resources,
    UsageHistory,
)
from rightsizing.quantiles import FloatArray


def median_step(times_s: FloatArray) -> float:
    """A series' sample step: the median gap between its (sorted) samples, or the
    engine's 5 minutes for a single sample."""
    return float(np.median(np.diff(times_s))) if times_s.size > 1 else SAMPLE_SECONDS


@dataclass(frozen=True)
class ReplaySeries:
    """Samples of one container (per pod), sorted by time.

    ``weights`` is how many pods each sample stands for (1 for a single pod; the
    replica count for an HPA-scaled workload whose pods behave alike), so slack is
    weighted by what is actually paid for. Series with the same ``group`` (the pods of
    one container) are recommended for together and scored each on its own.
    """

    series_id: str
    times_s: FloatArray
    cpu: FloatArray
    memory: FloatArray
    current: Resources = field(default_factory=Resources)
    autoscaler: Autoscaler | None = None
    weights: FloatArray | None = None
    family: str = ""
    resolution_s: float = SAMPLE_SECONDS
    group: str = ""  # series of one group (the pods of one container) share one request
    memory_peak: FloatArray | None = None  # the peak each point covers (rollups); None: memory

    def __post_init__(self) -> None:
        n = self.times_s.size
        if self.cpu.size != n or self.memory.size != n:
            raise InvalidInputError(f"series {self.series_id}: columns differ in length")
        if self.weights is not None and self.weights.size != n:
            raise InvalidInputError(f"series {self.series_id}: weights differ in length")
        if self.memory_peak is not None and self.memory_peak.size != n:
            raise InvalidInputError(f"series {self.series_id}: memory peaks differ in length")
        if n > 1 and np.any(np.diff(self.times_s) <= 0):
            raise InvalidInputError(f"series {self.series_id}: timestamps not strictly ascending")

    @property
    def sample_weights(self) -> FloatArray:
        return self.weights if self.weights is not None else np.ones_like(self.times_s)

    @property
    def peaks(self) -> FloatArray:
        """What would-be OOMs are scored on: the peak each point covers."""
        return self.memory_peak if self.memory_peak is not None else self.memory

    @classmethod
    def from_hourly(
        cls,
        series_id: str,
        cols: HourlyColumns,
        current: Resources | None = None,
        autoscaler: Autoscaler | None = None,
    ) -> ReplaySeries:
        """A container's hourly rollups (the database) as a replayable series.

        Each hour becomes the engine's five pseudo-points (``UsageHistory.from_columns``:
        p50/p90/p95/p99/max with their masses times the hour's samples), one second apart
        so the times stay strictly ascending. Scores on them are exact for what the
        rollups keep: the CPU under-provisioned share counts a mass as under when its
        upper end is above the request, and slack uses each mass at its upper end, so
        both lean conservative by the same amount for every strategy. Would-be OOMs are
        scored on each hour's memory max.
        """
        usage = UsageHistory.from_columns(cols)
        k = len(ROLLUP_MASSES)
        offsets = np.tile(np.arange(k, dtype=np.float64), usage.times_s.size // k)
        return cls(
            series_id,
            usage.times_s + offsets,
            usage.cpu,
            usage.memory,
            current or Resources(),
            autoscaler,
            usage.weights,
            "database",
            usage.resolution_s,
            series_id,
            usage.memory_peak,
        )


def by_container(series: Sequence[ReplaySeries]) -> list[list[ReplaySeries]]:
    """The series with samples, grouped into containers (a ``group``'s pods, or one
    series alone), in the order first seen: the unit the replay decides for."""
    groups: dict[str, list[ReplaySeries]] = {}
    for one in series:
        if one.times_s.size:
            groups.setdefault(one.group or one.series_id, []).append(one)
    return list(groups.values())
