"""The small types that describe a simulated cluster: containers, scaling, node groups.

They hold both the Kubernetes spec (requests, limits, autoscalers) and the usage model
behind it, so one object says what a workload asks for and how it behaves. Memory is in
MiB here and converted to bytes only when records are built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from collectors.records import AutoscalerSpec, ContainerSpec

MIB = 1024 * 1024

LoadKind = Literal["rps", "queue", "constant"]
ScalingKind = Literal["fixed", "hpa", "keda", "daemonset"]


def _dec(value: float | None, scale: int = 1) -> Decimal | None:
    return None if value is None else Decimal(str(value)) * scale


@dataclass(frozen=True)
class ContainerModel:
    """One container: its spec and how its usage responds to the per-pod load.

    Per-pod CPU (cores) = ``cpu_base + cpu_per_unit * load_per_pod``; per-pod memory
    (MiB) = ``memory_base + memory_per_unit * load_per_pod + memory_leak_per_hour * age``.
    """

    name: str
    cpu_request: float | None
    cpu_limit: float | None
    memory_request: float | None
    memory_limit: float | None
    cpu_base: float
    cpu_per_unit: float
    memory_base: float
    memory_per_unit: float = 0.0
    memory_leak_per_hour: float = 0.0

    def spec(self) -> ContainerSpec:
        return ContainerSpec(
            name=self.name,
            cpu_request=_dec(self.cpu_request),
            cpu_limit=_dec(self.cpu_limit),
            memory_request=_dec(self.memory_request, MIB),
            memory_limit=_dec(self.memory_limit, MIB),
        )


@dataclass(frozen=True)
class Scaling:
    """How the replica count is decided.

    ``hpa``: CPU utilization target (percent of request), autoscaling/v2.
    ``keda``: ScaledObject with an ``aws-sqs-queue`` trigger; ``target`` is the
    queueLength per replica and ``activation`` the activationQueueLength.
    ``daemonset``: one pod per node. ``fixed``: ``min_replicas`` always.
    """

    kind: ScalingKind
    min_replicas: int = 1
    max_replicas: int = 1
    target: int = 0
    activation: int = 0
    queue_name: str = ""


@dataclass(frozen=True)
class RequestChange:
    """A past change of requests (a merged rightsizing PR), so the spec history has two rows.

    Before ``hour_utc`` on the day ``days_before_last`` days before the last whole day,
    the containers named in ``earlier`` had these (CPU cores, memory MiB) requests.
    Only requests change, so usage is unaffected and only the allocation differs.
    """

    days_before_last: int
    hour_utc: int
    earlier: Mapping[str, tuple[float, float]]

    def first_hour_after(self, whole_days: int) -> int:
        """Hour of the span at which the current spec starts (0 or less: before the span)."""
        return (whole_days - 1 - self.days_before_last) * 24 + self.hour_utc

    def before(self, containers: tuple[ContainerModel, ...]) -> tuple[ContainerModel, ...]:
        out = []
        for c in containers:
            if c.name in self.earlier:
                cpu, memory = self.earlier[c.name]
                c = replace(c, cpu_request=cpu, memory_request=memory)
            out.append(c)
        return tuple(out)


@dataclass(frozen=True)
class WorkloadModel:
    namespace: str
    kind: str
    name: str
    labels: Mapping[str, str]
    scaling: Scaling
    containers: tuple[ContainerModel, ...]
    load_kind: LoadKind = "constant"
    load_share: float = 1.0
    annotations: Mapping[str, str] = field(default_factory=dict)
    request_change: RequestChange | None = None

    def spec_versions(self, whole_days: int) -> list[tuple[int, tuple[ContainerModel, ...]]]:
        """(first hour of the span, containers) for each spec in force during the span."""
        change = self.request_change
        if change is None:
            return [(0, self.containers)]
        switch = change.first_hour_after(whole_days)
        if switch <= 0:
            return [(0, self.containers)]
        return [(0, change.before(self.containers)), (switch, self.containers)]

    def autoscalers(self) -> tuple[AutoscalerSpec, ...]:
        s = self.scaling
        if s.kind == "hpa":
            metric: dict[str, object] = {
                "type": "Resource",
                "name": "cpu",
                "target_type": "Utilization",
                "target": s.target,
            }
            return (
                AutoscalerSpec(
                    "HorizontalPodAutoscaler", self.name, s.min_replicas, s.max_replicas, (metric,)
                ),
            )
        if s.kind == "keda":
            trigger: dict[str, object] = {
                "type": "External",
                "name": "aws-sqs-queue",
                "target_type": "AverageValue",
                "target": s.target,
                "activation_target": s.activation,
                "queue_name": s.queue_name,
            }
            scaled = AutoscalerSpec(
                "ScaledObject", self.name, s.min_replicas, s.max_replicas, (trigger,)
            )
            return (scaled,)
        return ()

    def pod_cpu_request(self) -> float:
        """Cores requested by one pod of the current spec."""
        return pod_cpu_request(self.containers)

    def pod_memory_request(self) -> float:
        """MiB requested by one pod of the current spec."""
        return pod_memory_request(self.containers)


def pod_cpu_request(containers: tuple[ContainerModel, ...]) -> float:
    return sum(c.cpu_request or 0.0 for c in containers)


def pod_memory_request(containers: tuple[ContainerModel, ...]) -> float:
    return sum(c.memory_request or 0.0 for c in containers)


@dataclass(frozen=True)
class NodeGroup:
    """A managed node group; ``scales`` groups follow the pending requests (Cluster Autoscaler)."""

    name: str
    instance_type: str
    capacity_type: str
    cpu_cores: int
    memory_gib: int
    hourly_price: Decimal  # us-east-1 list price (on-demand) or a typical spot price
    min_nodes: int
    max_nodes: int
    scales: bool
