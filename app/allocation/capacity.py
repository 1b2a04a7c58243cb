"""Capacity cost: what each service costs per month at its autoscaler's bounds.

For a workload scaled by an HPA or a KEDA ScaledObject, one replica costs its pod
requests at the cluster's unit prices ($/core-hour, $/GiB-hour, the average the
allocation charged over the window). Minimum, current and maximum replicas give the
monthly floor, today's run rate and the ceiling at peak (the 30k RPS sizing). A
workload without an autoscaler has all three at its current replicas. KEDA's
minimum may be zero (scale to zero).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.allocation.models import AllocationRow
from app.allocation.money import MICRO
from app.allocation.queries import micros_sum
from app.allocation.window import DayWindow
from app.db.models import Cluster, ContainerSpecVersion, Workload

HOURS_PER_MONTH = Decimal(730)  # 8760 / 12, AWS's convention for monthly prices
GIB = Decimal(2**30)


@dataclass(frozen=True)
class UnitPrices:
    cpu_core_hour: Decimal
    ram_gib_hour: Decimal


@dataclass(frozen=True)
class WorkloadCapacity:
    cluster: str
    namespace: str
    name: str
    service: str
    cpu_request: Decimal  # cores per pod
    ram_request_gib: Decimal  # GiB per pod
    min_replicas: int
    current_replicas: int
    max_replicas: int
    autoscaler: str | None


@dataclass
class ServiceCapacity:
    service: str
    workloads: list[str] = field(default_factory=list)
    pod_hourly_cost: Decimal = Decimal(0)
    monthly_at_min: Decimal = Decimal(0)
    monthly_at_current: Decimal = Decimal(0)
    monthly_at_max: Decimal = Decimal(0)
    autoscaled: bool = False
    priced: bool = True


def bounds(
    replicas: int | None, autoscalers: Iterable[Mapping[str, Any]]
) -> tuple[int, int, int, str | None]:
    """(min, current, max, autoscaler kind) from the workload's autoscalers."""
    current = max(int(replicas or 0), 0)
    scalers = list(autoscalers)
    if not scalers:
        return current, current, current, None
    a = scalers[0]
    lo = int(a.get("min_replicas", current))
    hi = max(int(a.get("max_replicas", current)), lo)
    return lo, min(max(current, lo), hi) if current else lo, hi, str(a.get("kind"))


def service_capacity(
    workloads: Iterable[WorkloadCapacity], prices: Mapping[str, UnitPrices]
) -> list[ServiceCapacity]:
    out: dict[str, ServiceCapacity] = {}
    for w in workloads:
        s = out.setdefault(w.service, ServiceCapacity(w.service))
        s.workloads.append(f"{w.namespace}/{w.name}")
        p = prices.get(w.cluster)
        if p is None:
            s.priced = False
            continue
        pod = w.cpu_request * p.cpu_core_hour + w.ram_request_gib * p.ram_gib_hour
        s.pod_hourly_cost += pod
        s.monthly_at_min += pod * w.min_replicas * HOURS_PER_MONTH
        s.monthly_at_current += pod * w.current_replicas * HOURS_PER_MONTH
        s.monthly_at_max += pod * w.max_replicas * HOURS_PER_MONTH
        s.autoscaled = s.autoscaled or w.autoscaler is not None
    for s in out.values():
        for attr in ("pod_hourly_cost", "monthly_at_min", "monthly_at_current", "monthly_at_max"):
            setattr(s, attr, getattr(s, attr).quantize(MICRO))
    return sorted(out.values(), key=lambda s: (-s.monthly_at_max, s.service))


@dataclass
class CapacityReport:
    window: DayWindow
    prices: dict[str, UnitPrices]
    services: list[ServiceCapacity]

    def as_dict(self) -> dict[str, Any]:
        return {
            "window": self.window.as_json(),
            "hoursPerMonth": int(HOURS_PER_MONTH),
            "unitPrices": {
                c: {"cpuCoreHour": f"{p.cpu_core_hour:.6f}", "ramGiBHour": f"{p.ram_gib_hour:.6f}"}
                for c, p in sorted(self.prices.items())
            },
            "items": [
                {
                    "service": s.service,
                    "workloads": s.workloads,
                    "autoscaled": s.autoscaled,
                    "priced": s.priced,
                    "podHourlyCost": f"{s.pod_hourly_cost:.6f}",
                    "monthlyAtMin": f"{s.monthly_at_min:.2f}",
                    "monthlyAtCurrent": f"{s.monthly_at_current:.2f}",
                    "monthlyAtMax": f"{s.monthly_at_max:.2f}",
                }
                for s in self.services
            ],
        }


def unit_prices(session: Session, window: DayWindow, metric: str) -> dict[str, UnitPrices]:
    r = AllocationRow
    stmt = (
        select(
            r.cluster,
            func.sum(r.cpu_core_hours),
            func.sum(r.ram_gib_hours),
            micros_sum(r.cpu_cost),
            micros_sum(r.ram_cost),
        )
        .where(
            r.metric == metric, r.category == "workload", r.day >= window.start, r.day < window.end
        )
        .group_by(r.cluster)
    )
    out: dict[str, UnitPrices] = {}
    for cluster, cpu_h, ram_h, cpu_c, ram_c in session.execute(stmt):
        if not cpu_h or not ram_h:
            continue
        out[cluster] = UnitPrices(
            (Decimal(int(cpu_c)) / Decimal(10**6) / Decimal(repr(float(cpu_h)))).quantize(MICRO),
            (Decimal(int(ram_c)) / Decimal(10**6) / Decimal(repr(float(ram_h)))).quantize(MICRO),
        )
    return out


def load_workload_capacity(session: Session) -> list[WorkloadCapacity]:
    requests: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for wid, cpu, mem in session.execute(
        select(
            ContainerSpecVersion.workload_id,
            ContainerSpecVersion.cpu_request,
            ContainerSpecVersion.memory_request,
        ).where(ContainerSpecVersion.valid_to.is_(None))
    ):
        c, m = requests[wid]
        requests[wid] = (c + (cpu or 0), m + (mem or 0) / GIB)
    out = []
    stmt = select(Workload, Cluster.name).join(Cluster, Cluster.id == Workload.cluster_id)
    for w, cluster in session.execute(stmt):
        lo, cur, hi, kind = bounds(w.replicas, w.autoscalers or [])
        cpu, ram = requests[w.id]
        out.append(
            WorkloadCapacity(
                cluster=cluster,
                namespace=w.namespace,
                name=w.name,
                service=(w.cost_tags or {}).get("service") or w.name,
                cpu_request=cpu,
                ram_request_gib=ram,
                min_replicas=lo,
                current_replicas=cur,
                max_replicas=hi,
                autoscaler=kind,
            )
        )
    return out


def capacity_report(session: Session, window: DayWindow, metric: str) -> CapacityReport:
    prices = unit_prices(session, window, metric)
    return CapacityReport(window, prices, service_capacity(load_workload_capacity(session), prices))
