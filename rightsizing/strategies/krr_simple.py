"""Robusta KRR's "simple" strategy, as KRR documents it.

CPU request = 95th percentile of usage over the history (14 days), no CPU limit;
memory request = memory limit = max usage + 15%; at least 100 data points; a
resource the HPA scales on is left alone unless ``allow_hpa`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rightsizing.inputs import ContainerInputs, Resources, UsageHistory
from rightsizing.quantiles import ValueOrder, sorted_weighted_quantile, weighted_quantile
from rightsizing.results import Evidence, NoRecommendation, Proposal, Reason
from rightsizing.strategies.base import AS_PERCENTAGE, DAY_S, check_range


@dataclass(frozen=True)
class KrrSimpleStrategy:
    name: ClassVar[str] = "krr-simple"
    history_days: float = 14.0
    cpu_percentile: float = 95.0
    memory_buffer_percentage: float = 15.0
    points_required: int = 100
    allow_hpa: bool = False

    def __post_init__(self) -> None:
        check_range(self.name, "history_days", self.history_days, 1, 365)
        check_range(self.name, "cpu_percentile", self.cpu_percentile, 1, 100, AS_PERCENTAGE)
        check_range(self.name, "memory_buffer_percentage", self.memory_buffer_percentage, 0, 500)
        check_range(self.name, "points_required", self.points_required, 1, 10**7)

    def cpu_request(self, inputs: ContainerInputs) -> float | None:
        """The CPU request ``propose`` would recommend, None where it leaves CPU alone.

        Only the CPU arithmetic: the fleet calibration asks for it on every held-out
        fold of every container (rightsizing.strategies.fleet_price).
        """
        usage = self._window(inputs)
        if usage.points < self.points_required or self._hpa_scales_on(inputs, "cpu"):
            return None
        return self._cpu(usage)

    def cpu_request_before(
        self, inputs: ContainerInputs, now_s: float, stop: int, order: ValueOrder
    ) -> float | None:
        """``cpu_request`` of the container as it was seen at ``now_s`` (its first ``stop``
        samples), read off ``order``, one sort of its whole window: the fleet calibration
        asks this for seven held-out days of every container."""
        usage = inputs.usage
        start = int(np.searchsorted(usage.times_s, now_s - self.history_days * DAY_S, "left"))
        points = float(usage.weights[start:stop].sum())
        if points < self.points_required or self._hpa_scales_on(inputs, "cpu"):
            return None
        keep = order.between(start, stop)
        return sorted_weighted_quantile(
            order.cpu[keep], usage.weights[order.index[keep]], self.cpu_percentile / 100.0
        )

    def _window(self, inputs: ContainerInputs) -> UsageHistory:
        return inputs.usage.since(inputs.end_s - self.history_days * DAY_S)

    def _cpu(self, usage: UsageHistory) -> float:
        return weighted_quantile(usage.cpu, usage.weights, self.cpu_percentile / 100.0)

    def _hpa_scales_on(self, inputs: ContainerInputs, resource: str) -> bool:
        """KRR leaves a resource alone when an HPA scales on it (unless allowed)."""
        hpa = inputs.autoscaler
        target = None if hpa is None else getattr(hpa, f"{resource}_target_percent")
        return target is not None and not self.allow_hpa

    def propose(self, inputs: ContainerInputs) -> Proposal | NoRecommendation:
        usage = self._window(inputs)
        if usage.points < self.points_required:
            return NoRecommendation(
                inputs.key,
                self.name,
                Reason.INSUFFICIENT_DATA,
                f"{usage.points:.0f} data points, {self.points_required} required",
            )
        skip_cpu = self._hpa_scales_on(inputs, "cpu")
        skip_mem = self._hpa_scales_on(inputs, "memory")
        if skip_cpu and skip_mem:
            return NoRecommendation(
                inputs.key, self.name, Reason.UNSUPPORTED, "HPA scales on CPU and memory"
            )
        cpu = self._cpu(usage)
        peak = float(usage.memory_peak.max())
        memory = peak * (1.0 + self.memory_buffer_percentage / 100.0)
        cur = inputs.current
        evidence = (
            Evidence(f"cpu_p{self.cpu_percentile:g}", cpu, "cores"),
            Evidence("memory_max", peak, "bytes"),
            Evidence("points", usage.points, "count"),
        )
        notes: list[str] = []
        if skip_cpu:
            notes.append("CPU left as is: HPA scales on CPU (KRR default)")
        if skip_mem:
            notes.append("memory left as is: HPA scales on memory (KRR default)")
        return Proposal(
            Resources(
                cpu_request=cur.cpu_request if skip_cpu else cpu,
                cpu_limit=cur.cpu_limit if skip_cpu else None,
                memory_request=cur.memory_request if skip_mem else memory,
                memory_limit=cur.memory_limit if skip_mem else memory,
            ),
            evidence,
            tuple(notes),
        )
