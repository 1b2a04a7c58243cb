"""One replayable usage series: per-pod samples plus what the replay needs to know."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.inputs import SAMPLE_SECONDS, Autoscaler, Resources
from rightsizing.quantiles import FloatArray


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

    def __post_init__(self) -> None:
        n = self.times_s.size
        if self.cpu.size != n or self.memory.size != n:
            raise InvalidInputError(f"series {self.series_id}: columns differ in length")
        if self.weights is not None and self.weights.size != n:
            raise InvalidInputError(f"series {self.series_id}: weights differ in length")
        if n > 1 and np.any(np.diff(self.times_s) <= 0):
            raise InvalidInputError(f"series {self.series_id}: timestamps not strictly ascending")

    @property
    def sample_weights(self) -> FloatArray:
        return self.weights if self.weights is not None else np.ones_like(self.times_s)
