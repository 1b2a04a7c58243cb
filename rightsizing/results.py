"""What the engine returns: a recommendation with its evidence, or a reasoned refusal.

"No recommendation" is a value, not an exception (as in Robusta KRR): the weekly
job stores it with its reason so that an operator sees *why* a container was left
alone (too little data, opted out, change too small to be worth a PR).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rightsizing.inputs import Resources


@dataclass(frozen=True)
class Evidence:
    """One number behind a recommendation, e.g. ``cpu_p95 = 0.42 cores over 2016 points``."""

    name: str
    value: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Proposal:
    """A strategy's raw answer, before guardrails, autoscaler and quota adjustments."""

    resources: Resources
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()


class Reason(StrEnum):
    INSUFFICIENT_DATA = "insufficient-data"
    OPTED_OUT = "opted-out"
    BELOW_THRESHOLD = "below-threshold"
    UNSUPPORTED = "unsupported"
    # a finops.tacos.io annotation that cannot be read: the team's bound is not known, so
    # nothing is recommended for the workload until it is fixed (the others go on)
    INVALID_ANNOTATION = "invalid-annotation"
    # the workload's spec cannot be used (``ContainerInputs.spec_error``)
    INVALID_SPEC = "invalid-spec"
    # the engine failed on this container alone (``recommend_fleet(isolate_errors=True)``)
    ENGINE_ERROR = "engine-error"


@dataclass(frozen=True)
class NoRecommendation:
    key: str
    strategy: str
    reason: Reason
    detail: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class HpaAdjustment:
    """How the HPA target moves so that target% x request stays at the same absolute point."""

    resource: str  # "cpu" | "memory"
    current_target_percent: float
    new_target_percent: float
    scale_out_point: float  # absolute usage per pod where the HPA scales out (cores or bytes)
    kept: bool  # False when bounds made it impossible; ``note`` says why
    note: str = ""


@dataclass(frozen=True)
class Recommendation:
    key: str
    strategy: str
    current: Resources
    recommended: Resources
    monthly_saving: Decimal  # dollars; negative when it asks for more
    confidence: float  # 0..1
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...] = ()
    hpa: tuple[HpaAdjustment, ...] = ()
    window_start_s: float = 0.0
    window_end_s: float = 0.0

    @property
    def confidence_label(self) -> str:
        if self.confidence >= 0.75:
            return "high"
        if self.confidence >= 0.4:
            return "medium"
        return "low"

    def evidence_value(self, name: str) -> float:
        for e in self.evidence:
            if e.name == name:
                return e.value
        raise KeyError(name)


Outcome = Recommendation | NoRecommendation
