"""The configured sources, end to end: settings → collectors → ingest, against real peers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.backfill import backfill
from app.db.models import UsageHour, Workload
from app.settings import load_settings
from app.sources import NamedCollector, build_collectors
from collectors.records import TimeWindow
from tests.integration.collectors import prom_scenario
from tests.support.prometheus_server import PrometheusServer, prometheus_with


@pytest.fixture(scope="module")
def scenario_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with prometheus_with(prom_scenario.series(), tmp_path_factory.mktemp("prom-wiring")) as server:
        yield server


def test_example_config_builds_named_collectors_per_cluster(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "current-context: x\n"
    )
    settings = load_settings(
        clusters=[
            {
                "name": "tacos-prod",
                "prometheus": {"url": "http://127.0.0.1:1", "cluster_label": "cluster"},
                "kubernetes": {"mode": "api", "kubeconfig": str(kubeconfig)},
            },
            {
                "name": "tacos-stage",
                "prometheus": {
                    "url": "http://127.0.0.1:1",
                    "query_concurrency": 4,
                    "compress_responses": True,
                },
                "kubernetes": {"mode": "prometheus"},
            },
        ],
        aws={"endpoint_url": "http://127.0.0.1:1"},
    )
    collectors = build_collectors(settings)
    assert [c.source for c in collectors] == [
        "prometheus:tacos-prod",
        "kubernetes:tacos-prod",
        "prometheus:tacos-stage",
        "kubernetes:tacos-stage",
        "aws_costs",
    ]
    assert all(isinstance(c, NamedCollector) for c in collectors)
    usage = [c.inner for c in collectors if c.source.startswith("prometheus:")]  # type: ignore[attr-defined]
    assert [u.config.concurrency for u in usage] == [2, 4]  # the default, then the setting
    assert [u.config.connection.compress_responses for u in usage] == [False, True]
    assert load_settings(demo=True).demo
    assert [c.source for c in build_collectors(load_settings(demo=True))] == ["demo"]
    assert build_collectors(load_settings()) == []


def test_prometheus_only_cluster_collects_usage_and_inventory(
    scenario_prometheus: PrometheusServer, sessions: sessionmaker[Session]
) -> None:
    settings = load_settings(
        clusters=[
            {
                "name": prom_scenario.PROD,
                "namespaces": [prom_scenario.NS],
                "prometheus": {"url": scenario_prometheus.url, "cluster_label": "cluster"},
                "kubernetes": {"mode": "prometheus"},
            }
        ],
        aws={"enabled": False},
    )
    collectors = {c.source: c for c in build_collectors(settings, sessions)}
    assert set(collectors) == {"prometheus:tacos-prod", "kubernetes:tacos-prod"}
    window = TimeWindow(prom_scenario.T0_DT, prom_scenario.T0_DT + timedelta(hours=2))
    for collector in collectors.values():
        report = backfill(sessions, collector, window, timedelta(hours=1))
        assert not report.failed, [r.error for r in report.failed]
    with sessions() as s:
        workloads = set(s.scalars(select(Workload.name)))
        usage_workloads = set(s.scalars(select(UsageHour.workload).distinct()))
        hours = s.scalar(select(func.count(func.distinct(UsageHour.hour))))
    assert {"gateway-api", "reservation-api"} <= workloads
    assert {"gateway-api", "reservation-api", "inventory-db"} <= usage_workloads
    assert hours == 2
