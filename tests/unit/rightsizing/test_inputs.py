import numpy as np
import pytest

from rightsizing import (
    Autoscaler,
    HourlyUsage,
    InvalidInputError,
    Resources,
    UsageHistory,
    recommend,
)
from rightsizing.quantiles import weighted_quantile

from .builders import MIB, times


def test_from_samples_sorts_by_time():
    u = UsageHistory.from_samples([600, 0, 300], [3, 1, 2], [30, 10, 20])
    assert u.times_s.tolist() == [0, 300, 600]
    assert u.cpu.tolist() == [1, 2, 3]
    assert u.memory.tolist() == [10, 20, 30]
    assert u.points == 3
    assert u.span_s == 900


@pytest.mark.parametrize(
    ("t", "cpu", "mem", "message"),
    [
        ([0, 300], [1.0, float("nan")], [1, 1], "NaN"),
        ([0, 300], [1.0, -0.1], [1, 1], "negative"),
        ([0, 300], [1.0], [1, 1], "same length"),
        ([0, 300], [1.0, float("inf")], [1, 1], "infinite"),
        ([[0, 300]], [[1.0, 1.0]], [[1, 1]], "one-dimensional"),
    ],
)
def test_from_samples_rejects_bad_values(t, cpu, mem, message):
    with pytest.raises(InvalidInputError, match=message):
        UsageHistory.from_samples(t, cpu, mem)


def test_resources_and_autoscaler_validate():
    with pytest.raises(InvalidInputError, match="cpu_request"):
        Resources(cpu_request=-1)
    with pytest.raises(InvalidInputError, match="replicas"):
        Autoscaler("hpa", 5, 2)
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(InvalidInputError, match="target"):
            Autoscaler("hpa", 1, 3, cpu_target_percent=bad)
    # any positive utilization is a legal Kubernetes target, however unusual
    assert Autoscaler("hpa", 1, 3, cpu_target_percent=1500).cpu_target_percent == 1500
    assert Autoscaler("keda", 0, 3).scales_to_zero


def _rollups(samples: np.ndarray, mem: np.ndarray, t: np.ndarray) -> list[HourlyUsage]:
    hours = []
    for h in range(0, samples.size, 12):
        c, m = samples[h : h + 12], mem[h : h + 12]
        hours.append(
            HourlyUsage(
                hour_start_s=float(t[h]),
                cpu_p50=float(np.quantile(c, 0.5, method="inverted_cdf")),
                cpu_p90=float(np.quantile(c, 0.9, method="inverted_cdf")),
                cpu_p95=float(np.quantile(c, 0.95, method="inverted_cdf")),
                cpu_p99=float(np.quantile(c, 0.99, method="inverted_cdf")),
                cpu_max=float(c.max()),
                memory_avg=float(m.mean()),
                memory_p95=float(np.quantile(m, 0.95, method="inverted_cdf")),
                memory_max=float(m.max()),
                samples=12,
                pods=1.0,
            )
        )
    return hours


def test_rollups_are_conservative_and_close_to_samples():
    rng = np.random.default_rng(7)
    t = times(7)
    cpu = rng.gamma(4.0, 0.05, t.size)
    mem = 400 * MIB + rng.normal(0, 5 * MIB, t.size)
    raw = UsageHistory.from_samples(t, cpu, mem)
    rolled = UsageHistory.from_hourly(_rollups(cpu, mem, t))
    assert rolled.points == pytest.approx(raw.points)
    for q in (0.5, 0.9, 0.95, 0.99):
        exact = weighted_quantile(raw.cpu, raw.weights, q)
        approx = weighted_quantile(rolled.cpu, rolled.weights, q)
        assert exact <= approx <= exact * 1.35, q
    assert rolled.memory_peak.max() == pytest.approx(mem.max())


def test_rollup_path_gives_nearly_the_same_recommendation():
    rng = np.random.default_rng(11)
    t = times(14)
    cpu = 0.4 * np.clip(rng.normal(1, 0.15, t.size), 0.1, None)
    mem = 700 * MIB + rng.normal(0, 10 * MIB, t.size)
    from rightsizing import ContainerInputs

    a = recommend(ContainerInputs("k", UsageHistory.from_samples(t, cpu, mem)), "tacos")
    b = recommend(ContainerInputs("k", UsageHistory.from_hourly(_rollups(cpu, mem, t))), "tacos")
    assert a.recommended.cpu_request == pytest.approx(b.recommended.cpu_request, rel=0.15)
    assert a.recommended.memory_request == pytest.approx(b.recommended.memory_request, rel=0.02)


def test_from_hourly_drops_zero_pod_hours_and_checks_order():
    good = HourlyUsage(0, 0.1, 0.2, 0.3, 0.4, 0.5, 10, 20, 30, samples=12, pods=2)
    idle = HourlyUsage(3600, 0, 0, 0, 0, 0, 0, 0, 0, samples=0, pods=0)
    u = UsageHistory.from_hourly([idle, good])
    assert u.points == 12
    assert u.cpu.max() == 0.5
    bad = HourlyUsage(0, 0.3, 0.2, 0.3, 0.4, 0.5, 10, 20, 30, samples=12, pods=1)
    with pytest.raises(InvalidInputError, match="ascending"):
        UsageHistory.from_hourly([bad])
    bad_mem = HourlyUsage(0, 0.1, 0.2, 0.3, 0.4, 0.5, 10, 40, 30, samples=12, pods=1)
    with pytest.raises(InvalidInputError, match="memory max"):
        UsageHistory.from_hourly([bad_mem])


def test_direct_constructors_reject_inconsistent_arrays():
    from rightsizing.evaluation import ReplaySeries

    t = np.array([0.0, 300.0, 600.0])
    ones = np.ones(3)
    with pytest.raises(InvalidInputError, match="different length"):
        UsageHistory(t, ones, ones[:2], ones, ones)
    with pytest.raises(InvalidInputError, match="sorted"):
        UsageHistory(t[::-1].copy(), ones, ones, ones, ones)
    with pytest.raises(InvalidInputError, match="resolution"):
        UsageHistory(t, ones, ones, ones, ones, 0.0)
    with pytest.raises(InvalidInputError, match="differ in length"):
        ReplaySeries("s", t, ones[:2], ones)
    with pytest.raises(InvalidInputError, match="weights differ"):
        ReplaySeries("s", t, ones, ones, weights=ones[:1])
    with pytest.raises(InvalidInputError, match="strictly ascending"):
        ReplaySeries("s", np.array([0.0, 0.0, 300.0]), ones, ones)


def test_guardrails_off_passes_the_raw_proposal_through():
    from rightsizing import ContainerInputs, Guardrails, Recommendation, make_strategy

    t = np.arange(50) * 300.0  # 4 hours, 50 points: far too little for the defaults
    inp = ContainerInputs(
        "k",
        UsageHistory.from_samples(t, np.full(50, 0.001), np.full(50, MIB)),
        current=Resources(4.0, None, 8 * 2.0**30, 8 * 2.0**30),
    )
    assert not isinstance(recommend(inp, "krr-simple"), Recommendation)
    # (KRR's own 100-point rule is the strategy's, not a guardrail: lower it too)
    raw = recommend(inp, make_strategy("krr-simple", {"points_required": 10}), Guardrails.off())
    assert isinstance(raw, Recommendation)
    assert raw.recommended.cpu_request == pytest.approx(0.001)  # no floor, no 50% step
    assert raw.recommended.memory_request == pytest.approx(MIB * 1.15)
