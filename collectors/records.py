"""Typed records every collector returns, and the collector interface.

The records are plain frozen dataclasses so that collectors stay free of the
database layer: ``app.ingest`` maps each record type onto its table and upserts
it by the natural key documented on the class. Quantities are in base units
(CPU in cores, memory in bytes) and money is always ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Protocol, runtime_checkable


class CollectorError(Exception):
    """A source could not be read. The message is shown on the collection run."""


def _require_utc(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        raise ValueError(f"{what} must be a timezone-aware UTC datetime, got {value!r}")


@dataclass(frozen=True)
class TimeWindow:
    """A half-open interval [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_utc(self.start, "window start")
        _require_utc(self.end, "window end")
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} must be after start {self.start}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def hours(self) -> list[datetime]:
        """The whole hours that start inside the window."""
        first = self.start.replace(minute=0, second=0, microsecond=0)
        if first < self.start:
            first += timedelta(hours=1)
        out: list[datetime] = []
        t = first
        while t < self.end:
            out.append(t)
            t += timedelta(hours=1)
        return out

    def days(self) -> list[date]:
        """The calendar days (UTC) the window touches."""
        d = self.start.date()
        last = (self.end - timedelta(microseconds=1)).date()
        out: list[date] = []
        while d <= last:
            out.append(d)
            d += timedelta(days=1)
        return out

    def split(self, step: timedelta) -> list[TimeWindow]:
        """Consecutive sub-windows of at most ``step``."""
        if step <= timedelta(0):
            raise ValueError("step must be positive")
        parts: list[TimeWindow] = []
        t = self.start
        while t < self.end:
            nxt = min(t + step, self.end)
            parts.append(TimeWindow(t, nxt))
            t = nxt
        return parts

    @classmethod
    def of_days(cls, first: date, last_inclusive: date) -> TimeWindow:
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        end_day = last_inclusive + timedelta(days=1)
        return cls(start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC))


@dataclass(frozen=True)
class NamespaceRecord:
    """Key: (cluster, name)."""

    cluster: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerSpec:
    """Requests and limits of one container; ``None`` means not set."""

    name: str
    cpu_request: Decimal | None = None  # cores
    cpu_limit: Decimal | None = None  # cores
    memory_request: Decimal | None = None  # bytes
    memory_limit: Decimal | None = None  # bytes


@dataclass(frozen=True)
class AutoscalerSpec:
    """An HPA or KEDA ScaledObject targeting a workload.

    ``metrics`` holds one entry per metric, e.g.
    ``{"type": "Resource", "name": "cpu", "target_type": "Utilization", "target": 70}``
    or ``{"type": "External", "name": "aws-sqs-queue", "target": 5}``.
    """

    kind: str  # "HorizontalPodAutoscaler" | "ScaledObject"
    name: str
    min_replicas: int
    max_replicas: int
    metrics: tuple[Mapping[str, object], ...] = ()


@dataclass(frozen=True)
class WorkloadRecord:
    """A controller and its pod template as seen at ``observed_at``.

    Key: (cluster, namespace, kind, name). ``containers`` goes into the container
    spec history (valid-from / valid-to) so that an hour is charged at the
    request in force then. ``cost_tags`` are already resolved (pod-template labels
    first, then namespace labels) by the configured cost-tag mapping.
    """

    cluster: str
    namespace: str
    kind: str  # Deployment, StatefulSet, DaemonSet, Job, CronJob, Rollout, Pod
    name: str
    observed_at: datetime
    replicas: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    cost_tags: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[ContainerSpec, ...] = ()
    autoscalers: tuple[AutoscalerSpec, ...] = ()


@dataclass(frozen=True)
class ResourceQuotaRecord:
    """Key: (cluster, namespace, name). ``hard`` maps resource name to quantity in base units."""

    cluster: str
    namespace: str
    name: str
    hard: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeRecord:
    """Key: (cluster, name)."""

    cluster: str
    name: str
    instance_type: str
    capacity_type: str  # "on-demand" | "spot"
    zone: str
    cpu_cores: Decimal
    memory_bytes: Decimal
    hourly_price: Decimal | None = None
    observed_at: datetime | None = None  # last time seen running (default: the window's end)
    created_at: datetime | None = None  # when it joined (default: the window's start)


@dataclass(frozen=True)
class ContainerUsageHour:
    """Usage of one container of one workload during one UTC hour, over all its pods.

    Key: (cluster, namespace, workload_kind, workload, container, hour).

    CPU figures are in cores, memory in bytes, computed over the per-pod samples
    of the hour (so p95 is the 95th percentile of per-pod values, not of a sum).
    ``pods`` is the average number of running pods during the hour;
    ``pod_hours`` is the sum of pod presence (pods × fraction of the hour), which is
    what cost allocation multiplies by. An hour with no samples is not emitted.
    """

    cluster: str
    namespace: str
    workload_kind: str
    workload: str
    container: str
    hour: datetime
    cpu_avg: float
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
    pod_hours: float
    throttled_ratio: float | None = None
    oom_kills: int = 0
    restarts: int = 0


@dataclass(frozen=True)
class CostLine:
    """One Cost Explorer amount for one day.

    Key: (day, account_id, aws_service, tag_key, tag_value, metric). An untagged
    amount (Cost Explorer's ``Key$``) has ``tag_value == ""``. When grouped by
    service only, ``tag_key == ""``.
    """

    day: date
    account_id: str
    aws_service: str
    tag_key: str
    tag_value: str
    metric: str  # AmortizedCost | UnblendedCost | ...
    amount: Decimal
    currency: str = "USD"
    estimated: bool = False


@dataclass
class Batch:
    """Everything one collector run returns for one window."""

    namespaces: list[NamespaceRecord] = field(default_factory=list)
    workloads: list[WorkloadRecord] = field(default_factory=list)
    quotas: list[ResourceQuotaRecord] = field(default_factory=list)
    nodes: list[NodeRecord] = field(default_factory=list)
    usage: list[ContainerUsageHour] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    requests_made: int = 0  # paid or remote requests, for accounting and logs

    def __len__(self) -> int:
        return (
            len(self.namespaces)
            + len(self.workloads)
            + len(self.quotas)
            + len(self.nodes)
            + len(self.usage)
            + len(self.costs)
        )

    def extend(self, other: Batch) -> None:
        self.namespaces.extend(other.namespaces)
        self.workloads.extend(other.workloads)
        self.quotas.extend(other.quotas)
        self.nodes.extend(other.nodes)
        self.usage.extend(other.usage)
        self.costs.extend(other.costs)
        self.requests_made += other.requests_made


@runtime_checkable
class Collector(Protocol):
    """One source. ``source`` names it on collection runs and watermarks."""

    source: str

    def collect(self, window: TimeWindow) -> Batch:
        """Return every record of the window, or raise ``CollectorError``."""
        ...
