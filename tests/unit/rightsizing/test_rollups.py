import pytest

from rightsizing import (
    HourlyUsage,
    InvalidInputError,
    Recommendation,
    Resources,
    make_strategy,
    recommend,
)
from rightsizing.rollups import inputs_from_hourly

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
