"""The pure building blocks (timeline, traffic, replicas, nodes, usage) on hand-worked inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from collectors.demo import nodes, replicas, traffic, usage
from collectors.demo.models import ContainerModel, NodeGroup, Scaling, WorkloadModel
from collectors.demo.topology import workload
from collectors.demo.traffic import Timeline

SPOT = NodeGroup("spot", "c6i.4xlarge", "spot", 16, 32, Decimal("0.25"), 0, 5, True)
FIXED = NodeGroup("fixed", "m6i.4xlarge", "on-demand", 16, 64, Decimal("0.75"), 1, 1, False)


def test_timeline_starts_at_midnight_and_counts_whole_days() -> None:
    tl = Timeline.ending_at(datetime(2026, 3, 1, 13, tzinfo=UTC), 30)
    assert tl.start == datetime(2026, 1, 30, tzinfo=UTC)
    assert tl.hours == 30 * 24 + 13
    assert tl.steps == tl.hours * 12
    assert tl.whole_days == 30
    assert tl.hour_index(tl.start - timedelta(days=2)) == 0
    assert tl.hour_index(tl.start + timedelta(minutes=1)) == 1  # first hour starting inside
    assert tl.hour_index(tl.end + timedelta(days=2)) == tl.hours
    midnight = Timeline.ending_at(datetime(2026, 3, 1, tzinfo=UTC), 30)
    assert midnight.hours == 30 * 24
    assert midnight.whole_days == 30


def test_event_shape_ramps_holds_and_decays() -> None:
    minutes = np.array([-15.0, -10.0, -5.0, 0.0, 30.0, 70.0])
    shape = traffic.event_shape(minutes)
    assert shape.tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.0, np.exp(-1.0)])


def test_platform_rps_peaks_at_the_event_and_is_deterministic() -> None:
    tl = Timeline.ending_at(datetime(2026, 3, 1, 13, tzinfo=UTC), 14)
    a = traffic.platform_rps(tl, np.random.default_rng(1))
    b = traffic.platform_rps(tl, np.random.default_rng(1))
    assert np.array_equal(a, b)
    opening = tl.event_step()
    assert a[opening] == pytest.approx(traffic.SPIKE_PEAK_RPS)
    assert int(a.argmax()) in range(opening - 2, opening + 7)  # within the plateau
    assert (a > 0).all()
    # The event is on a whole day, EVENT_DAYS_BEFORE_END days before the last one.
    assert opening // (12 * 24) == tl.whole_days - 1 - traffic.EVENT_DAYS_BEFORE_END


def _hpa(min_r: int, max_r: int) -> WorkloadModel:
    c = ContainerModel("app", 0.5, 1.0, 128, 256, 0.02, 0.0005, 70)
    return WorkloadModel("ns", "Deployment", "app", {}, Scaling("hpa", min_r, max_r, 70), (c,))


def test_hpa_desired_replicas_by_hand() -> None:
    # 7000 rps × 0.0005 = 3.5 cores; each pod may use 0.5 × 70% − 0.02 idle = 0.33 → 10.6 → 11.
    got = replicas.hpa_desired(_hpa(2, 20), np.array([7000.0, 0.0, 100_000.0]))
    assert got.tolist() == [11, 2, 20]


def test_hpa_scales_up_one_step_late_and_down_after_stabilization() -> None:
    model = _hpa(1, 20)
    load = np.array([600.0] * 2 + [6000.0] * 2 + [600.0] * 6)  # 0.3/0.33 → 1 pod; 3/0.33 → 10
    got = replicas.replicas(model, load)
    assert got.tolist() == [1, 1, 1, 10, 10, 10, 10, 1, 1, 1]


def test_keda_activates_above_threshold_and_scales_to_zero() -> None:
    model = workload("reservation-worker")
    # depth = rate × 0.25 s; activation 5 messages; 5 messages per replica.
    rates = np.array([0.0, 19.0, 24.0, 100.0, 10_000.0])
    assert replicas.keda_desired(model, rates).tolist() == [0, 0, 2, 5, 30]


def test_daemonset_replicas_are_not_decided_by_an_autoscaler() -> None:
    with pytest.raises(ValueError, match="follow the node count"):
        replicas.replicas(workload("aws-node"), np.zeros(12))


def test_hpa_that_cannot_reach_its_target_is_refused() -> None:
    c = ContainerModel("app", 0.1, None, 64, None, 0.2, 0.001, 10)
    model = WorkloadModel("ns", "Deployment", "app", {}, Scaling("hpa", 1, 5, 70), (c,))
    with pytest.raises(ValueError, match="idle CPU exceeds the HPA target"):
        replicas.hpa_desired(model, np.ones(3))


def test_spot_nodes_needed_by_hand() -> None:
    # Fixed node: 16 × 0.92 = 14.72 cores; a spot node adds 14.72 cores too (no DaemonSets).
    cpu = np.array([10.0, 20.0, 40.0, 5.0, 5.0])
    mem = np.zeros(5)
    got = nodes.spot_nodes_needed(SPOT, (FIXED,), cpu, mem, 0.0, 0.0)
    # 20 × 1.15 = 23 → 1 extra node; 40 × 1.15 = 46 → 3; held one hour after the peak.
    assert got.tolist() == [0, 1, 3, 3, 0]


def test_fleet_follows_the_count_with_unique_names() -> None:
    count = np.array([0, 2, 3, 1, 1, 0, 2])
    lives = nodes.fleet((FIXED, SPOT), count, np.random.default_rng(0))
    per_hour = nodes.nodes_per_hour(lives, count.size)
    assert per_hour.tolist() == (count + 1).tolist()  # plus the fixed node
    assert len({n.name for n in lives}) == len(lives)
    assert all(n.first_hour < n.end_hour for n in lives)
    assert all(n.name.startswith("ip-10-0-") and n.name.endswith(".ec2.internal") for n in lives)


def test_daily_compute_cost_is_node_hours_times_price() -> None:
    lives = [
        nodes.NodeLife(SPOT, "a", "us-east-1a", 10, 30),  # 14 h on day 0, 6 h on day 1
        nodes.NodeLife(FIXED, "b", "us-east-1b", 0, 48),
    ]
    assert nodes.daily_compute_cost(lives, 0) == Decimal("0.25") * 14 + Decimal("0.75") * 24
    assert nodes.daily_compute_cost(lives, 1) == Decimal("0.25") * 6 + Decimal("0.75") * 24
    assert nodes.daily_compute_cost(lives, 2) == 0
    record = lives[0].record("c", datetime(2026, 1, 1, tzinfo=UTC))
    assert record.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert record.observed_at == datetime(2026, 1, 2, 6, tzinfo=UTC)
    assert record.memory_bytes == Decimal(32 * 1024**3)


def test_usage_rollup_of_a_known_constant_pod() -> None:
    """Two pods, no load, no jitter in expectation: CPU is the idle cost, memory the base."""
    c = ContainerModel("app", 1.0, None, 512, 1024, 0.1, 0.0, 300)
    model = WorkloadModel("ns", "Deployment", "app", {}, Scaling("fixed", 2, 2), (c,))
    reps = np.array([2] * 12 + [1] * 6 + [0] * 6 + [0] * 12)
    (hourly,) = usage.workload_usage(model, np.zeros(36), reps, np.random.default_rng(0))
    assert hourly.samples.tolist() == [24, 6, 0]
    rows = hourly.records("c", datetime(2026, 1, 1, tzinfo=UTC), 0, 3)
    assert [r.pods for r in rows] == [2.0, 0.5]  # the empty hour is left out
    assert rows[0].cpu_avg == pytest.approx(0.1, rel=0.15)
    assert rows[0].memory_avg == pytest.approx(300 * 1024**2, rel=0.02)
    assert rows[0].throttled_ratio is None
    assert all(r.oom_kills == 0 for r in rows)


def test_usage_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="same whole hours"):
        usage.workload_usage(
            workload("finops-api"),
            np.zeros(12),
            np.ones(24, dtype=np.int64),
            np.random.default_rng(),
        )
