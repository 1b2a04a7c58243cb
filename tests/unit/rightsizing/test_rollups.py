from dataclasses import replace

import pytest

from rightsizing import (
    HourlyUsage,
    InvalidInputError,
    Recommendation,
    Resources,
    make_strategy,
    recommend,
)
from rightsizing.inputs import HourlyColumns
from rightsizing.rollups import inputs_from_columns, inputs_from_hourly

from .builders import GIB, MIB, T0


def hour(i: int, pods: float = 2.0, **kw) -> HourlyUsage:
    base = {
        "cpu_p50": 0.2,
        "cpu_p90": 0.3,
        "cpu_p95": 0.35,
        "cpu_p99": 0.4,
        "cpu_max": 0.5,
        "memory_avg": 300 * MIB,
        "memory_p95": 320 * MIB,
        "memory_max": 350 * MIB,
        "samples": int(12 * pods),
        "pods": pods,
    }
    base.update(kw)
    return HourlyUsage(hour_start_s=T0 + i * 3600.0, **base)


def test_window_replicas_ooms_and_throttling():
    hours = [hour(i) for i in range(14 * 24) if (i % 24) < 12]  # scaled to zero half the day
    hours[5] = hour(5, oom_kills=2, memory_max=400 * MIB, memory_p95=320 * MIB)
    hours[6] = hour(6, throttled_ratio=0.3)
    hours[7] = hour(7, throttled_ratio=0.1)
    inp = inputs_from_hourly("ns/w/c", [*hours, hour(-5)], T0, T0 + 14 * 86400.0)
    assert inp.history_s == 14 * 86400.0
    assert inp.usage.points == pytest.approx(len(hours) * 24)  # the hour before the window is out
    assert len(inp.oom_events) == 2
    assert inp.oom_events[0].memory_bytes == 400 * MIB
    assert inp.throttled_ratio == pytest.approx(0.2)
    assert inp.replicas is not None
    assert inp.replicas.zero_share() == pytest.approx(0.5)
    assert inp.mean_replicas() == pytest.approx(1.0)
    out = recommend(inp, "tacos")
    assert isinstance(out, Recommendation) or out.reason.value == "below-threshold"


def test_rollups_drive_a_recommendation_with_savings():
    hours = [hour(i) for i in range(8 * 24)]
    cur = Resources(0.6, None, 600 * MIB, 600 * MIB)
    inp = inputs_from_hourly("ns/w/c", hours, T0, T0 + 8 * 86400.0, current=cur)
    r = recommend(inp, make_strategy("krr-simple", {"cpu_percentile": 97}))
    assert isinstance(r, Recommendation)
    # pseudo-point masses .50/.40/.05/.04/.01: the p97 falls on the hours' p99 (0.4 cores)
    assert r.recommended.cpu_request == pytest.approx(0.4)
    assert r.recommended.memory_request == pytest.approx(350 * MIB * 1.15)
    # (0.2 cores x $0.031611 + 197.5 MiB x $0.004237/GiB) x 2 pods x 730 h
    expected = (0.2 * 0.031611 + (600 - 402.5) / 1024 * 0.004237) * 2 * 730
    assert float(r.monthly_saving) == pytest.approx(expected, abs=0.01)
    big = recommend(
        inputs_from_hourly("k", hours, T0, T0 + 8 * 86400.0, current=Resources(1, None, GIB, GIB)),
        "krr-simple",
    )
    assert isinstance(big, Recommendation)
    assert big.recommended.memory_request == pytest.approx(GIB / 2)  # 50% step limit


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (hour(0, oom_kills=-1), "negative counts"),
        (hour(0, throttled_ratio=1.5), "throttled_ratio"),
    ],
)
def test_bad_rollups_are_rejected(bad, message):
    with pytest.raises(InvalidInputError, match=message):
        inputs_from_hourly("k", [bad], T0, T0 + 86400.0)


def test_empty_window_is_rejected():
    with pytest.raises(InvalidInputError, match="after its start"):
        inputs_from_hourly("k", [], T0, T0)


def test_history_starts_at_first_sighting_but_never_after_stored_usage():
    hours = [hour(i) for i in range(3 * 24, 14 * 24)]  # usage for the last 11 days
    end = T0 + 14 * 86400.0
    late = inputs_from_hourly("k", hours, T0, end, first_seen_s=T0 + 5 * 86400.0)
    assert late.start_s == T0 + 3 * 86400.0  # the usage is older than the inventory
    assert late.replicas is not None and late.replicas.zero_share() == 0.0
    young = inputs_from_hourly("k", hours, T0, end, first_seen_s=T0 + 86400.0)
    assert young.start_s == T0 + 86400.0  # two days at zero replicas before the usage
    assert young.replicas is not None
    assert young.replicas.zero_share() == pytest.approx(2 / 13)
    unknown = inputs_from_hourly("k", hours, T0, end)
    assert unknown.start_s == T0
    assert unknown.history_s == 14 * 86400.0


def test_oom_events_sit_at_the_memory_limit_when_it_is_known():
    hours = [hour(0, oom_kills=1, memory_max=400 * MIB), hour(1)]
    limited = inputs_from_hourly("k", hours, T0, T0 + 86400.0, current=Resources(1, None, GIB, GIB))
    assert [e.memory_bytes for e in limited.oom_events] == [GIB]
    assert limited.oom_events[0].time_s == T0 + 1800.0
    unlimited = inputs_from_hourly("k", hours, T0, T0 + 86400.0)
    assert [e.memory_bytes for e in unlimited.oom_events] == [400 * MIB]


def test_columns_must_be_aligned_and_sorted():
    cols = HourlyColumns.from_rows([hour(2), hour(0), hour(1)])
    assert cols.hour_start_s.tolist() == [T0, T0 + 3600.0, T0 + 7200.0]  # from_rows sorts
    with pytest.raises(InvalidInputError, match="sorted"):
        replace(cols, hour_start_s=cols.hour_start_s[::-1].copy())
    with pytest.raises(InvalidInputError, match="different length"):
        replace(cols, cpu_p50=cols.cpu_p50[:2])
    assert len(cols.between(T0 + 1, T0 + 7200.0)) == 1


def test_monotone_repairs_unordered_percentiles_upwards():
    bad = hour(0, cpu_p90=0.1, cpu_p95=0.05, memory_max=100 * MIB)
    with pytest.raises(InvalidInputError, match="not ascending"):
        inputs_from_hourly("k", [bad], T0, T0 + 86400.0)
    fixed = HourlyColumns.from_rows([bad]).monotone()
    assert fixed.cpu_p90[0] == fixed.cpu_p95[0] == 0.2  # raised to the p50, never lowered
    assert fixed.cpu_max[0] == 0.5
    assert fixed.memory_max[0] == 320 * MIB
    assert inputs_from_columns("k", fixed, T0, T0 + 86400.0).usage.points == 24
