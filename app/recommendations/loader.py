"""Build the engine's ``ContainerInputs`` from the database.

One query for the window's hourly usage (as columns, ``app.usage.columns``), one for
current specs, one for workloads, quotas and nodes: the whole cluster's inputs are
loaded in a handful of round trips, never one query per container.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Cluster, ContainerSpecVersion, Node, ResourceQuota, Workload
from app.usage.columns import LoadStats, load_hourly_columns
from app.usage.packs import PackPlan
from rightsizing.inputs import (
    Autoscaler,
    ContainerInputs,
    HourlyColumns,
    QuotaContext,
    Resources,
    UnitPrices,
)
from rightsizing.rollups import inputs_from_columns

EMPTY_HOURS = HourlyColumns.from_rows([])

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


def resources_of(spec: ContainerSpecVersion) -> Resources:
    """A stored spec version as the engine's requests and limits."""
    return Resources(
        _f(spec.cpu_request), _f(spec.cpu_limit), _f(spec.memory_request), _f(spec.memory_limit)
    )


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


def autoscaler_from(specs: list[dict[str, Any]]) -> Autoscaler | None:
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
    *,
    plan: list[PackPlan] | None = None,
    stats: LoadStats | None = None,
) -> list[tuple[ContainerRef, ContainerInputs, Workload | None]]:
    """Every container with a current spec or with usage, and its usage in [start, end).

    ``plan`` and ``stats``: see ``load_hourly_columns``."""
    wl_stmt = select(Workload, Cluster.name).join(Cluster, Cluster.id == Workload.cluster_id)
    if namespaces:
        wl_stmt = wl_stmt.where(Workload.namespace.in_(namespaces))
    workloads = {w.id: (w, cname) for w, cname in session.execute(wl_stmt)}
    cluster_names = {int(i): str(n) for i, n in session.execute(select(Cluster.id, Cluster.name))}
    specs = session.scalars(
        select(ContainerSpecVersion).where(ContainerSpecVersion.valid_to.is_(None))
    ).all()
    usage = load_hourly_columns(session, start, end, namespaces, plan=plan, stats=stats)
    quotas = _quota_hard(session)
    at_max = _namespace_totals_at_max(workloads, specs)
    window = (start.timestamp(), end.timestamp())
    out: list[tuple[ContainerRef, ContainerInputs, Workload | None]] = []
    for spec in specs:
        if spec.workload_id not in workloads:
            continue
        w, cname = workloads[spec.workload_id]
        ref = ContainerRef(cname, w.namespace, w.kind, w.name, spec.container)
        cols = usage.pop((w.cluster_id, w.namespace, w.kind, w.name, spec.container), None)
        quota = None
        if (cname, w.namespace) in quotas:
            hard = quotas[(cname, w.namespace)]
            own = _container_at_max(w, spec)
            totals = at_max[(cname, w.namespace)]
            others = {k: totals.get(k, 0.0) - own.get(k, 0.0) for k in hard}
            quota = QuotaContext(hard=hard, others_at_max=others)
        out.append((ref, _inputs(ref, cols, spec, w, quota, prices, window), w))
    # Containers seen in usage without a known spec (e.g. Prometheus-only mode without
    # kube-state-metrics requests): recommend from usage; current requests are unknown.
    by_key = {(w.cluster_id, w.namespace, w.kind, w.name): w for w, _ in workloads.values()}
    for (cluster_id, ns, kind, name, container), cols in usage.items():
        ref = ContainerRef(cluster_names.get(cluster_id, "?"), ns, kind, name, container)
        w_or_none = by_key.get((cluster_id, ns, kind, name))
        out.append((ref, _inputs(ref, cols, None, w_or_none, None, prices, window), w_or_none))
    return out


def _inputs(
    ref: ContainerRef,
    cols: HourlyColumns | None,
    spec: ContainerSpecVersion | None,
    w: Workload | None,
    quota: QuotaContext | None,
    prices: UnitPrices,
    window: tuple[float, float],
) -> ContainerInputs:
    current = resources_of(spec) if spec is not None else Resources()
    autoscaler, spec_error = None, ""
    if w is not None:
        try:
            autoscaler = autoscaler_from(list(w.autoscalers or []))
        except (KeyError, TypeError, ValueError) as exc:  # InvalidInputError is a ValueError
            # one odd object must not stop the run; nor may its HPA be ignored
            spec_error = f"its autoscaler cannot be read ({type(exc).__name__}: {exc})"
    inputs = inputs_from_columns(
        ref.key,
        cols if cols is not None else EMPTY_HOURS,
        window[0],
        window[1],
        current=current,
        autoscaler=autoscaler,
        annotations=dict(w.annotations or {}) if w is not None else {},
        prices=prices,
        quota=quota,
        # History starts when we first saw the workload (or its usage), not before.
        first_seen_s=w.first_seen.timestamp() if w is not None else None,
    )
    return replace(inputs, spec_error=spec_error) if spec_error else inputs


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
