"""Read model for the Service page: hourly usage against the requests in force then.

Figures are per pod (the unit requests and limits are set in), summed over the
workload's containers. An hour's request is the one valid at that hour in the
container-spec history, so a request change shows as a step where it happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Cluster, ContainerSpecVersion, UsageHour, Workload
from app.errors import NotFoundError


@dataclass(frozen=True)
class WorkloadRef:
    cluster: str
    namespace: str
    kind: str
    name: str
    id: int
    cost_tags: dict[str, str]
    labels: dict[str, str]
    autoscalers: list[dict[str, Any]]
    replicas: int | None


@dataclass
class HourPoint:
    hour: datetime
    cpu_avg: float = 0.0  # cores per pod
    cpu_p95: float = 0.0
    cpu_max: float = 0.0
    mem_avg: float = 0.0  # bytes per pod
    mem_p95: float = 0.0
    mem_max: float = 0.0
    pods: float = 0.0
    cpu_request: float | None = None
    cpu_limit: float | None = None
    mem_request: float | None = None
    mem_limit: float | None = None
    oom_kills: int = 0


@dataclass
class ServiceUsage:
    ref: WorkloadRef
    hours: list[HourPoint] = field(default_factory=list)

    @property
    def replica_range(self) -> tuple[float, float] | None:
        pods = [h.pods for h in self.hours if h.pods > 0]
        return (min(pods), max(pods)) if pods else None

    def efficiency(self, resource: str) -> float | None:
        """Usage ÷ request over the window, weighted by running pods (``cpu`` or ``mem``)."""
        used = requested = 0.0
        for h in self.hours:
            req = h.cpu_request if resource == "cpu" else h.mem_request
            if req is None or req <= 0:
                continue
            used += (h.cpu_avg if resource == "cpu" else h.mem_avg) * h.pods
            requested += req * h.pods
        return used / requested if requested > 0 else None

    @property
    def oom_kills(self) -> int:
        return sum(h.oom_kills for h in self.hours)


def find_workload(
    session: Session, namespace: str, name: str, cluster: str | None = None
) -> WorkloadRef:
    stmt = (
        select(Workload, Cluster.name)
        .join(Cluster, Cluster.id == Workload.cluster_id)
        .where(Workload.namespace == namespace, Workload.name == name)
        .order_by(Cluster.name, Workload.kind)
    )
    if cluster:
        stmt = stmt.where(Cluster.name == cluster)
    row = session.execute(stmt).first()
    if row is None:
        where = f" in cluster {cluster}" if cluster else ""
        raise NotFoundError(f"no workload {namespace}/{name}{where}")
    w, cname = row
    return WorkloadRef(
        cname,
        w.namespace,
        w.kind,
        w.name,
        w.id,
        dict(w.cost_tags or {}),
        dict(w.labels or {}),
        list(w.autoscalers or []),
        w.replicas,
    )


def _f(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _spec_at(
    specs: list[ContainerSpecVersion], hour: datetime
) -> tuple[float | None, float | None, float | None, float | None]:
    """Per-pod request/limit sums of the container versions valid at ``hour``."""
    live = [s for s in specs if s.valid_from <= hour and (s.valid_to is None or hour < s.valid_to)]
    if not live:
        # the first observation may come after the first usage hour: use the earliest
        first = min((s.valid_from for s in specs), default=None)
        live = [s for s in specs if s.valid_from == first] if first and hour < first else []
    if not live:
        return None, None, None, None

    def total(attr: str) -> float | None:
        vals = [_f(getattr(s, attr)) for s in live]
        return None if any(v is None for v in vals) else sum(v for v in vals if v is not None)

    return total("cpu_request"), total("cpu_limit"), total("memory_request"), total("memory_limit")


def service_usage(session: Session, ref: WorkloadRef, days: int) -> ServiceUsage:
    """The last ``days`` days of hourly usage (ending at the newest stored hour)."""
    cluster_id = session.scalar(select(Cluster.id).where(Cluster.name == ref.cluster))
    base = (
        UsageHour.cluster_id == cluster_id,
        UsageHour.namespace == ref.namespace,
        UsageHour.workload_kind == ref.kind,
        UsageHour.workload == ref.name,
    )
    latest = session.scalar(select(func.max(UsageHour.hour)).where(*base))
    out = ServiceUsage(ref)
    if latest is None:
        return out
    since = latest - timedelta(hours=24 * days - 1)
    rows = session.scalars(
        select(UsageHour).where(*base, UsageHour.hour >= since).order_by(UsageHour.hour)
    ).all()
    specs = list(
        session.scalars(
            select(ContainerSpecVersion).where(ContainerSpecVersion.workload_id == ref.id)
        )
    )
    by_container: dict[str, list[ContainerSpecVersion]] = defaultdict(list)
    for s in specs:
        by_container[s.container].append(s)
    points: dict[datetime, HourPoint] = {}
    for r in rows:
        p = points.setdefault(r.hour, HourPoint(r.hour))
        p.cpu_avg += r.cpu_avg
        p.cpu_p95 += r.cpu_p95
        p.cpu_max += r.cpu_max
        p.mem_avg += r.memory_avg
        p.mem_p95 += r.memory_p95
        p.mem_max += r.memory_max
        p.pods = max(p.pods, r.pods)
        p.oom_kills += r.oom_kills
    all_specs = [s for group in by_container.values() for s in group]
    for p in points.values():
        p.cpu_request, p.cpu_limit, p.mem_request, p.mem_limit = _spec_at(all_specs, p.hour)
    out.hours = [points[h] for h in sorted(points)]
    return out
