"""The Prometheus usage collector against a real Prometheus with hand-computed answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.prometheus import (
    PrometheusClient,
    PrometheusCollector,
    PrometheusConnection,
    PrometheusUsageSource,
    UnknownOwnerKind,
)
from collectors.records import Collector, ContainerUsageHour, TimeWindow
from tests.integration.collectors.prom_scenario import GIB, MIB, T0_DT
from tests.support.prometheus_server import PrometheusServer

pytestmark = pytest.mark.prometheus

WINDOW = TimeWindow(T0_DT, T0_DT + timedelta(hours=2))
H0, H1 = T0_DT, T0_DT + timedelta(hours=1)


def collector(url: str, **kw: object) -> PrometheusCollector:
    conn = PrometheusConnection(url, cluster_label="cluster")
    source = PrometheusUsageSource(conn, cluster="tacos-prod", namespaces=("tacos",), **kw)  # type: ignore[arg-type]
    return PrometheusCollector(source)


def by_key(rows: list[ContainerUsageHour]) -> dict[tuple[str, str, object], ContainerUsageHour]:
    return {(r.workload_kind, r.workload, r.hour): r for r in rows}


@pytest.fixture(scope="module")
def rows(
    scenario_prometheus: PrometheusServer,
) -> dict[tuple[str, str, object], ContainerUsageHour]:
    batch = collector(scenario_prometheus.url).collect(WINDOW)
    return by_key(batch.usage)


def test_is_a_collector(scenario_prometheus: PrometheusServer) -> None:
    assert isinstance(collector(scenario_prometheus.url), Collector)


def test_exactly_the_expected_container_hours(rows: dict) -> None:  # type: ignore[type-arg]
    assert set(rows) == {
        ("Deployment", "gateway-api", H0),
        ("Deployment", "gateway-api", H1),
        ("Rollout", "reservation-api", H0),
        ("Rollout", "reservation-api", H1),
        ("StatefulSet", "inventory-db", H0),
        ("StatefulSet", "inventory-db", H1),
        ("CronJob", "nightly-report", H1),
    }
    for r in rows.values():
        assert (r.cluster, r.namespace, r.container) == ("tacos-prod", "tacos", "app")


def test_percentiles_pool_per_pod_samples(rows: dict) -> None:  # type: ignore[type-arg]
    gw = rows[("Deployment", "gateway-api", H0)]
    # 12 samples at 0.25 and 12 at 0.75 cores; linear-interpolated percentiles.
    assert gw.samples == 24
    assert gw.cpu_avg == pytest.approx(0.5)
    assert gw.cpu_p50 == pytest.approx(0.5)
    assert gw.cpu_p90 == pytest.approx(0.75)
    assert gw.cpu_p95 == pytest.approx(0.75)
    assert gw.cpu_p99 == pytest.approx(0.75)
    assert gw.cpu_max == pytest.approx(0.75)
    assert gw.pods == pytest.approx(2.0)
    assert gw.pod_hours == pytest.approx(2.0)


def test_boundary_spike_is_read_once(rows: dict) -> None:  # type: ignore[type-arg]
    gw = rows[("Deployment", "gateway-api", H0)]
    # 12 x 100 MiB, 11 x 300 MiB and one 500 MiB spike at exactly T0+30m.
    assert gw.memory_max == pytest.approx(500 * MIB)
    assert gw.memory_avg == pytest.approx((12 * 100 + 11 * 300 + 500) / 24 * MIB)
    assert gw.memory_p95 == pytest.approx(300 * MIB)


def test_stale_pod_does_not_leak_into_next_hour(rows: dict) -> None:  # type: ignore[type-arg]
    gw = rows[("Deployment", "gateway-api", H1)]
    assert gw.pods == pytest.approx(1.0)
    assert gw.samples == 12
    assert gw.cpu_max == pytest.approx(0.25)
    assert gw.memory_max == pytest.approx(100 * MIB)


def test_throttling_ratio_sums_periods_over_pods(rows: dict) -> None:  # type: ignore[type-arg]
    assert rows[("Deployment", "gateway-api", H0)].throttled_ratio == pytest.approx(0.2)
    assert rows[("Deployment", "gateway-api", H1)].throttled_ratio == pytest.approx(0.1)


def test_counter_reset_keeps_the_rate(rows: dict) -> None:  # type: ignore[type-arg]
    r = rows[("Rollout", "reservation-api", H0)]
    assert r.cpu_avg == pytest.approx(0.5)
    assert r.cpu_max == pytest.approx(0.5)
    assert r.cpu_p50 == pytest.approx(0.5)


def test_oom_kill_and_restart_counted_in_their_hour(rows: dict) -> None:  # type: ignore[type-arg]
    h0, h1 = rows[("Rollout", "reservation-api", H0)], rows[("Rollout", "reservation-api", H1)]
    assert (h0.restarts, h0.oom_kills) == (1, 1)
    assert (h1.restarts, h1.oom_kills) == (0, 0)


def test_nan_samples_are_ignored_but_pod_is_present(rows: dict) -> None:  # type: ignore[type-arg]
    db = rows[("StatefulSet", "inventory-db", H0)]
    assert db.pods == pytest.approx(1.0)
    assert db.memory_avg == pytest.approx(1 * GIB)
    assert db.memory_max == pytest.approx(1 * GIB)
    assert db.cpu_avg == pytest.approx(1.0)


def test_scrape_gap_counts_as_absence(rows: dict) -> None:  # type: ignore[type-arg]
    db = rows[("StatefulSet", "inventory-db", H1)]
    # (T0+70m, T0+90m] has no samples: 4 of the 12 five-minute steps are missing.
    assert db.samples == 8
    assert db.pods == pytest.approx(8 / 12)
    assert db.cpu_avg == pytest.approx(1.0)


def test_short_lived_cronjob_pod(rows: dict) -> None:  # type: ignore[type-arg]
    nr = rows[("CronJob", "nightly-report", H1)]
    assert nr.pods == pytest.approx(1 / 12)
    assert nr.samples == 1
    assert nr.memory_max == pytest.approx(50 * MIB)
    # Prometheus extrapolates 2 minutes of 1 core by half a scrape interval and
    # averages over the 5-minute step: 150 core-seconds / 300 s.
    assert nr.cpu_max == pytest.approx(0.5)


def test_few_requests(scenario_prometheus: PrometheusServer) -> None:
    batch = collector(scenario_prometheus.url).collect(WINDOW)
    # buildinfo + 6 range queries + 1 series lookup, whatever the number of workloads
    assert batch.requests_made == 8


def test_chunked_queries_give_identical_rows(scenario_prometheus: PrometheusServer) -> None:
    reference = collector(scenario_prometheus.url).collect(WINDOW).usage
    hourly = collector(scenario_prometheus.url, chunk=timedelta(hours=1)).collect(WINDOW)
    assert sorted(hourly.usage, key=repr) == sorted(reference, key=repr)
    # Points per request capped at 5: the client splits and merges the range queries.
    conn = PrometheusConnection(scenario_prometheus.url, cluster_label="cluster")
    source = PrometheusUsageSource(conn, cluster="tacos-prod", namespaces=("tacos",))
    tiny = PrometheusCollector(source, PrometheusClient(conn, max_points=5))
    batch = tiny.collect(WINDOW)
    assert sorted(batch.usage, key=repr) == sorted(reference, key=repr)
    assert batch.requests_made > 8


def test_cluster_label_isolates_clusters(scenario_prometheus: PrometheusServer) -> None:
    conn = PrometheusConnection(scenario_prometheus.url, cluster_label="cluster")
    stage = PrometheusCollector(
        PrometheusUsageSource(conn, cluster="tacos-stage", namespaces=("tacos",))
    ).collect(WINDOW)
    # stage has no kube_replicaset_owner series: the ReplicaSet itself is the workload.
    assert {(r.workload_kind, r.workload, r.hour) for r in stage.usage} == {
        ("ReplicaSet", "gateway-api-5d8f7", H0),
        ("ReplicaSet", "gateway-api-5d8f7", H1),
    }
    assert all(r.cpu_avg == pytest.approx(5.0) and r.cluster == "tacos-stage" for r in stage.usage)


def test_all_namespaces_when_none_configured(scenario_prometheus: PrometheusServer) -> None:
    conn = PrometheusConnection(scenario_prometheus.url, cluster_label="cluster")
    src = PrometheusUsageSource(
        conn, cluster="tacos-prod", extra_owner_kinds=frozenset({"CloneSet"})
    )
    batch = PrometheusCollector(src).collect(WINDOW)
    assert {r.namespace for r in batch.usage} == {"tacos", "weird"}
    weird = [r for r in batch.usage if r.namespace == "weird"]
    assert {(r.workload_kind, r.workload) for r in weird} == {("CloneSet", "clone")}
    assert [r for r in batch.usage if r.namespace == "tacos"] == sorted(
        collector(scenario_prometheus.url).collect(WINDOW).usage,
        key=lambda r: (r.workload_kind, r.workload, r.container, r.hour),
    )


def test_unknown_owner_kind_fails_the_run(scenario_prometheus: PrometheusServer) -> None:
    conn = PrometheusConnection(scenario_prometheus.url, cluster_label="cluster")
    src = PrometheusUsageSource(conn, cluster="tacos-prod", namespaces=("tacos", "weird"))
    with pytest.raises(UnknownOwnerKind, match=r"weird/clone-0 .*'CloneSet'.*extra_owner_kinds"):
        PrometheusCollector(src).collect(WINDOW)


def test_window_must_be_whole_hours(scenario_prometheus: PrometheusServer) -> None:
    with pytest.raises(ValueError, match="whole hours"):
        collector(scenario_prometheus.url).collect(
            TimeWindow(T0_DT + timedelta(minutes=5), T0_DT + timedelta(hours=1))
        )


def test_window_outside_data_is_empty(scenario_prometheus: PrometheusServer) -> None:
    batch = collector(scenario_prometheus.url).collect(
        TimeWindow(T0_DT + timedelta(days=1), T0_DT + timedelta(days=1, hours=1))
    )
    assert batch.usage == []
