"""Prometheus-only mode: the workload inventory from kube-state-metrics series."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from collectors.kubernetes import DEFAULT_COST_TAGS
from collectors.prometheus import (
    PrometheusConnection,
    PrometheusInventoryCollector,
    PrometheusInventorySource,
)
from collectors.records import AutoscalerSpec, Collector, ContainerSpec, TimeWindow
from tests.integration.collectors.prom_scenario import MIB, T0_DT
from tests.support.prometheus_server import PrometheusServer

pytestmark = pytest.mark.prometheus

WINDOW = TimeWindow(T0_DT + timedelta(hours=1), T0_DT + timedelta(hours=2))


def test_inventory_from_kube_state_metrics(scenario_prometheus: PrometheusServer) -> None:
    source = PrometheusInventorySource(
        PrometheusConnection(scenario_prometheus.url, cluster_label="cluster"),
        cluster="tacos-prod",
        namespaces=("tacos",),
        cost_tags=DEFAULT_COST_TAGS,
    )
    collector = PrometheusInventoryCollector(source)
    assert isinstance(collector, Collector)
    batch = collector.collect(WINDOW)
    got = {(w.kind, w.name): w for w in batch.workloads}
    assert set(got) == {
        ("Deployment", "gateway-api"),
        ("Rollout", "reservation-api"),
        ("StatefulSet", "inventory-db"),
    }
    gw = got[("Deployment", "gateway-api")]
    assert gw.replicas == 2
    assert gw.observed_at == WINDOW.end
    assert gw.containers == (
        ContainerSpec(
            "app", Decimal("0.25"), Decimal("1.0"), Decimal(512 * MIB), Decimal(1024 * MIB)
        ),
    )
    assert gw.cost_tags == {
        "service": "gateway-api",
        "team": "edge",
        "cost_center": "cc-100",
    }
    res = got[("Rollout", "reservation-api")]
    assert res.containers == (
        ContainerSpec("app", Decimal("0.5"), None, Decimal(1_000_000_000), None),
    )
    assert res.autoscalers == (
        AutoscalerSpec(
            "HorizontalPodAutoscaler",
            "reservation-api",
            2,
            20,
            ({"name": "cpu", "target_type": "Utilization", "type": "Resource", "target": 70},),
        ),
    )
    assert res.cost_tags == {"team": "platform", "cost_center": "cc-100"}
    assert got[("StatefulSet", "inventory-db")].containers[0].cpu_request == Decimal("0.1")
    assert [(n.name, dict(n.labels)) for n in batch.namespaces] == [
        ("tacos", {"team": "platform", "cost_center": "cc-100"})
    ]
    (quota,) = batch.quotas
    assert (quota.name, dict(quota.hard)) == (
        "tacos-quota",
        {"requests.cpu": Decimal(40), "requests.memory": Decimal(80 * 1024 * MIB)},
    )
    # 14 grouped queries per namespace, whatever the number of workloads: owners,
    # 2 label sets, quotas, requests, limits, 4 replica kinds, 4 HPA series
    assert batch.requests_made == 14
