"""Replay scores: what a set of requests would have meant for the usage that followed.

* CPU slack = sum(request - usage) / sum(request) over scored samples (weighted by
  pods); negative terms (usage above request) count, as the issue defines it.
* under-provisioned share = weighted share of samples whose CPU usage is above the request.
* would-be OOMs = number of *episodes* (runs of consecutive samples) with memory
  above the limit: a container is killed once per episode.
* changes = number of times the applied requests/limits changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rightsizing.quantiles import FloatArray


@dataclass
class Score:
    cpu_request_sum: float = 0.0
    cpu_usage_sum: float = 0.0
    cpu_over_weight: float = 0.0
    weight: float = 0.0
    memory_request_sum: float = 0.0
    memory_usage_sum: float = 0.0
    ooms: int = 0
    changes: int = 0
    unscored_weight: float = 0.0
    decisions: int = 0
    recommendations: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def merge(self, other: Score) -> None:
        for name in (
            "cpu_request_sum",
            "cpu_usage_sum",
            "cpu_over_weight",
            "weight",
            "memory_request_sum",
            "memory_usage_sum",
            "ooms",
            "changes",
            "unscored_weight",
            "decisions",
            "recommendations",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.reasons.items():
            self.reasons[k] = self.reasons.get(k, 0) + v

    @property
    def cpu_slack(self) -> float:
        return (
            (self.cpu_request_sum - self.cpu_usage_sum) / self.cpu_request_sum
            if self.cpu_request_sum > 0
            else float("nan")
        )

    @property
    def cpu_under_share(self) -> float:
        return self.cpu_over_weight / self.weight if self.weight > 0 else float("nan")

    @property
    def memory_slack(self) -> float:
        return (
            (self.memory_request_sum - self.memory_usage_sum) / self.memory_request_sum
            if self.memory_request_sum > 0
            else float("nan")
        )

    @property
    def scored_share(self) -> float:
        total = self.weight + self.unscored_weight
        return self.weight / total if total > 0 else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "cpu_slack": self.cpu_slack,
            "cpu_under_share": self.cpu_under_share,
            "memory_slack": self.memory_slack,
            "would_be_ooms": self.ooms,
            "changes": self.changes,
            "scored_share": self.scored_share,
            "recommendations": self.recommendations,
            "decisions": self.decisions,
        }


def oom_episodes(times_s: FloatArray, over: np.ndarray, resolution_s: float) -> list[int]:
    """Indices where an episode of ``over`` starts (a gap longer than one step splits runs)."""
    if over.size == 0:
        return []
    prev_over = np.concatenate(([False], over[:-1]))
    gap = np.concatenate(([np.inf], np.diff(times_s))) > 1.5 * resolution_s
    starts = over & (~prev_over | gap)
    return [int(i) for i in np.flatnonzero(starts)]


def score_segment(
    score: Score,
    times_s: FloatArray,
    cpu: FloatArray,
    memory: FloatArray,
    weights: FloatArray,
    cpu_request: float | None,
    memory_request: float | None,
    memory_limit: float | None,
    resolution_s: float,
    memory_peak: FloatArray | None = None,
) -> list[int]:
    """Add one segment scored at fixed requests; returns the OOM episode start indices.

    ``memory_peak`` is the peak each point covers (rollups); OOMs are scored on it.
    """
    if cpu_request is None:
        score.unscored_weight += float(weights.sum())
        return []
    score.weight += float(weights.sum())
    score.cpu_request_sum += cpu_request * float(weights.sum())
    score.cpu_usage_sum += float((cpu * weights).sum())
    score.cpu_over_weight += float(weights[cpu > cpu_request].sum())
    if memory_request is not None:
        score.memory_request_sum += memory_request * float(weights.sum())
        score.memory_usage_sum += float((memory * weights).sum())
    if memory_limit is None:
        return []
    peaks = memory if memory_peak is None else memory_peak
    starts = oom_episodes(times_s, peaks > memory_limit, resolution_s)
    score.ooms += len(starts)
    return starts
