"""One sort of a container's window, shared by the fleet calibration's held-out folds.

Each shortcut must answer exactly what the plain computation on the cut-down container
answers: these tests compare them on awkward data (ties, samples without pods, hourly
rollups whose five points share a time, an HPA, too few points)."""

from dataclasses import replace

import numpy as np
import pytest

from rightsizing import Autoscaler, ContainerInputs, Resources, UsageHistory
from rightsizing.quantiles import (
    DecayingHistogram,
    ValueOrder,
    sorted_median,
    sorted_weighted_quantile,
    weighted_quantile,
)
from rightsizing.strategies import fleet_price
from rightsizing.strategies.fleet_price import (
    _first_at_least,
    cost_candidates,
    daily_medians,
    drift_before,
    level_drift,
    predictive_sample,
    risen,
    spread_candidates,
    spread_cost_optimal,
    spread_points,
)
from rightsizing.strategies.krr_simple import KrrSimpleStrategy
from rightsizing.strategies.vpa import VpaStrategy

from .builders import DAY, inputs, times


def _awkward(seed: int, days: float = 10.0) -> ContainerInputs:
    """Quantised usage (many ties), a stretch at zero replicas, a level step."""
    rng = np.random.default_rng(seed)
    t = times(days)
    cpu = np.round(rng.gamma(4.0, 0.05, t.size) * (1 + (t > t[t.size // 2])), 2)
    base = inputs(cpu, days=days, current=Resources(0.5, None, None, None))
    weights = np.where((np.arange(t.size) // 200) % 7 == 3, 0.0, 1.0)
    return replace(base, usage=replace(base.usage, weights=weights))


def _hourly(seed: int) -> ContainerInputs:
    """Rollup-style points: five per hour at one time, unequal masses."""
    rng = np.random.default_rng(seed)
    hours = np.repeat(1_704_067_200.0 + 1800.0 + np.arange(24 * 10) * 3600.0, 5)
    cpu = np.sort(rng.gamma(3.0, 0.1, (hours.size // 5, 5)), axis=1).ravel()
    w = np.tile([6.0, 3.0, 1.5, 1.2, 0.3], hours.size // 5)
    usage = UsageHistory(hours, cpu, cpu * 1e9, w, cpu * 1e9, 3600.0)
    return ContainerInputs("ns/hourly/c", usage, Resources(0.4, None, None, None))


def _cut(inputs_: ContainerInputs, split_s: float) -> tuple[ContainerInputs, int]:
    """The container as it was seen at ``split_s`` (what the shortcuts stand for)."""
    u = inputs_.usage
    i = int(np.searchsorted(u.times_s, split_s, side="left"))
    seen = UsageHistory(
        u.times_s[:i], u.cpu[:i], u.memory[:i], u.weights[:i], u.memory_peak[:i], u.resolution_s
    )
    return replace(inputs_, usage=seen, now_s=split_s), i


CASES = [_awkward(1), _awkward(2), _hourly(3), _hourly(4)]


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_filtered_sort_answers_what_each_slice_would(container):
    u = container.usage
    order = ValueOrder.of(u.cpu, u.weights)
    assert np.all(np.diff(order.cpu) >= 0)
    n = u.cpu.size
    for start, stop in [(0, n), (0, n // 3), (n // 4, n // 2), (n - 7, n), (5, 5)]:
        part = u.cpu[start:stop]
        assert np.array_equal(np.sort(part), order.cpu[order.between(start, stop)])
        with_pods = part[u.weights[start:stop] > 0]
        got = order.median_with_pods(start, stop)
        assert got == (float(np.median(with_pods)) if with_pods.size else None)
        if stop > start:
            assert risen(u, start, stop, 0.1, order) == risen(u, start, stop, 0.1)
            assert risen(u, start, stop, -0.5, order) == risen(u, start, stop, -0.5)


def test_sorted_quantile_and_median_match_the_unsorted_ones():
    rng = np.random.default_rng(5)
    v = np.round(rng.gamma(2.0, 1.0, 999), 1)  # ties
    w = rng.uniform(0.0, 2.0, v.size)
    order = np.argsort(v, kind="stable")
    for q in (0.0, 0.05, 0.5, 0.9, 0.95, 0.999, 1.0):
        assert sorted_weighted_quantile(v[order], w[order], q) == weighted_quantile(v, w, q)
    assert sorted_median(v[order]) == float(np.median(v))
    assert sorted_median(v[order][:-1]) == float(np.median(v[order][:-1]))
    with pytest.raises(ValueError, match="zero"):
        sorted_weighted_quantile(v[order], np.zeros(v.size), 0.5)
    with pytest.raises(ValueError, match="empty"):
        sorted_weighted_quantile(np.array([]), np.array([]), 0.5)


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_baselines_before_a_split_are_their_requests_on_the_cut_container(container):
    krr, krr_hpa, vpa = KrrSimpleStrategy(), KrrSimpleStrategy(allow_hpa=True), VpaStrategy()
    scaled = replace(container, autoscaler=Autoscaler("hpa", 2, 10, cpu_target_percent=70.0))
    order = ValueOrder.of(container.usage.cpu, container.usage.weights)
    buckets = vpa.cpu_buckets(container)
    end = container.end_s
    # with a 1-day history krr-simple's own window starts after the cut one does
    short = KrrSimpleStrategy(history_days=1)
    for back_days in (1, 2, 3.5, 6, 9.7):
        split = end - back_days * DAY
        seen, stop = _cut(container, split)
        for strategy in (krr, krr_hpa, short):
            assert strategy.cpu_request_before(container, split, stop, order) == (
                strategy.cpu_request(seen)
            )
        assert krr.cpu_request_before(scaled, split, stop, order) is None  # leaves CPU alone
        assert vpa.cpu_request_before(container, split, stop) == pytest.approx(
            vpa.cpu_request(seen), rel=1e-12
        )
        # the window's buckets, computed once, are each prefix's own
        assert vpa.cpu_request_before(container, split, stop, buckets) == (
            vpa.cpu_request_before(container, split, stop)
        )
    # too few points before the split: krr-simple declines, as on the cut container
    early = float(container.usage.times_s[10])
    seen, stop = _cut(container, early)
    assert krr.cpu_request(seen) is None
    assert krr.cpu_request_before(container, early, stop, order) is None
    assert vpa.cpu_request_before(container, early, 0) is None


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_level_drift_from_a_shared_sort_is_the_same(container):
    u = container.usage
    order = np.argsort(u.cpu, kind="stable")
    for end in (container.end_s, container.end_s - 2.5 * DAY):
        stop = int(np.searchsorted(u.times_s, end, side="left"))
        sub = order[order < stop]
        want = level_drift(u.times_s[:stop], u.cpu[:stop], end)
        got = level_drift(u.times_s[:stop], u.cpu[:stop], end, sub)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_histogram_adds_accumulate_as_one_add():
    rng = np.random.default_rng(9)
    a, b = rng.gamma(2.0, 0.2, 500), rng.gamma(2.0, 0.2, 300)
    wa, wb = rng.uniform(0, 1, a.size), rng.uniform(0, 1, b.size)
    twice = DecayingHistogram(1000.0, 0.01)
    twice.add(a, wa)
    twice.add(b, wb)
    once = DecayingHistogram(1000.0, 0.01)
    once.add(np.r_[a, b], np.r_[wa, wb])
    assert np.allclose(twice.weights, once.weights, rtol=1e-12)
    assert twice.percentile(0.9) == once.percentile(0.9)


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_a_fits_drift_from_the_windows_daily_medians_is_its_own(container):
    u = container.usage
    order = ValueOrder.of(u.cpu, u.weights)
    end = container.end_s
    day = np.floor((end - u.times_s) / DAY).astype(np.int64)
    window_medians = daily_medians(day, u.cpu, order.index)
    for shift in range(1, 8):
        split = end - shift * DAY
        stop = int(np.searchsorted(u.times_s, split, side="left"))
        want = level_drift(u.times_s[:stop], u.cpu[:stop], split)
        assert drift_before(u.times_s, order, window_medians, split, shift) == want


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_the_spread_sample_is_the_same_from_a_shared_sort_and_drift(container):
    u = container.usage
    end = container.end_s
    order = ValueOrder.of(u.cpu, u.weights)
    drift = level_drift(u.times_s, u.cpu, end)
    plain = predictive_sample(u.times_s, u.cpu, u.weights, end, 3.0)
    shared = predictive_sample(u.times_s, u.cpu, u.weights, end, 3.0, order.index, drift)
    assert plain[0].size == 5 * u.cpu.size  # (the drift is not 0: the sample was spread)
    assert np.array_equal(plain[0], shared[0]) and np.array_equal(plain[1], shared[1])


def _spread_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    n = 3000
    weights = np.where(rng.random(n) < 0.1, 0.0, rng.random(n))  # some samples without pods
    return [
        ("smooth", rng.gamma(2.0, 0.1, n), weights),
        ("ties", np.round(rng.gamma(2.0, 0.1, n), 2), weights),
        ("zeros", np.where(rng.random(n) < 0.7, 0.0, rng.lognormal(0, 1, n)), weights),
        ("point-mass", np.full(n, 0.25), weights),
        ("two-masses", np.where(rng.random(n) < 0.6, 0.1, 0.4), np.ones(n)),
        # a level and bursts 30% above it: whether to cover them depends on the price
        ("bursts", np.where(rng.random(n) < 0.85, 1.0, 1.3) * rng.normal(1, 0.002, n), np.ones(n)),
        ("tiny", rng.gamma(2.0, 0.1, 7), np.ones(7)),
    ]


@pytest.mark.parametrize("sigma", [0.0, 1e-4, 0.02, 0.2, 0.5])
@pytest.mark.parametrize("q_lo", [0.5, 0.6, 0.8])
@pytest.mark.parametrize("case", _spread_cases(), ids=lambda c: c[0])
def test_the_spread_candidates_are_those_of_the_whole_spread_sample(case, q_lo, sigma):
    """The shortcut merges only the spread sample above its ``q_lo`` level: the same
    points as candidates, the same shares to the rounding of one sum."""
    _, values, weights = case
    by_value = np.argsort(values, kind="stable")
    v, w = values[by_value], weights[by_value]
    if sigma > 0:
        whole = cost_candidates(*spread_points(v, w, sigma), q_lo, 0.999)
    else:
        whole = cost_candidates(v, w, q_lo, 0.999)
    short = spread_candidates(v, w, sigma, q_lo, 0.999)
    assert np.array_equal(whole[2], short[2])
    # the same points, except where a level falls on a running share exactly (equal
    # weights): the two sums' rounding then picks one neighbour or the other
    _, weight = spread_points(v, w, sigma) if sigma > 0 else (v, w)
    share = np.cumsum(weight) / weight.sum()
    same = whole[0] == short[0]
    for k in np.flatnonzero(~same):
        assert np.min(np.abs(share - whole[2][k])) < 1e-12, (k, whole[0][k], short[0][k])
    assert same.mean() > 0.95
    assert np.allclose(whole[1][same], short[1][same], rtol=0, atol=1e-12)


def test_the_spread_candidates_merge_less_than_the_whole_spread_sample(monkeypatch):
    """What the shortcut is for: on a spread usage sample it sorts well under half of the
    five copies (the candidates start at the 60% level)."""
    rng = np.random.default_rng(3)
    v = np.sort(rng.gamma(2.0, 0.1, 4000))
    sizes: list[int] = []
    real = np.argsort

    def spy(a, *args, **kwargs):
        sizes.append(a.size)
        return real(a, *args, **kwargs)

    monkeypatch.setattr(np, "argsort", spy)
    spread_candidates(v, np.ones(v.size), 0.1, 0.6, 0.999)
    assert sizes and max(sizes) < 0.5 * 5 * v.size


def test_the_first_scaled_value_at_least_a_key_is_decided_on_the_products():
    v = np.array([0.0, 0.1, 0.1, 0.3, 0.7, 0.7, 0.7, 1.1])
    scale = np.exp(np.array([-0.3, -1e-17, 0.0, 0.2, 1.1]))
    for key in [0.0, 1e-9, 0.1, 0.3 * float(scale[3]), 0.7, 0.77, 5.0]:
        want = [int(np.searchsorted(v * s, key, side="left")) for s in scale]
        assert _first_at_least(v, scale, key).tolist() == want


@pytest.mark.parametrize("container", CASES, ids=["ties-a", "ties-b", "hourly-a", "hourly-b"])
def test_vpa_at_several_cuts_in_one_pass_is_vpa_at_each(container):
    """One pass over the window for every held-out fold: each cut's request is the one
    its own decaying histogram gives (cuts in any order, repeated, or with no samples)."""
    vpa = VpaStrategy()
    buckets = vpa.cpu_buckets(container)
    end = container.end_s
    splits = [end - d * DAY for d in (1, 3.5, 2, 9.7, 6, 2)] + [float(container.usage.times_s[0])]
    stops = [_cut(container, split)[1] for split in splits]
    assert stops[-1] == 0 and len(set(stops)) < len(stops)  # an empty cut and a repeat
    batched = vpa.cpu_requests_before(container, stops, buckets)
    assert batched == vpa.cpu_requests_before(container, stops)  # buckets are a shortcut
    for split, stop, request in zip(splits, stops, batched, strict=True):
        assert request == vpa.cpu_request_before(container, split, stop, buckets)
    assert vpa.cpu_requests_before(container, [0, 0]) == [None, None]
    whole = container.usage.times_s.size  # a cut past the window's end sees all of it
    assert (
        vpa.cpu_requests_before(container, [whole + 5, whole]) == [vpa.cpu_request(container)] * 2
    )


@pytest.mark.parametrize("price", [0.001, 0.3, 1.0, 3.0, 50.0])
@pytest.mark.parametrize("sigma", [0.0, 0.02, 0.3])
@pytest.mark.parametrize("case", _spread_cases(), ids=lambda c: c[0])
def test_the_cheapest_spread_candidate_is_the_whole_ranges(case, sigma, price):
    """A recommendation looks at the top levels first; its choice (request and level,
    the first on ties) is the one over every candidate, whatever the price: a low price
    wants a low level, which the top alone cannot answer."""
    _, values, weights = case
    by_value = np.argsort(values, kind="stable")
    v, w = values[by_value], weights[by_value]
    for q_lo in (0.6, 0.8):
        cand, exceed, levels = spread_candidates(v, w, sigma, q_lo, 0.999)
        best = int(np.argmin(cand + price * exceed))
        assert spread_cost_optimal(v, w, sigma, price, q_lo, 0.999) == (
            float(cand[best]),
            float(levels[best]),
        )


def test_the_top_levels_answer_most_recommendations_alone(monkeypatch):
    """What the shortcut is for: a price that wants a high level is answered without the
    whole range; one that wants a low level searches it (and gets its answer)."""
    rng = np.random.default_rng(11)
    v = np.sort(rng.gamma(4.0, 0.05, 4000))
    w = np.ones(v.size)
    merged_from: list[float] = []  # the level each merge of the spread sample starts under
    real = fleet_price._spread_above

    def spy(*args, **kwargs):
        merged_from.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(fleet_price, "_spread_above", spy)
    request, level = spread_cost_optimal(v, w, 0.05, 5.0, 0.6, 0.999)
    assert len(merged_from) == 1 and merged_from[0] >= fleet_price.TOP_LEVEL
    assert level >= fleet_price.TOP_LEVEL and request > float(np.median(v))
    merged_from.clear()
    _, low = spread_cost_optimal(v, w, 0.05, 0.01, 0.6, 0.999)
    assert merged_from[1:] == [0.6] and low < fleet_price.TOP_LEVEL
