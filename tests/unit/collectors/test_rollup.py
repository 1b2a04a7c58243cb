"""Hourly rollup of per-pod samples (pure numpy), with hand-computed answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from collectors.prometheus.client import Series
from collectors.prometheus.rollup import NamespaceSamples, hour_of, rollup

H0 = datetime(2026, 1, 5, tzinfo=UTC)
T0 = int(H0.timestamp())


def series(pod: str, ts: list[int], values: list[float], container: str = "app") -> Series:
    return Series(
        {"namespace": "tacos", "pod": pod, "container": container},
        np.array(ts, dtype=np.int64),
        np.array(values, dtype=np.float64),
    )


def steps(n: int, first: int = 1) -> list[int]:
    return [T0 + 300 * k for k in range(first, first + n)]


def owner(pod: str) -> tuple[str, str]:
    return ("Deployment", pod.rsplit("-", 1)[0])


def run(samples: NamespaceSamples, hours: int = 2) -> list:  # type: ignore[type-arg]
    return rollup(
        "c", "tacos", samples, owner, 300, [H0 + timedelta(hours=h) for h in range(hours)]
    )


def test_interval_end_belongs_to_the_hour_it_closes() -> None:
    ts = np.array([T0 + 300, T0 + 3600, T0 + 3900], dtype=np.int64)
    assert hour_of(ts).tolist() == [T0, T0, T0 + 3600]


def test_percentiles_over_pooled_pods() -> None:
    cpu = [
        series("api-a", steps(12), [0.1 * k for k in range(1, 13)]),
        series("api-b", steps(12), [2.0] * 12),
    ]
    mem = [series("api-a", steps(12), [100.0] * 12), series("api-b", steps(12), [300.0] * 12)]
    (row,) = run(NamespaceSamples(cpu, mem))
    pooled = np.array([0.1 * k for k in range(1, 13)] + [2.0] * 12)
    assert row.samples == 24
    assert row.cpu_avg == pytest.approx(pooled.mean())
    assert row.cpu_p50 == pytest.approx(np.percentile(pooled, 50))
    assert row.cpu_p90 == pytest.approx(2.0)
    assert row.cpu_max == pytest.approx(2.0)
    assert row.memory_avg == pytest.approx(200.0)
    assert row.pods == pytest.approx(2.0)


def test_nan_and_inf_dropped_from_stats_but_count_as_presence() -> None:
    mem = [series("api-a", steps(4), [100.0, float("nan"), float("inf"), 300.0])]
    (row,) = run(NamespaceSamples([], mem))
    assert row.memory_avg == pytest.approx(200.0)
    assert row.memory_max == pytest.approx(300.0)
    assert row.pods == pytest.approx(4 / 12)
    assert row.samples == 0  # no CPU samples at all
    assert row.cpu_max == 0.0


def test_hours_outside_the_window_are_not_emitted() -> None:
    cpu = [series("api-a", steps(24), [1.0] * 24)]
    rows = run(NamespaceSamples(cpu, []), hours=1)
    assert [r.hour for r in rows] == [H0]


def test_restarts_ooms_and_throttling_per_hour() -> None:
    cpu = [series("api-a", steps(24), [1.0] * 24), series("api-b", steps(24), [1.0] * 24)]
    hourly = [T0 + 3600, T0 + 7200]
    samples = NamespaceSamples(
        cpu,
        [],
        throttled=[series("api-a", hourly, [10.0, 0.0]), series("api-b", hourly, [30.0, 0.0])],
        periods=[series("api-a", hourly, [100.0, 0.0]), series("api-b", hourly, [100.0, 0.0])],
        restarts=[series("api-a", hourly, [1.02, 0.0]), series("api-b", hourly, [2.0, 1.0])],
        oom_flag=[series("api-b", hourly, [1.0, 0.0])],
    )
    h0, h1 = run(samples)
    assert h0.throttled_ratio == pytest.approx(0.2)
    assert h1.throttled_ratio is None  # no CFS periods at all: unknown, not zero
    assert (h0.restarts, h0.oom_kills) == (3, 2)
    assert (h1.restarts, h1.oom_kills) == (1, 0)


def test_containers_are_separate_rows() -> None:
    cpu = [
        series("api-a", steps(12), [1.0] * 12),
        series("api-a", steps(12), [0.1] * 12, container="envoy"),
    ]
    rows = run(NamespaceSamples(cpu, []), hours=1)
    assert sorted((r.container, round(r.cpu_max, 6)) for r in rows) == [
        ("app", 1.0),
        ("envoy", 0.1),
    ]
