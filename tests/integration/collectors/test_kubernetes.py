"""The Kubernetes collector through the official client against a local API server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from collectors.kubernetes import (
    KubernetesCollector,
    KubernetesConfigError,
    KubernetesError,
    KubernetesForbidden,
    KubernetesSource,
    KubernetesSpecError,
    KubernetesUnavailable,
)
from collectors.records import Collector, NodeRecord, TimeWindow, WorkloadRecord
from tests.integration.collectors import kube_scenario
from tests.support.kube_api_server import KubeApiServer

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WINDOW = TimeWindow(NOW - timedelta(hours=1), NOW)
MI = 1024 * 1024


@pytest.fixture
def server() -> Iterator[KubeApiServer]:
    s = KubeApiServer()
    kube_scenario.load(s)
    yield s
    s.stop()


def make(server: KubeApiServer, tmp_path: Path, **kw: object) -> KubernetesCollector:
    kubeconfig = server.kubeconfig(tmp_path / "kubeconfig", token="sa-token")
    source = KubernetesSource(cluster="tacos-prod", kubeconfig=kubeconfig, **kw)  # type: ignore[arg-type]
    prices = {"m6i.xlarge": Decimal("0.214"), "c6i.2xlarge": Decimal("0.1452")}

    def pricer(node: NodeRecord) -> Decimal | None:
        return prices.get(node.instance_type)

    return KubernetesCollector(source, pricer=pricer, clock=lambda: NOW)


def workloads(
    server: KubeApiServer, tmp_path: Path, **kw: object
) -> dict[tuple[str, str], WorkloadRecord]:
    batch = make(server, tmp_path, namespaces=("tacos",), **kw).collect(WINDOW)
    return {(w.kind, w.name): w for w in batch.workloads}


def test_is_a_collector(server: KubeApiServer, tmp_path: Path) -> None:
    assert isinstance(make(server, tmp_path), Collector)


def test_workload_inventory(server: KubeApiServer, tmp_path: Path) -> None:
    got = workloads(server, tmp_path)
    assert set(got) == {
        ("Deployment", "gateway-api"),
        ("Deployment", "reservation-api"),
        *{("Deployment", f"filler-{i}") for i in range(4)},
        ("StatefulSet", "inventory-db"),
        ("DaemonSet", "node-agent"),
        ("CronJob", "nightly-report"),
        ("Job", "migrate-db"),  # the CronJob's own Job is not a second workload
        ("Rollout", "payment-sim-api"),
    }
    assert all(w.observed_at == NOW and w.cluster == "tacos-prod" for w in got.values())


def test_quantities_are_exact(server: KubeApiServer, tmp_path: Path) -> None:
    got = workloads(server, tmp_path)
    gw = got[("Deployment", "gateway-api")]
    app, envoy = gw.containers  # the native sidecar counts, the one-shot init container does not
    assert (app.name, app.cpu_request, app.cpu_limit) == ("app", Decimal("0.25"), Decimal("1"))
    assert (app.memory_request, app.memory_limit) == (Decimal(512 * MI), Decimal(1024 * MI))
    assert (envoy.name, envoy.cpu_request, envoy.memory_request) == (
        "envoy",
        Decimal("0.1"),
        Decimal(64 * MI),
    )
    assert envoy.cpu_limit is None
    assert envoy.memory_limit is None
    db = got[("StatefulSet", "inventory-db")].containers[0]
    assert db.memory_request == Decimal(1610612736)
    assert db.cpu_request == Decimal("0.5")
    res = got[("Deployment", "reservation-api")].containers[0]
    assert res.memory_request == Decimal(1_000_000_000)


def test_replicas(server: KubeApiServer, tmp_path: Path) -> None:
    got = workloads(server, tmp_path)
    assert got[("Deployment", "gateway-api")].replicas == 3
    assert got[("Deployment", "reservation-api")].replicas == 1  # API default
    assert got[("StatefulSet", "inventory-db")].replicas == 2
    assert got[("DaemonSet", "node-agent")].replicas == 4
    assert got[("Rollout", "payment-sim-api")].replicas == 5
    assert got[("CronJob", "nightly-report")].replicas is None


def test_cost_tags_template_then_namespace(server: KubeApiServer, tmp_path: Path) -> None:
    gw = workloads(server, tmp_path)[("Deployment", "gateway-api")]
    assert gw.cost_tags == {
        "service": "gateway-api",
        "team": "edge",  # pod template wins over the namespace's "platform"
        "cost_center": "cc-100",
        "environment": "prod",
    }
    assert gw.annotations == {"finops.tacos/opt-out": "true"}
    assert gw.labels["app.kubernetes.io/part-of"] == "tacos"


def test_autoscalers_attached_to_their_targets(server: KubeApiServer, tmp_path: Path) -> None:
    got = workloads(server, tmp_path)
    (hpa,) = got[("Deployment", "reservation-api")].autoscalers
    assert (hpa.kind, hpa.name, hpa.min_replicas, hpa.max_replicas) == (
        "HorizontalPodAutoscaler",
        "reservation-api",
        2,
        20,
    )
    assert hpa.metrics == (
        {"type": "Resource", "name": "cpu", "target_type": "Utilization", "target": 70},
        {"type": "Pods", "name": "http_requests", "target_type": "AverageValue", "target": 1000.0},
    )
    # KEDA's generated HPA is skipped; the ScaledObject carries min 0 (scale to zero).
    (so,) = got[("Rollout", "payment-sim-api")].autoscalers
    assert (so.kind, so.min_replicas, so.max_replicas) == ("ScaledObject", 0, 30)
    assert so.metrics == (
        {"type": "External", "name": "aws-sqs-queue", "trigger": "aws-sqs-queue", "target": 5.0},
    )
    assert got[("Deployment", "gateway-api")].autoscalers == ()


def test_quotas_and_nodes(server: KubeApiServer, tmp_path: Path) -> None:
    batch = make(server, tmp_path, namespaces=("tacos",)).collect(WINDOW)
    (quota,) = batch.quotas
    assert quota.hard == {
        "requests.cpu": Decimal(40),
        "requests.memory": Decimal(80 * 1024 * MI),
        "pods": Decimal(200),
    }
    a, b = batch.nodes
    assert (a.instance_type, a.capacity_type, a.zone) == ("m6i.xlarge", "on-demand", "eu-west-1a")
    assert (a.cpu_cores, a.memory_bytes) == (Decimal("3.92"), Decimal(15137112 * 1024))
    assert a.hourly_price == Decimal("0.214")
    assert (b.capacity_type, b.zone, b.hourly_price) == ("spot", "eu-west-1b", Decimal("0.1452"))
    assert [(n.cluster, n.name, n.labels) for n in batch.namespaces] == [
        (
            "tacos-prod",
            "tacos",
            {"team": "platform", "cost-center": "cc-100", "environment": "prod"},
        )
    ]


def test_lists_are_paginated_with_continue(server: KubeApiServer, tmp_path: Path) -> None:
    batch = make(server, tmp_path, namespaces=("tacos",), page_size=2).collect(WINDOW)
    deploy = [r for r in server.state.requests if r.path.endswith("/deployments")]
    # 6 deployments at 2 per page: 3 requests, the 2nd and 3rd carrying the continue token.
    assert [r.query.get("limit") for r in deploy] == [["2"]] * 3
    assert ["continue" in r.query for r in deploy] == [False, True, True]
    assert sum(w.kind == "Deployment" for w in batch.workloads) == 6
    assert batch.requests_made == len(server.state.requests)


def test_bearer_token_from_kubeconfig(server: KubeApiServer, tmp_path: Path) -> None:
    make(server, tmp_path, namespaces=("tacos",)).collect(WINDOW)
    auth = {
        next(v for k, v in r.headers.items() if k.lower() == "authorization")
        for r in server.state.requests
    }
    assert auth == {"Bearer sa-token"}


def test_all_namespaces_when_none_configured(server: KubeApiServer, tmp_path: Path) -> None:
    batch = make(server, tmp_path).collect(WINDOW)
    assert [n.name for n in batch.namespaces] == ["tacos", "kube-system"]
    assert any(w.name == "gateway-api" for w in batch.workloads)


def test_missing_crds_are_not_errors(server: KubeApiServer, tmp_path: Path) -> None:
    del server.state.lists["/apis/argoproj.io/v1alpha1/namespaces/tacos/rollouts"]
    del server.state.lists["/apis/keda.sh/v1alpha1/namespaces/tacos/scaledobjects"]
    got = workloads(server, tmp_path)
    assert ("Rollout", "payment-sim-api") not in got
    assert ("Deployment", "gateway-api") in got


def test_missing_core_resource_is_an_error(server: KubeApiServer, tmp_path: Path) -> None:
    del server.state.lists["/apis/apps/v1/namespaces/tacos/deployments"]
    with pytest.raises(
        KubernetesError,
        match=r"not found \(HTTP 404\) .* list deployments\.apps in namespace tacos",
    ):
        workloads(server, tmp_path)


def test_forbidden_names_the_permission_then_catches_up(
    server: KubeApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.state.forbidden.add("/apis/apps/v1/namespaces/tacos/statefulsets")
    with caplog.at_level(logging.ERROR), pytest.raises(KubernetesForbidden) as err:
        workloads(server, tmp_path)
    assert str(err.value) == (
        "forbidden: list statefulsets.apps in namespace tacos — grant list on statefulsets.apps "
        "in namespace tacos to the finops service account"
    )
    assert "kubernetes collection failed for cluster tacos-prod" in caplog.text
    server.state.forbidden.clear()
    assert ("StatefulSet", "inventory-db") in workloads(server, tmp_path)


def test_forbidden_nodes_asks_for_a_clusterrole(server: KubeApiServer, tmp_path: Path) -> None:
    server.state.forbidden.add("/api/v1/nodes")
    with pytest.raises(
        KubernetesForbidden,
        match=r"list nodes at cluster scope — grant list on nodes \(ClusterRole\)",
    ):
        workloads(server, tmp_path)


@pytest.mark.parametrize(
    ("value", "field"),
    [("250 millicores", "requests.cpu"), ("-1", "requests.cpu"), ("12XB", "requests.cpu")],
)
def test_unparsable_quantity_names_the_field(
    server: KubeApiServer, tmp_path: Path, value: str, field: str
) -> None:
    path = "/apis/apps/v1/namespaces/tacos/deployments"
    _, items = server.state.lists[path]
    items[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = value
    with pytest.raises(KubernetesSpecError) as err:
        workloads(server, tmp_path)
    where = f"Deployment tacos/gateway-api container app resources.{field}"
    assert str(err.value) == f"unparsable quantity {value!r} at {where}"


def test_server_down(tmp_path: Path) -> None:
    dead = KubeApiServer()
    dead.stop()
    source = KubernetesSource(
        cluster="c", kubeconfig=dead.kubeconfig(tmp_path / "kc"), namespaces=("tacos",), timeout=2
    )
    with pytest.raises(
        KubernetesUnavailable,
        match=r"cannot reach the Kubernetes API at http://127\.0\.0\.1:\d+ to get namespaces tacos",
    ):
        KubernetesCollector(source).collect(WINDOW)


def test_bad_kubeconfig(tmp_path: Path) -> None:
    bad = tmp_path / "kc"
    bad.write_text("{not: yaml: at all")
    with pytest.raises(
        KubernetesConfigError, match=r"cannot load Kubernetes configuration from kubeconfig .*kc"
    ):
        KubernetesCollector(KubernetesSource(cluster="c", kubeconfig=bad)).collect(WINDOW)
    (tmp_path / "ok").write_text(
        '{"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}'
    )
    src = KubernetesSource(cluster="c", kubeconfig=tmp_path / "ok", context="nope")
    with pytest.raises(KubernetesConfigError, match="context nope"):
        KubernetesCollector(src).collect(WINDOW)


def test_expired_token_is_unauthorized(server: KubeApiServer, tmp_path: Path) -> None:
    server.state.valid_token = "rotated-token"
    with pytest.raises(
        KubernetesForbidden, match=r"unauthorized \(HTTP 401\) .* get namespaces tacos"
    ):
        workloads(server, tmp_path)


def test_server_error_is_unavailable_then_catches_up(server: KubeApiServer, tmp_path: Path) -> None:
    server.state.fail_status = 503
    with pytest.raises(KubernetesUnavailable, match=r"answered HTTP 503 on get namespaces tacos"):
        workloads(server, tmp_path)
    server.state.fail_status = 0
    assert ("Deployment", "gateway-api") in workloads(server, tmp_path)


def test_rollout_with_workload_ref_borrows_the_deployment_template(
    server: KubeApiServer, tmp_path: Path
) -> None:
    _, rollouts = server.state.lists["/apis/argoproj.io/v1alpha1/namespaces/tacos/rollouts"]
    rollouts.append(
        {
            "metadata": {"name": "gateway-canary", "namespace": "tacos"},
            "spec": {
                "replicas": 2,
                "workloadRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "gateway-api",
                },
            },
        }
    )
    got = workloads(server, tmp_path)
    canary, gw = got[("Rollout", "gateway-canary")], got[("Deployment", "gateway-api")]
    assert canary.containers == gw.containers
    assert canary.cost_tags == gw.cost_tags
    assert canary.replicas == 2
    rollouts[-1]["spec"]["workloadRef"]["name"] = "missing"
    with pytest.raises(
        KubernetesSpecError, match="references Deployment missing, which was not found"
    ):
        workloads(server, tmp_path)


def test_node_pricer_fills_node_prices(server: KubeApiServer, tmp_path: Path) -> None:
    """The real NodePricer (overrides, then the bundled table; no AWS calls) wired in."""
    from collectors.aws import NodePricer, PricingSource

    pricer = NodePricer(
        PricingSource(
            region="eu-west-1",
            use_pricing_api=False,
            use_spot_history=False,
            overrides={"c6i.2xlarge/spot": Decimal("0.1452")},
        )
    )
    kubeconfig = server.kubeconfig(tmp_path / "kubeconfig")
    source = KubernetesSource(cluster="tacos-prod", kubeconfig=kubeconfig, namespaces=("tacos",))
    batch = KubernetesCollector(source, pricer=pricer, clock=lambda: NOW).collect(WINDOW)
    prices = {n.instance_type: n.hourly_price for n in batch.nodes}
    # m6i.xlarge: us-east-1 list price 0.192 x eu-west-1 factor 1.115
    assert prices == {"m6i.xlarge": Decimal("0.2141"), "c6i.2xlarge": Decimal("0.1452")}
    assert pricer.requests_made == 0
