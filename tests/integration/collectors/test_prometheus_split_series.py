"""Several cAdvisor series for one container give the same rows as PromQL's ``sum by``.

The collector asks Prometheus for bare ``rate`` / ``max_over_time`` and combines the
series per pod container itself (collectors/prometheus/combine.py). Real clusters do
produce several series per container: a container restarted in place gets a new
cgroup ``id`` (the old series goes stale while the new one starts), and some
cAdvisor set-ups export per-CPU series. Here a real Prometheus holds both cases, and
the collector's rows are checked against hand-computed figures and against the rows
rolled up from Prometheus's own ``sum by`` / ``max by`` answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.prometheus import (
    PrometheusClient,
    PrometheusCollector,
    PrometheusConnection,
    PrometheusUsageSource,
)
from collectors.prometheus.rollup import NamespaceSamples, rollup
from collectors.records import ContainerUsageHour, TimeWindow
from tests.support.prometheus_server import PrometheusServer, SeriesData, prometheus_with

pytestmark = pytest.mark.prometheus

T0_DT = datetime(2026, 2, 2, 0, 0, tzinfo=UTC)
T0 = int(T0_DT.timestamp())
MIB = 1024 * 1024
WINDOW = TimeWindow(T0_DT, T0_DT + timedelta(hours=2))
NS = "tacos"


def minutes(first: int, last: int) -> list[int]:
    return list(range(T0 + first, T0 + last + 1, 60))


def counter(times: list[int], cores: float) -> list[tuple[int, float]]:
    return [(t, cores * (t - times[0])) for t in times]


def data() -> list[SeriesData]:
    out: list[SeriesData] = []
    full = minutes(-600, 7200)
    # restarted in place at T0+30m: old cgroup /a (0.5 cores, 200 MiB), new /b
    # (0.25 cores, 100 MiB with one 400 MiB sample at T0+50m); one scrape overlaps.
    pod = {"namespace": NS, "pod": "ledger-0", "container": "app", "image": "x:1"}
    old, new = minutes(-600, 1800), minutes(1740, 7200)
    out += [
        SeriesData("container_cpu_usage_seconds_total", {**pod, "id": "/a"}, counter(old, 0.5)),
        SeriesData("container_cpu_usage_seconds_total", {**pod, "id": "/b"}, counter(new, 0.25)),
        SeriesData(
            "container_memory_working_set_bytes",
            {**pod, "id": "/a"},
            [(t, 200.0 * MIB) for t in old],
        ),
        SeriesData(
            "container_memory_working_set_bytes",
            {**pod, "id": "/b"},
            [(t, (400.0 if t == T0 + 3000 else 100.0) * MIB) for t in new],
        ),
    ]
    # per-CPU series: 0.1 + 0.3 cores, memory exported once
    pod2 = {"namespace": NS, "pod": "ledger-1", "container": "app", "image": "x:1"}
    out += [
        SeriesData(
            "container_cpu_usage_seconds_total", {**pod2, "cpu": "cpu00"}, counter(full, 0.1)
        ),
        SeriesData(
            "container_cpu_usage_seconds_total", {**pod2, "cpu": "cpu01"}, counter(full, 0.3)
        ),
        SeriesData("container_memory_working_set_bytes", pod2, [(t, 64.0 * MIB) for t in full]),
    ]
    for name in ("ledger-0", "ledger-1"):
        owner = {
            "namespace": NS,
            "pod": name,
            "owner_kind": "StatefulSet",
            "owner_name": "ledger",
            "owner_is_controller": "true",
        }
        out.append(SeriesData("kube_pod_owner", owner, [(t, 1.0) for t in full]))
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    workdir: Path = tmp_path_factory.mktemp("prom-split")
    with prometheus_with(data(), workdir) as srv:
        yield srv


def source(url: str) -> PrometheusUsageSource:
    return PrometheusUsageSource(PrometheusConnection(url), cluster="c", namespaces=(NS,))


def test_restart_and_per_cpu_series_are_combined(server: PrometheusServer) -> None:
    rows = {r.hour: r for r in PrometheusCollector(source(server.url)).collect(WINDOW).usage}
    first, second = rows[T0_DT], rows[T0_DT + timedelta(hours=1)]
    # Both pods are one container of one workload: 2 pods all along, not 3.
    assert first.pods == pytest.approx(2.0)
    assert second.pods == pytest.approx(2.0)
    # Second hour: ledger-0 runs at 0.25 and ledger-1 at 0.1 + 0.3.
    assert second.cpu_avg == pytest.approx((0.25 + 0.4) / 2, rel=1e-3)
    assert second.cpu_max == pytest.approx(0.4, rel=1e-3)
    # The new cgroup's 400 MiB peak is the hour's peak; the old one's 200 MiB is not lost.
    assert first.memory_max == pytest.approx(400 * MIB)
    assert second.memory_max == pytest.approx(100 * MIB)
    assert first.cpu_max >= 0.5 - 1e-6  # the old cgroup's 0.5 cores before the restart


def test_rows_equal_those_from_promql_aggregation(server: PrometheusServer) -> None:
    ours = PrometheusCollector(source(server.url)).collect(WINDOW).usage
    client = PrometheusClient(PrometheusConnection(server.url))
    sel = f'{{namespace="{NS}", container!="", container!="POD"}}'
    step = timedelta(minutes=5)
    first = WINDOW.start + step
    by = "by (namespace, pod, container)"
    samples = NamespaceSamples(
        cpu=client.query_range(
            f"sum {by} (rate(container_cpu_usage_seconds_total{sel}[300s]))",
            first,
            WINDOW.end,
            step,
        ),
        memory=client.query_range(
            f"max {by} (max_over_time(container_memory_working_set_bytes{sel}[299999ms]))",
            first,
            WINDOW.end,
            step,
        ),
    )
    theirs = rollup("c", NS, samples, lambda pod: ("StatefulSet", "ledger"), 300, WINDOW.hours())

    def comparable(rows: list[ContainerUsageHour]) -> list[dict[str, object]]:
        keep = ("cpu_avg", "cpu_p50", "cpu_p95", "cpu_max", "memory_max", "pods")
        return [{k: v for k, v in asdict(r).items() if k in keep} for r in rows]

    assert [r.hour for r in ours] == [r.hour for r in theirs] == list(WINDOW.hours())
    for mine, promql in zip(comparable(ours), comparable(theirs), strict=True):
        assert mine == pytest.approx(promql)
