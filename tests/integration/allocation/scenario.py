"""A small cluster with known answers, ingested through the real ingest path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from app.ingest import run_collector
from collectors.records import (
    AutoscalerSpec,
    Batch,
    ContainerSpec,
    ContainerUsageHour,
    CostLine,
    NamespaceRecord,
    NodeRecord,
    TimeWindow,
    WorkloadRecord,
)
from tests.unit.allocation.factories import Resource, bill_lines, example_resources

DAY = date(2026, 11, 2)
GIB = 2**30
TAG_KEYS = ["eks:cluster-name", "Service", "Team", "CostCenter", "Environment"]


@dataclass
class BatchCollector:
    """A real ``Collector`` answering with a prepared batch (the source under our control)."""

    batch: Batch
    source: str = "fixture"

    def collect(self, window: TimeWindow) -> Batch:
        return self.batch


def ingest(sessions: sessionmaker[Session], batch: Batch, window: TimeWindow) -> None:
    result = run_collector(sessions, BatchCollector(batch), window)
    assert result.ok, result.error


def usage_hour(
    hour: datetime, workload: str, cpu: float, mem_gib: float, ns: str = "tacos", pods: float = 1
) -> ContainerUsageHour:
    return ContainerUsageHour(
        cluster="tacos",
        namespace=ns,
        workload_kind="Deployment",
        workload=workload,
        container="app",
        hour=hour,
        cpu_avg=cpu,
        cpu_p50=cpu,
        cpu_p90=cpu,
        cpu_p95=cpu,
        cpu_p99=cpu,
        cpu_max=cpu,
        memory_avg=mem_gib * GIB,
        memory_p95=mem_gib * GIB,
        memory_max=mem_gib * GIB,
        samples=60,
        pods=pods,
        pod_hours=pods,
    )


def workload(
    name: str,
    observed: datetime,
    cpu_request: str,
    mem_gib: int,
    *,
    ns: str = "tacos",
    team: str = "checkout",
    replicas: int = 1,
    autoscaler: tuple[int, int] | None = None,
) -> WorkloadRecord:
    return WorkloadRecord(
        cluster="tacos",
        namespace=ns,
        kind="Deployment",
        name=name,
        observed_at=observed,
        replicas=replicas,
        labels={"app.kubernetes.io/name": name, "team": team, "tier": "api"},
        cost_tags={"service": name, "team": team, "environment": "prod"},
        containers=(
            ContainerSpec(
                "app", cpu_request=Decimal(cpu_request), memory_request=Decimal(mem_gib * GIB)
            ),
        ),
        autoscalers=(
            ()
            if autoscaler is None
            else (AutoscalerSpec("HorizontalPodAutoscaler", name, autoscaler[0], autoscaler[1]),)
        ),
    )


def cost_lines(
    day: date, resources: list[Resource], metric: str = "AmortizedCost"
) -> list[CostLine]:
    return [
        CostLine(day, "123456789012", b.aws_service, b.tag_key, b.tag_value, metric, b.amount)
        for b in bill_lines(resources, TAG_KEYS)
    ]


def day_resources(node_cost: Decimal = Decimal("24")) -> list[Resource]:
    """The example bill, with the cluster's EC2 compute set to ``node_cost``."""
    out = []
    for r in example_resources():
        if dict(r.tags).get("eks:cluster-name") == "tacos" and "Compute" in r.aws_service:
            r = Resource(r.aws_service, node_cost, r.tags)
        out.append(r)
    return out


def known_day(day: date = DAY, *, with_bill: bool = True) -> tuple[Batch, TimeWindow]:
    """One node (4 cores, 16 GiB, $1/h) and two workloads for a whole day.

    gateway-api: request 1 core / 2 GiB, uses 0.5 core / 4 GiB → allocates 1 core, 4 GiB.
    kube-dns (kube-system, shared): request 0.5 core / 1 GiB, uses 0.25 / 0.5.
    """
    window = TimeWindow.of_days(day, day)
    start = window.start
    hours = [start + timedelta(hours=h) for h in range(24)]
    batch = Batch(
        namespaces=[NamespaceRecord("tacos", "tacos"), NamespaceRecord("tacos", "kube-system")],
        workloads=[
            workload("gateway-api", start, "1", 2, replicas=3, autoscaler=(2, 10)),
            workload("kube-dns", start, "0.5", 1, ns="kube-system", team="platform"),
        ],
        nodes=[
            NodeRecord(
                "tacos",
                "ip-10-0-0-1",
                "m6i.xlarge",
                "on-demand",
                "us-east-1a",
                Decimal(4),
                Decimal(16 * GIB),
                Decimal("1"),
                observed_at=window.end,
            )
        ],
        usage=[usage_hour(h, "gateway-api", 0.5, 4) for h in hours]
        + [usage_hour(h, "kube-dns", 0.25, 0.5, ns="kube-system") for h in hours],
        costs=cost_lines(day, day_resources()) if with_bill else [],
    )
    return batch, window


T_DAY = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
