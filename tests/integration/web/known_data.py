"""A small database with known contents for the dashboard tests (integration and browser).

Written through the real ingest path (``run_collector``) so the pages read what
collectors would store. Every figure a test asserts follows from the constants
here: per day, Service-tagged spend gateway-api $10, reservation-api $20 and
XSS_SERVICE $2, untagged $5, so the bill is $37 a day over ``DAYS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from app.ingest import run_collector
from app.recommendations.models import RecommendationRow, RecommendationRun
from collectors.records import (
    AutoscalerSpec,
    Batch,
    ContainerSpec,
    ContainerUsageHour,
    CostLine,
    NamespaceRecord,
    TimeWindow,
    WorkloadRecord,
)

FIRST_DAY = date(2026, 11, 1)
DAYS = 10  # 2026-11-01 .. 2026-11-10
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
XSS_SERVICE = "<script>alert(1)</script>"
SERVICE_SPEND = {
    "gateway-api": Decimal(10),
    "reservation-api": Decimal(20),
    XSS_SERVICE: Decimal(2),
}
TEAMS = {"gateway-api": "platform", "reservation-api": "checkout", XSS_SERVICE: "platform"}
# workload name -> its service cost tag (a tag value may hold any text; this one is hostile)
WORKLOADS = {
    "gateway-api": "gateway-api",
    "reservation-api": "reservation-api",
    "xss-api": XSS_SERVICE,
}
UNTAGGED = Decimal(5)
DAILY_TOTAL = sum(SERVICE_SPEND.values(), Decimal(0)) + UNTAGGED  # 37
ACCOUNT = "123456789012"
CPU_REQUEST = Decimal("0.5")
CPU_AVG = 0.25  # cores per pod, every hour
PODS = 2.0
USAGE_HOURS = 48  # the last two days


def _workload(name: str, observed: datetime) -> WorkloadRecord:
    service = WORKLOADS[name]
    return WorkloadRecord(
        cluster="c1",
        namespace="tacos",
        kind="Deployment",
        name=name,
        observed_at=observed,
        replicas=2,
        labels={"app.kubernetes.io/name": service, "team": TEAMS[service]},
        cost_tags={"service": service, "team": TEAMS[service]},
        containers=(
            ContainerSpec(
                "app",
                cpu_request=CPU_REQUEST,
                cpu_limit=Decimal(1),
                memory_request=Decimal(512 * 2**20),
                memory_limit=Decimal(1024 * 2**20),
            ),
        ),
        autoscalers=(AutoscalerSpec("HorizontalPodAutoscaler", name, 2, 10, ()),),
    )


def _usage(name: str, hour: datetime) -> ContainerUsageHour:
    return ContainerUsageHour(
        cluster="c1",
        namespace="tacos",
        workload_kind="Deployment",
        workload=name,
        container="app",
        hour=hour,
        cpu_avg=CPU_AVG,
        cpu_p50=CPU_AVG,
        cpu_p90=0.3,
        cpu_p95=0.35,
        cpu_p99=0.4,
        cpu_max=0.45,
        memory_avg=256 * 2**20,
        memory_p95=300 * 2**20,
        memory_max=320 * 2**20,
        samples=60,
        pods=PODS,
        pod_hours=PODS,
    )


def _costs(day: date) -> list[CostLine]:
    ec2 = "Amazon Elastic Compute Cloud - Compute"
    lines = [
        CostLine(day, ACCOUNT, ec2, "", "", "AmortizedCost", DAILY_TOTAL - Decimal(7)),
        CostLine(
            day, ACCOUNT, "Amazon Relational Database Service", "", "", "AmortizedCost", Decimal(7)
        ),
    ]
    for name, amount in SERVICE_SPEND.items():
        lines.append(CostLine(day, ACCOUNT, ec2, "Service", name, "AmortizedCost", amount))
    lines.append(CostLine(day, ACCOUNT, ec2, "Service", "", "AmortizedCost", UNTAGGED))
    teams: dict[str, Decimal] = {}
    for name, amount in SERVICE_SPEND.items():
        teams[TEAMS[name]] = teams.get(TEAMS[name], Decimal(0)) + amount
    for team, amount in teams.items():
        lines.append(CostLine(day, ACCOUNT, ec2, "Team", team, "AmortizedCost", amount))
    lines.append(CostLine(day, ACCOUNT, ec2, "Team", "", "AmortizedCost", UNTAGGED))
    return lines


class KnownCollector:
    source = "known"

    def collect(self, window: TimeWindow) -> Batch:
        last_hour = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, tzinfo=UTC) + timedelta(
            hours=23
        )
        hours = [h for h in window.hours() if h > last_hour - timedelta(hours=USAGE_HOURS)]
        return Batch(
            namespaces=[NamespaceRecord("c1", "tacos", {})],
            workloads=[_workload(n, window.start) for n in WORKLOADS],
            usage=[_usage(n, h) for n in WORKLOADS for h in hours],
            costs=[c for d in window.days() for c in _costs(d)],
        )


class BrokenCollector:
    source = "prometheus"

    def collect(self, window: TimeWindow) -> Batch:
        from collectors.records import CollectorError

        raise CollectorError("prometheus at http://127.0.0.1:9 unreachable: connection refused")


SAVINGS = {"gateway-api": Decimal("12.50"), "reservation-api": Decimal("40.00")}


def load_known(sessions: sessionmaker[Session]) -> None:
    window = TimeWindow.of_days(FIRST_DAY, LAST_DAY)
    result = run_collector(sessions, KnownCollector(), window)
    assert result.ok, result.error
    assert not run_collector(sessions, BrokenCollector(), TimeWindow.of_days(LAST_DAY, LAST_DAY)).ok
    with sessions() as s, s.begin():
        run = RecommendationRun(
            strategy="tacos",
            started_at=window.end,
            finished_at=window.end,
            window_start=window.start,
            window_end=window.end,
            containers=3,
            recommended=2,
            status="success",
        )
        s.add(run)
        s.flush()
        for name, saving in SAVINGS.items():
            s.add(_recommendation(run.id, name, saving))
        s.add(
            RecommendationRow(
                run_id=run.id,
                cluster="c1",
                namespace="tacos",
                workload_kind="Deployment",
                workload="xss-api",
                container="app",
                status="no_recommendation",
                reason="below-threshold",
                evidence=[],
                notes=[],
                hpa=[],
            )
        )


def _recommendation(run_id: int, name: str, saving: Decimal) -> RecommendationRow:
    return RecommendationRow(
        run_id=run_id,
        cluster="c1",
        namespace="tacos",
        workload_kind="Deployment",
        workload=name,
        container="app",
        status="recommended",
        current_cpu_request=CPU_REQUEST,
        current_memory_request=Decimal(512 * 2**20),
        cpu_request=Decimal("0.3"),
        memory_request=Decimal(400 * 2**20),
        monthly_saving=saving,
        confidence=0.9,
        evidence=[{"name": "cpu_p95", "value": 0.35, "unit": "cores", "note": "14 days"}],
        notes=["decrease limited to 50% per step"],
        hpa=[],
    )
