"""Build the engine's ``ContainerInputs`` from the database.

One query for the window's hourly usage, one for current specs, one for workloads,
quotas and nodes: the whole cluster's inputs are loaded in a handful of round trips,
never one query per container.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Cluster, ContainerSpecVersion, Node, ResourceQuota, UsageHour, Workload
from rightsizing.inputs import (
    Autoscaler,
    ContainerInputs,
    HourlyUsage,
    OomEvent,
    QuotaContext,
    ReplicaHistory,
    Resources,
    UnitPrices,
    UsageHistory,
)

GIB = 2.0**30


@dataclass(frozen=True)
class ContainerRef:
    cluster: str
    namespace: str
    workload_kind: str
    workload: str
    container: str

    @property
    def key(self) -> str:
        return (
            f"{self.cluster}/{self.namespace}/{self.workload_kind}/{self.workload}/{self.container}"
        )


def _f(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def unit_prices(session: Session, cpu_to_memory_ratio: float) -> UnitPrices:
    """$/core-hour and $/GiB-hour from node prices, split by the configured ratio."""
    cpu_total = mem_total = 0.0
    for price, cores, mem in session.execute(
        select(Node.hourly_price, Node.cpu_cores, Node.memory_bytes).where(
            Node.hourly_price.is_not(None)
        )
    ):
        # price = cpu_price*cores + mem_price*GiB with cpu_price = ratio*mem_price
        if price is None:
            continue
        mem_price = float(price) / (cpu_to_memory_ratio * float(cores) + float(mem) / GIB)
        cpu_total += mem_price * cpu_to_memory_ratio * float(cores)
        mem_total += mem_price * float(mem) / GIB
    cores_sum = sum(float(c) for (c,) in session.execute(select(Node.cpu_cores)))
    mem_sum = sum(float(m) / GIB for (m,) in session.execute(select(Node.memory_bytes)))
    if cpu_total <= 0 or cores_sum <= 0 or mem_sum <= 0:
        return UnitPrices()
    return UnitPrices(
        cpu_core_hour=Decimal(str(round(cpu_total / cores_sum, 6))),
        memory_gib_hour=Decimal(str(round(mem_total / mem_sum, 6))),
    )


def _autoscaler(specs: list[dict[str, Any]]) -> Autoscaler | None:
    for a in specs:
        cpu_t = mem_t = None
        for m in a.get("metrics", []):
            if m.get("type") == "Resource" and m.get("target_type", "Utilization") == "Utilization":
                if m.get("name") == "cpu":
                    cpu_t = float(m["target"])
                elif m.get("name") == "memory":
                    mem_t = float(m["target"])
        kind: Literal["hpa", "keda"] = "keda" if a.get("kind") == "ScaledObject" else "hpa"
        return Autoscaler(kind, int(a["min_replicas"]), int(a["max_replicas"]), cpu_t, mem_t)
    return None


def load_inputs(
    session: Session,
    start: datetime,
    end: datetime,
    prices: UnitPrices,
    namespaces: list[str] | None = None,
) -> list[tuple[ContainerRef, ContainerInputs, Workload]]:
    """Every container with a current spec, with its usage between ``start`` and ``end``."""
    wl_stmt = select(Workload, Cluster.name).join(Cluster, Cluster.id == Workload.cluster_id)
    if namespaces:
        wl_stmt = wl_stmt.where(Workload.namespace.in_(namespaces))
    workloads = {w.id: (w, cname) for w, cname in session.execute(wl_stmt)}
    specs = session.scalars(
        select(ContainerSpecVersion).where(ContainerSpecVersion.valid_to.is_(None))
    ).all()
    usage: dict[tuple[str, str, str, str, str], list[UsageHour]] = defaultdict(list)
    u_stmt = (
        select(UsageHour, Cluster.name)
        .join(Cluster, Cluster.id == UsageHour.cluster_id)
        .where(UsageHour.hour >= start, UsageHour.hour < end)
        .order_by(UsageHour.hour)
    )
    for u, cname in session.execute(u_stmt):
        usage[(cname, u.namespace, u.workload_kind, u.workload, u.container)].append(u)
    quotas = _quota_hard(session)
    at_max = _namespace_totals_at_max(workloads, specs)
    out = []
    for spec in specs:
        if spec.workload_id not in workloads:
            continue
        w, cname = workloads[spec.workload_id]
        ref = ContainerRef(cname, w.namespace, w.kind, w.name, spec.container)
        rows = usage.get((cname, w.namespace, w.kind, w.name, spec.container), [])
        current = Resources(
            _f(spec.cpu_request), _f(spec.cpu_limit), _f(spec.memory_request), _f(spec.memory_limit)
        )
        hourly = [
            HourlyUsage(
                hour_start_s=r.hour.timestamp(),
                cpu_p50=r.cpu_p50,
                cpu_p90=max(r.cpu_p90, r.cpu_p50),
                cpu_p95=max(r.cpu_p95, r.cpu_p90, r.cpu_p50),
                cpu_p99=max(r.cpu_p99, r.cpu_p95, r.cpu_p90, r.cpu_p50),
                cpu_max=max(r.cpu_max, r.cpu_p99, r.cpu_p95),
                memory_avg=r.memory_avg,
                memory_p95=r.memory_p95,
                memory_max=max(r.memory_max, r.memory_p95),
                samples=r.samples,
                pods=r.pods,
                oom_kills=r.oom_kills,
                restarts=r.restarts,
                throttled_ratio=r.throttled_ratio,
            )
            for r in rows
        ]
        replicas = _replicas(rows, start, end)
        ooms = tuple(
            OomEvent(r.hour.timestamp(), float(spec.memory_limit or r.memory_max))
            for r in rows
            if r.oom_kills > 0
        )
        throttled = [r.throttled_ratio for r in rows if r.throttled_ratio is not None]
        key = (cname, w.namespace)
        quota = None
        if key in quotas:
            own = _container_at_max(w, spec)
            others = {k: at_max[key].get(k, 0.0) - own.get(k, 0.0) for k in quotas[key]}
            quota = QuotaContext(hard=quotas[key], others_at_max=others)
        inputs = ContainerInputs(
            key=ref.key,
            usage=UsageHistory.from_hourly(hourly),
            current=current,
            replicas=replicas,
            autoscaler=_autoscaler(list(w.autoscalers or [])),
            oom_events=ooms,
            restarts=sum(r.restarts for r in rows),
            throttled_ratio=float(np.mean(throttled)) if throttled else None,
            annotations=dict(w.annotations or {}),
            prices=prices,
            quota=quota,
            now_s=end.timestamp(),
            # History starts when we first saw the workload, not before it existed.
            start_s=max(start, w.first_seen).timestamp(),
        )
        out.append((ref, inputs, w))
    return out


def _replicas(rows: list[UsageHour], start: datetime, end: datetime) -> ReplicaHistory:
    """Hourly replica counts over the window; hours without usage rows count as zero pods."""
    hours = int((end - start).total_seconds() // 3600)
    if hours <= 0:
        return ReplicaHistory(np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64))
    counts = np.zeros(hours)
    t0 = start.timestamp()
    for r in rows:
        i = int((r.hour.timestamp() - t0) // 3600)
        if 0 <= i < hours:
            counts[i] = r.pods
    seen = np.nonzero(counts)[0]
    if seen.size:  # before the first sighting the workload may not have existed
        counts = counts[seen[0] :]
        t0 += float(seen[0]) * 3600
    times = t0 + 3600.0 * np.arange(counts.size, dtype=np.float64)
    return ReplicaHistory(times, counts)


def _max_replicas(w: Workload) -> int:
    bounds = [int(a["max_replicas"]) for a in (w.autoscalers or []) if "max_replicas" in a]
    return max(bounds) if bounds else int(w.replicas or 1)


def _container_at_max(w: Workload, spec: ContainerSpecVersion) -> dict[str, float]:
    n = _max_replicas(w)
    vals = {
        "requests.cpu": spec.cpu_request,
        "requests.memory": spec.memory_request,
        "limits.cpu": spec.cpu_limit,
        "limits.memory": spec.memory_limit,
    }
    return {k: float(v) * n for k, v in vals.items() if v is not None}


def _namespace_totals_at_max(
    workloads: dict[int, tuple[Workload, str]], specs: list[ContainerSpecVersion] | Any
) -> dict[tuple[str, str], dict[str, float]]:
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for spec in specs:
        if spec.workload_id not in workloads:
            continue
        w, cname = workloads[spec.workload_id]
        for k, v in _container_at_max(w, spec).items():
            totals[(cname, w.namespace)][k] += v
    return totals


def _quota_hard(session: Session) -> dict[tuple[str, str], dict[str, float]]:
    out: dict[tuple[str, str], dict[str, float]] = {}
    stmt = select(ResourceQuota, Cluster.name).join(Cluster, Cluster.id == ResourceQuota.cluster_id)
    for q, cname in session.execute(stmt):
        hard = out.setdefault((cname, q.namespace), {})
        for k, v in (q.hard or {}).items():
            name = "requests.cpu" if k == "cpu" else "requests.memory" if k == "memory" else k
            if name in {"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}:
                hard[name] = min(hard.get(name, float("inf")), float(v))
    return out
