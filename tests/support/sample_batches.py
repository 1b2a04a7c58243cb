"""Small hand-written batches with known contents, for ingest tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from collectors.records import (
    AutoscalerSpec,
    Batch,
    CollectorError,
    ContainerSpec,
    ContainerUsageHour,
    CostLine,
    NamespaceRecord,
    NodeRecord,
    TimeWindow,
    WorkloadRecord,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def usage(hour: datetime, workload: str = "gateway-api", cpu: float = 0.5) -> ContainerUsageHour:
    return ContainerUsageHour(
        cluster="c1",
        namespace="tacos",
        workload_kind="Deployment",
        workload=workload,
        container="app",
        hour=hour,
        cpu_avg=cpu,
        cpu_p50=cpu,
        cpu_p90=cpu * 1.2,
        cpu_p95=cpu * 1.3,
        cpu_p99=cpu * 1.5,
        cpu_max=cpu * 2,
        memory_avg=300e6,
        memory_p95=350e6,
        memory_max=400e6,
        samples=12,
        pods=2.0,
        pod_hours=2.0,
    )


def workload(
    observed: datetime, cpu_request: str = "0.5", name: str = "gateway-api"
) -> WorkloadRecord:
    return WorkloadRecord(
        cluster="c1",
        namespace="tacos",
        kind="Deployment",
        name=name,
        observed_at=observed,
        replicas=2,
        labels={"app.kubernetes.io/name": name, "team": "checkout"},
        cost_tags={"service": name, "team": "checkout"},
        containers=(
            ContainerSpec(
                "app",
                cpu_request=Decimal(cpu_request),
                cpu_limit=None,
                memory_request=Decimal(512 * 2**20),
                memory_limit=Decimal(1024 * 2**20),
            ),
        ),
        autoscalers=(
            AutoscalerSpec(
                "HorizontalPodAutoscaler",
                name,
                2,
                10,
                ({"type": "Resource", "name": "cpu", "target_type": "Utilization", "target": 70},),
            ),
        ),
    )


def batch_for(window: TimeWindow, cpu_request: str = "0.5") -> Batch:
    b = Batch(
        namespaces=[NamespaceRecord("c1", "tacos", {"team": "platform"})],
        workloads=[workload(window.end, cpu_request)],
        nodes=[
            NodeRecord(
                "c1",
                "ip-10-0-0-1",
                "m6i.xlarge",
                "on-demand",
                "us-east-1a",
                Decimal(4),
                Decimal(16 * 2**30),
                Decimal("0.192"),
            )
        ],
        usage=[usage(h) for h in window.hours()],
        costs=[
            CostLine(
                d,
                "123456789012",
                "Amazon Elastic Compute Cloud - Compute",
                "",
                "",
                "AmortizedCost",
                Decimal("4.608"),
            )
            for d in window.days()
        ],
    )
    b.requests_made = 3
    return b


class StaticCollector:
    """A collector answering from a function of the window (the source under our control)."""

    def __init__(self, source: str = "static", cpu_request: str = "0.5") -> None:
        self.source = source
        self.cpu_request = cpu_request
        self.calls = 0

    def collect(self, window: TimeWindow) -> Batch:
        self.calls += 1
        return batch_for(window, self.cpu_request)


class FailingCollector(StaticCollector):
    def collect(self, window: TimeWindow) -> Batch:
        raise CollectorError("prometheus at http://127.0.0.1:1 unreachable: connection refused")


class PoisonedCollector(StaticCollector):
    """Returns a batch whose last record breaks the write half-way (a naive datetime)."""

    def collect(self, window: TimeWindow) -> Batch:
        b = batch_for(window)
        bad = usage(window.start)
        object.__setattr__(bad, "hour", bad.hour.replace(tzinfo=None))
        b.usage.append(bad)
        return b


def day_window(day: date = date(2026, 11, 1)) -> TimeWindow:
    return TimeWindow.of_days(day, day)


def hours_after(start: datetime, n: int) -> TimeWindow:
    return TimeWindow(start, start + timedelta(hours=n))
