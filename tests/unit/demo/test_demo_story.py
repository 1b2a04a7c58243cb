"""The stories the demo exists to tell are present in the records, and the records are sane."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from collectors.demo import DemoCollector
from collectors.demo.models import MIB
from collectors.demo.topology import QUOTAS, WORKLOADS, workload
from collectors.records import Batch, ContainerUsageHour, TimeWindow, WorkloadRecord


def _rows(batch: Batch, name: str) -> list[ContainerUsageHour]:
    return [u for u in batch.usage if u.workload == name]


def _spec(batch: Batch, name: str) -> WorkloadRecord:
    return next(w for w in batch.workloads if w.name == name)


def test_inventory_api_is_clearly_over_provisioned(full: Batch) -> None:
    spec = _spec(full, "inventory-api").containers[0]
    assert spec.cpu_request is not None
    assert spec.memory_request is not None
    rows = _rows(full, "inventory-api")
    p95 = np.array([u.cpu_p95 for u in rows])
    # Even its busiest hour uses well under half its CPU request.
    assert p95.max() < 0.5 * float(spec.cpu_request)
    assert np.median(p95) < 0.1 * float(spec.cpu_request)
    assert max(u.memory_max for u in rows) < 0.3 * float(spec.memory_request)


def test_payment_sim_api_is_oom_killed_at_its_memory_limit(full: Batch) -> None:
    limit = _spec(full, "payment-sim-api").containers[0].memory_limit
    assert limit is not None
    rows = _rows(full, "payment-sim-api")
    killed = [u for u in rows if u.oom_kills > 0]
    assert len(killed) >= 5
    assert all(u.restarts == u.oom_kills for u in rows)
    assert all(u.memory_max == pytest.approx(float(limit)) for u in killed)
    quiet = [u for u in rows if u.oom_kills == 0]
    assert quiet, "OOM kills happen in some hours, not all"
    assert all(u.memory_max < float(limit) for u in quiet)
    # Its usual working set is above its request: the request is too small too.
    request = _spec(full, "payment-sim-api").containers[0].memory_request
    assert request is not None
    assert np.median([u.memory_avg for u in rows]) > float(request)


def test_only_the_under_provisioned_service_is_oom_killed(full: Batch) -> None:
    assert {u.workload for u in full.usage if u.oom_kills} == {"payment-sim-api"}


def test_worker_scales_from_zero_and_has_no_rows_while_idle(
    demo: DemoCollector, full: Batch
) -> None:
    rows = _rows(full, "reservation-worker")
    hours = {u.hour for u in rows}
    all_hours = demo.full_window().hours()
    idle = [h for h in all_hours if h not in hours]
    assert len(idle) >= 5 * 24 * 0.2, "quiet hours every night"
    # Idle hours are night hours, when traffic is lowest.
    assert {h.hour for h in idle} <= set(range(15, 24)) | set(range(6))
    reps = demo.simulation().replicas["reservation-worker"].reshape(-1, 12)
    for i, h in enumerate(all_hours):
        assert (h in hours) == bool(reps[i].any())
    assert max(u.pods for u in rows) > 10
    assert min(u.pods for u in rows) < 1  # scaled up or down within an hour


def test_a_spike_day_pushes_gateway_and_reservation_to_their_maximum(
    demo: DemoCollector, full: Batch
) -> None:
    peak_by_day: dict[date, float] = defaultdict(float)
    for u in _rows(full, "gateway-api"):
        peak_by_day[u.hour.date()] = max(peak_by_day[u.hour.date()], u.cpu_avg * u.pods)
    peaks = sorted(peak_by_day.values())
    assert peaks[-1] > 3 * peaks[len(peaks) // 2]
    spike_day = max(peak_by_day, key=lambda d: peak_by_day[d])
    assert sum(1 for p in peaks if p > 2 * peaks[len(peaks) // 2]) == 1
    reps = demo.simulation().replicas
    day_steps = slice(
        (spike_day - demo.full_window().start.date()).days * 288,
        (spike_day - demo.full_window().start.date()).days * 288 + 288,
    )
    assert reps["gateway-api"][day_steps].max() == workload("gateway-api").scaling.max_replicas
    assert reps["reservation-api"][day_steps].max() >= 0.9 * 50
    # The gateway is throttled during the event and not on an ordinary day.
    throttled = [u.throttled_ratio or 0.0 for u in _rows(full, "gateway-api")]
    assert max(throttled) > 0.01
    assert np.median(throttled) < 0.001
    assert 25_000 < demo.simulation().rps.max() <= 30_000


def test_replicas_stay_within_autoscaler_bounds(demo: DemoCollector, full: Batch) -> None:
    reps = demo.simulation().replicas
    for w in full.workloads:
        for a in w.autoscalers:
            r = reps[w.name]
            assert r.min() >= a.min_replicas, w.name
            assert r.max() <= a.max_replicas, w.name
            if w.name == "inventory-api":  # over-provisioned: never leaves its minimum
                assert r.max() == a.min_replicas
            else:
                assert r.max() > r.min(), f"{w.name} should actually scale"
    for name, r in reps.items():
        main = workload(name).containers[0].name
        rows = [u for u in _rows(full, name) if u.container == main]
        pods = np.array([u.pods for u in rows])
        assert pods.max() <= r.max() + 1e-9
        assert sum(u.pod_hours for u in rows) == pytest.approx(r.sum() / 12)


@pytest.mark.parametrize("name", ["gateway-api", "reservation-api", "payment-sim-api"])
def test_hpa_keeps_utilization_near_its_target(full: Batch, name: str) -> None:
    spec = _spec(full, name)
    (hpa,) = spec.autoscalers
    request = float(spec.containers[0].cpu_request or 0)
    target = float(str(hpa.metrics[0]["target"])) / 100
    scaled = [
        u.cpu_avg / request
        for u in _rows(full, name)
        if hpa.min_replicas < u.pods < hpa.max_replicas
    ]
    assert len(scaled) > 100
    assert 0.6 * target < np.median(scaled) <= 1.02 * target


def test_hpa_and_keda_specs(full: Batch) -> None:
    gateway = _spec(full, "gateway-api").autoscalers
    assert [(a.kind, a.min_replicas, a.max_replicas) for a in gateway] == [
        ("HorizontalPodAutoscaler", 3, 40)
    ]
    assert gateway[0].metrics[0] == {
        "type": "Resource",
        "name": "cpu",
        "target_type": "Utilization",
        "target": 70,
    }
    (scaled,) = _spec(full, "reservation-worker").autoscalers
    assert (scaled.kind, scaled.min_replicas, scaled.max_replicas) == ("ScaledObject", 0, 30)
    assert scaled.metrics[0]["type"] == "External"
    assert scaled.metrics[0]["name"] == "aws-sqs-queue"


def test_every_row_is_internally_consistent(full: Batch) -> None:
    limits = {(w.name, c.name): c for w in full.workloads for c in w.containers}
    for u in full.usage:
        assert u.cpu_p50 <= u.cpu_p90 <= u.cpu_p95 <= u.cpu_p99 <= u.cpu_max
        assert 0 < u.cpu_avg <= u.cpu_max
        assert 0 < u.memory_avg <= u.memory_max
        assert u.memory_p95 <= u.memory_max
        assert u.samples == round(u.pods * 12)
        assert u.pod_hours == u.pods
        assert u.hour.minute == 0
        spec = limits[(u.workload, u.container)]
        if spec.cpu_limit is not None:
            assert u.cpu_max <= float(spec.cpu_limit) + 1e-9
            assert u.throttled_ratio is not None
            assert 0.0 <= u.throttled_ratio <= 1.0
        else:
            assert u.throttled_ratio is None
        if spec.memory_limit is not None:
            assert u.memory_max <= float(spec.memory_limit) + 1e-6


def test_every_workload_and_container_has_usage(full: Batch) -> None:
    want = {(w.name, c.name) for w in WORKLOADS for c in w.containers}
    assert {(u.workload, u.container) for u in full.usage} == want
    by_kind = {(w.kind, w.name) for w in full.workloads}
    assert {(u.workload_kind, u.workload) for u in full.usage} == by_kind


def test_daily_and_weekly_cycles_show(demo: DemoCollector) -> None:
    rps = demo.simulation().rps.reshape(-1, 12).mean(axis=1)
    start = demo.full_window().start
    by_hour = defaultdict(list)
    by_weekday = defaultdict(list)
    for i, value in enumerate(rps[: 28 * 24]):
        t: datetime = start + timedelta(hours=i)
        if value < 20_000:  # leave the event out
            by_hour[t.hour].append(value)
            by_weekday[t.weekday()].append(value)
    assert np.mean(by_hour[12]) > 5 * np.mean(by_hour[0])
    assert np.mean(by_weekday[5]) > 1.15 * np.mean(by_weekday[1])


def test_daemonset_runs_one_pod_per_node(demo: DemoCollector) -> None:
    sim = demo.simulation()
    per_hour = sim.replicas["aws-node"].reshape(-1, 12)[:, 0]
    for h in range(sim.timeline.hours):
        alive = sum(1 for n in sim.nodes if n.first_hour <= h < n.end_hour)
        assert per_hour[h] == alive


def test_pods_fit_on_the_nodes_every_hour(demo: DemoCollector) -> None:
    sim = demo.simulation()
    hours = sim.timeline.hours
    cpu = np.zeros(hours)
    mem = np.zeros(hours)
    for w in WORKLOADS:
        peak = sim.replicas[w.name].reshape(hours, 12).max(axis=1)
        for first, containers in w.spec_versions(sim.timeline.whole_days):
            cpu[first:] += peak[first:] * sum(c.cpu_request or 0 for c in containers)
            mem[first:] += peak[first:] * sum(c.memory_request or 0 for c in containers) * MIB
    cap_cpu = np.zeros(hours)
    cap_mem = np.zeros(hours)
    for n in sim.nodes:
        cap_cpu[n.first_hour : n.end_hour] += n.group.cpu_cores * 0.92
        cap_mem[n.first_hour : n.end_hour] += n.group.memory_gib * 0.92 * 1024**3
    assert (cpu <= cap_cpu).all()
    assert (mem <= cap_mem).all()
    # The spot group really follows demand: more nodes at the event than at night.
    count = np.array(
        [sum(1 for n in sim.nodes if n.first_hour <= h < n.end_hour) for h in range(hours)]
    )
    assert count.max() >= count.min() + 3


def test_quotas_admit_every_workload_at_its_maximum(full: Batch) -> None:
    for ns, hard in QUOTAS.items():
        members = [w for w in WORKLOADS if w.namespace == ns]
        top = [w.scaling.max_replicas for w in members]
        cpu = sum(n * w.pod_cpu_request() for n, w in zip(top, members, strict=True))
        mem = sum(n * w.pod_memory_request() * MIB for n, w in zip(top, members, strict=True))
        assert cpu <= float(hard["requests.cpu"]), ns
        assert mem <= float(hard["requests.memory"]), ns
        assert sum(top) <= float(hard["pods"]), ns
    assert {(q.namespace, q.name) for q in full.quotas} == {
        ("tacos", "tacos-quota"),
        ("finops", "finops-quota"),
    }


def test_nodes_mix_families_zones_and_capacity_types(full: Batch) -> None:
    assert {n.instance_type for n in full.nodes} == {"m7g.2xlarge", "m6i.4xlarge", "c6i.4xlarge"}
    assert {n.capacity_type for n in full.nodes} == {"on-demand", "spot"}
    assert {n.zone for n in full.nodes} == {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert len({n.name for n in full.nodes}) == len(full.nodes)
    assert all(n.hourly_price is not None and n.hourly_price > 0 for n in full.nodes)
    assert all(n.cluster == "tacos-demo" for n in full.nodes)


def test_cost_tags_come_from_pod_labels_then_namespace(full: Batch) -> None:
    tags = {w.name: dict(w.cost_tags) for w in full.workloads}
    assert tags["gateway-api"] == {
        "service": "gateway-api",
        "team": "platform",
        "cost_center": "CC-1004",
        "environment": "prod",
    }
    # reservation-api has no team label: it inherits the namespace's.
    assert "team" not in _spec(full, "reservation-api").labels
    assert tags["reservation-api"]["team"] == "checkout"
    assert tags["reservation-api"]["cost_center"] == "CC-1001"
    assert tags["inventory-api"]["team"] == "catalog"
    assert tags["payment-sim-api"]["team"] == "payments"
    # coredns carries no app label, so no service tag.
    assert "service" not in tags["coredns"]
    assert tags["coredns"]["team"] == "platform"
    ns = {n.name for n in full.namespaces}
    assert ns == {"tacos", "finops", "kube-system", "monitoring"}


def test_finops_api_has_a_spec_history_from_its_own_rightsizing(
    demo: DemoCollector, full: Batch
) -> None:
    versions = [w for w in full.workloads if w.name == "finops-api"]
    assert len(versions) == 2
    before, after = sorted(versions, key=lambda w: w.observed_at)
    assert before.observed_at == demo.full_window().start
    # 12 days before the last whole day (2026-02-28), at 06:00 UTC.
    assert after.observed_at == datetime(2026, 2, 16, 6, tzinfo=after.observed_at.tzinfo)
    assert before.containers[0].cpu_request == Decimal("0.5")
    assert after.containers[0].cpu_request == Decimal("0.25")
    assert before.containers[0].memory_request == Decimal(1024 * MIB)
    assert after.containers[0].memory_request == Decimal(512 * MIB)
    assert before.containers[0].cpu_limit == after.containers[0].cpu_limit
    # Every other workload has one spec for the whole span.
    others = Counter(w.name for w in full.workloads if w.name != "finops-api")
    assert set(others.values()) == {1}
    # A window on one side of the change sees only the spec in force then.
    early = demo.collect(TimeWindow(before.observed_at, after.observed_at))
    late = demo.collect(TimeWindow(after.observed_at, demo.full_window().end))
    assert [w.observed_at for w in early.workloads if w.name == "finops-api"] == [
        before.observed_at
    ]
    assert [w.observed_at for w in late.workloads if w.name == "finops-api"] == [after.observed_at]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_story_does_not_depend_on_the_seed(seed: int) -> None:
    demo = DemoCollector(seed=seed, end=datetime(2026, 3, 1, 13, tzinfo=UTC))
    batch = demo.collect(demo.full_window())
    sim = demo.simulation()
    assert max(u.cpu_p95 for u in _rows(batch, "inventory-api")) < 1.0  # request: 2 cores
    assert {u.workload for u in batch.usage if u.oom_kills} == {"payment-sim-api"}
    assert sum(1 for u in _rows(batch, "payment-sim-api") if u.oom_kills) >= 5
    worker_hours = {u.hour for u in _rows(batch, "reservation-worker")}
    assert len(demo.full_window().hours()) - len(worker_hours) >= 100
    assert 25_000 < sim.rps.max() <= 30_000
    assert sim.replicas["gateway-api"].max() == 40


def test_natural_keys_are_unique_within_a_batch(full: Batch) -> None:
    usage_keys = [
        (u.cluster, u.namespace, u.workload_kind, u.workload, u.container, u.hour)
        for u in full.usage
    ]
    assert len(usage_keys) == len(set(usage_keys))
    assert len({(n.cluster, n.name) for n in full.nodes}) == len(full.nodes)
    assert len({(n.cluster, n.name) for n in full.namespaces}) == len(full.namespaces)
    # Workloads repeat only to carry a spec change, in time order.
    seen: dict[tuple[str, str, str, str], datetime] = {}
    for w in full.workloads:
        key = (w.cluster, w.namespace, w.kind, w.name)
        if key in seen:
            assert w.observed_at > seen[key]
            assert w.name == "finops-api"
        seen[key] = w.observed_at
