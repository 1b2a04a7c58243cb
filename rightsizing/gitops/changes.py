"""What the GitOps step is asked to do, independent of the database and of the forge.

``app`` maps its stored recommendation rows onto ``ChangeRequest``; the patcher
and the PR renderer take only these types, so they can be tested with plain
values and reused by any caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout")
FIELDS = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


@dataclass(frozen=True)
class WorkloadRef:
    """One container of one workload. ``namespace`` matches only documents that name one."""

    kind: str
    name: str
    container: str
    namespace: str | None = None
    cluster: str = ""

    def label(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{ns}{self.kind}/{self.name} container {self.container}"


@dataclass(frozen=True)
class ResourceValues:
    """Requests and limits in cores and bytes; None means "not set"."""

    cpu_request: Decimal | None = None
    cpu_limit: Decimal | None = None
    memory_request: Decimal | None = None
    memory_limit: Decimal | None = None

    def get(self, name: str) -> Decimal | None:
        value: Decimal | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class HpaTarget:
    """Move an HPA's utilization target so the absolute scale-out point stays put."""

    resource: str  # cpu | memory
    current_percent: float
    new_percent: float
    kept: bool = True
    note: str = ""

    @property
    def new_value(self) -> int:
        """HPA targets are whole percentages; round to nearest (the engine's bounds hold)."""
        return round(self.new_percent)


@dataclass(frozen=True)
class EvidenceItem:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class ChangeRequest:
    """One recommendation to write into the manifests, with everything the PR must show."""

    ref: WorkloadRef
    current: ResourceValues
    recommended: ResourceValues
    monthly_saving: Decimal
    confidence: float
    evidence: tuple[EvidenceItem, ...] = ()
    notes: tuple[str, ...] = ()
    hpa: tuple[HpaTarget, ...] = ()
    strategy: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None

    @property
    def confidence_label(self) -> str:
        if self.confidence >= 0.75:
            return "high"
        if self.confidence >= 0.4:
            return "medium"
        return "low"
