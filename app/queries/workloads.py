"""Read model for workloads: current requests and recent usage, for the API and pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Cluster, ContainerSpecVersion, UsageHour, Workload


@dataclass
class ContainerView:
    name: str
    cpu_request: Decimal | None
    cpu_limit: Decimal | None
    memory_request: Decimal | None
    memory_limit: Decimal | None


@dataclass
class WorkloadView:
    cluster: str
    namespace: str
    kind: str
    name: str
    replicas: int | None
    cost_tags: dict[str, str]
    labels: dict[str, str]
    autoscalers: list[dict[str, Any]]
    containers: list[ContainerView] = field(default_factory=list)
    cpu_avg_cores: float | None = None  # last day, summed over pods
    cpu_p95_cores: float | None = None  # last day, per pod
    memory_max_bytes: float | None = None  # last day, per pod
    usage_hours: int = 0

    @property
    def cpu_request_total(self) -> Decimal | None:
        vals = [c.cpu_request for c in self.containers if c.cpu_request is not None]
        return sum(vals, Decimal(0)) if vals else None

    @property
    def memory_request_total(self) -> Decimal | None:
        vals = [c.memory_request for c in self.containers if c.memory_request is not None]
        return sum(vals, Decimal(0)) if vals else None


def list_workloads(
    session: Session, *, namespace: str | None = None, cluster: str | None = None
) -> list[WorkloadView]:
    stmt = select(Workload, Cluster.name).join(Cluster, Cluster.id == Workload.cluster_id)
    if namespace:
        stmt = stmt.where(Workload.namespace == namespace)
    if cluster:
        stmt = stmt.where(Cluster.name == cluster)
    stmt = stmt.order_by(Cluster.name, Workload.namespace, Workload.name)
    rows = session.execute(stmt).all()
    views: dict[int, WorkloadView] = {}
    for w, cname in rows:
        views[w.id] = WorkloadView(
            cluster=cname,
            namespace=w.namespace,
            kind=w.kind,
            name=w.name,
            replicas=w.replicas,
            cost_tags=dict(w.cost_tags or {}),
            labels=dict(w.labels or {}),
            autoscalers=list(w.autoscalers or []),
        )
    if not views:
        return []
    specs = session.scalars(
        select(ContainerSpecVersion)
        .where(
            ContainerSpecVersion.workload_id.in_(list(views)),
            ContainerSpecVersion.valid_to.is_(None),
        )
        .order_by(ContainerSpecVersion.container)
    )
    for s in specs:
        views[s.workload_id].containers.append(
            ContainerView(s.container, s.cpu_request, s.cpu_limit, s.memory_request, s.memory_limit)
        )
    _attach_last_day_usage(session, list(views.values()))
    return list(views.values())


def _attach_last_day_usage(session: Session, views: list[WorkloadView]) -> None:
    latest: datetime | None = session.scalar(select(func.max(UsageHour.hour)))
    if latest is None:
        return
    since = latest - timedelta(hours=23)
    stmt = (
        select(
            Cluster.name,
            UsageHour.namespace,
            UsageHour.workload_kind,
            UsageHour.workload,
            UsageHour.hour,
            func.sum(UsageHour.cpu_avg * UsageHour.pods),
            func.max(UsageHour.cpu_p95),
            func.max(UsageHour.memory_max),
        )
        .join(Cluster, Cluster.id == UsageHour.cluster_id)
        .where(UsageHour.hour >= since)
        .group_by(
            Cluster.name,
            UsageHour.namespace,
            UsageHour.workload_kind,
            UsageHour.workload,
            UsageHour.hour,
        )
    )
    per: dict[tuple[str, str, str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for cname, ns, kind, name, _hour, cpu_total, cpu_p95, mem_max in session.execute(stmt):
        per[(cname, ns, kind, name)].append((float(cpu_total), float(cpu_p95), float(mem_max)))
    for v in views:
        hours = per.get((v.cluster, v.namespace, v.kind, v.name))
        if not hours:
            continue
        v.usage_hours = len(hours)
        v.cpu_avg_cores = sum(h[0] for h in hours) / len(hours)
        v.cpu_p95_cores = max(h[1] for h in hours)
        v.memory_max_bytes = max(h[2] for h in hours)


def hourly_cpu_series(
    session: Session, cluster: str, namespace: str, kind: str, name: str, hours: int = 24 * 7
) -> list[tuple[datetime, float, float]]:
    """(hour, total CPU cores used, running pods) for one workload, oldest first."""
    latest = session.scalar(select(func.max(UsageHour.hour)))
    if latest is None:
        return []
    since = latest - timedelta(hours=hours - 1)
    stmt = (
        select(
            UsageHour.hour, func.sum(UsageHour.cpu_avg * UsageHour.pods), func.max(UsageHour.pods)
        )
        .join(Cluster, Cluster.id == UsageHour.cluster_id)
        .where(
            Cluster.name == cluster,
            UsageHour.namespace == namespace,
            UsageHour.workload_kind == kind,
            UsageHour.workload == name,
            UsageHour.hour >= since,
        )
        .group_by(UsageHour.hour)
        .order_by(UsageHour.hour)
    )
    return [(h, float(c), float(p)) for h, c, p in session.execute(stmt)]
