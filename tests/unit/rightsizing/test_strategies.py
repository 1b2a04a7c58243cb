import numpy as np
import pytest

from rightsizing import (
    Autoscaler,
    InvalidSettingError,
    NoRecommendation,
    OomEvent,
    Reason,
    Resources,
    UnknownStrategyError,
    UsageHistory,
    make_strategy,
    strategy_names,
)
from rightsizing.results import Proposal

from .builders import DAY, GIB, MIB, T0, cycle, inputs, times


def propose(name: str, inp, **settings) -> Proposal:
    out = make_strategy(name, settings).propose(inp)
    assert isinstance(out, Proposal), out
    return out


# ---- krr-simple -------------------------------------------------------------


def test_krr_simple_is_p95_cpu_no_limit_and_max_plus_15_percent_memory():
    n = times(7).size  # 2016 samples = 21 x 96
    cpu = cycle([k / 100 for k in range(1, 97)], n)
    mem = cycle([100 * MIB, 300 * MIB, 200 * MIB], n)
    p = propose("krr-simple", inputs(cpu, mem))
    assert p.resources.cpu_request == pytest.approx(0.92)  # ceil(0.95 x 96) = 92nd value
    assert p.resources.cpu_limit is None
    assert p.resources.memory_request == pytest.approx(300 * MIB * 1.15)
    assert p.resources.memory_limit == p.resources.memory_request


def test_krr_simple_needs_100_points_and_skips_hpa_resources():
    t_short = make_strategy("krr-simple").propose(inputs(0.5, days=0.3))  # 86 points
    assert isinstance(t_short, NoRecommendation)
    assert t_short.reason is Reason.INSUFFICIENT_DATA
    cur = Resources(1.0, None, GIB, GIB)
    hpa = Autoscaler("hpa", 2, 10, cpu_target_percent=70)
    p = propose("krr-simple", inputs(0.5, current=cur, autoscaler=hpa))
    assert p.resources.cpu_request == 1.0  # left as is
    assert p.resources.memory_request == pytest.approx(512 * MIB * 1.15)
    both = Autoscaler("hpa", 2, 10, cpu_target_percent=70, memory_target_percent=80)
    out = make_strategy("krr-simple").propose(inputs(0.5, current=cur, autoscaler=both))
    assert isinstance(out, NoRecommendation)
    assert out.reason is Reason.UNSUPPORTED
    allowed = propose("krr-simple", inputs(0.5, current=cur, autoscaler=hpa), allow_hpa=True)
    assert allowed.resources.cpu_request == pytest.approx(0.5)


# ---- vpa --------------------------------------------------------------------


def test_vpa_cpu_is_bucket_end_of_p90_plus_margin():
    p = propose("vpa", inputs(0.5, 600 * MIB, days=8))
    # the bucket holding 0.5 ends less than one 5% step above it
    assert 0.5 * 1.15 < p.resources.cpu_request <= (0.5 * 1.05 + 0.01) * 1.15
    assert 600 * MIB * 1.15 < p.resources.memory_request <= (600 * MIB * 1.05 + 1e7) * 1.15
    assert p.resources.cpu_limit is None
    assert p.resources.memory_limit == p.resources.memory_request  # nothing known: limit = request


def test_vpa_floors_and_limit_ratio():
    p = propose("vpa", inputs(0.001, 10 * MIB, days=8))
    assert p.resources.cpu_request == 0.025
    assert p.resources.memory_request == 250 * MIB
    cur = Resources(cpu_request=1.0, cpu_limit=2.0, memory_request=GIB, memory_limit=1.5 * GIB)
    q = propose("vpa", inputs(0.5, 600 * MIB, days=8, current=cur))
    assert q.resources.cpu_limit == pytest.approx(2 * q.resources.cpu_request)
    assert q.resources.memory_limit == pytest.approx(1.5 * q.resources.memory_request)


def test_vpa_oom_bumps_memory_and_decay_favours_recent_usage():
    end = T0 + 8 * DAY
    oom = OomEvent(end - 3600, 400 * MIB)
    p = propose("vpa", inputs(0.2, 300 * MIB, days=8, oom_events=(oom,)))
    assert p.resources.memory_request > 500 * MIB * 1.15  # max(400 + 100, 400 x 1.2) = 500 MiB
    n = times(8).size
    cpu = np.where(np.arange(n) < n - 288, 2.0, 0.2)  # 7 days at 2 cores, last day at 0.2
    recent = propose("vpa", inputs(cpu, days=8))
    # 24 h half-life: the old level still weighs ~1/2 + 1/4 + ..., so p90 stays high
    assert recent.resources.cpu_request > 2.0
    short = propose("vpa", inputs(cpu, days=8), half_life_hours=1)
    assert short.resources.cpu_request < 0.3


# ---- tacos ------------------------------------------------------------------


def test_tacos_sizes_below_rare_bursts_where_krr_pays_for_them():
    n = times(7).size
    pattern = [0.2] * 94 + [2.0] * 6  # 6% of the time at 2 cores
    cpu = cycle(pattern, n)
    krr = propose("krr-simple", inputs(cpu))
    tacos = propose("tacos", inputs(cpu))
    assert krr.resources.cpu_request == 2.0
    # K = 3 + 10 x mean 0.308 = 6.08 cores; 0.2 + 6.08 x 0.06 = 0.56 beats covering at 2.0
    assert tacos.resources.cpu_request == 0.2


def test_tacos_covers_the_whole_tail_of_a_small_container():
    n = times(7).size
    cpu = cycle([0.01] * 94 + [0.02] * 6, n)
    tacos = propose("tacos", inputs(cpu))
    assert tacos.resources.cpu_request == 0.02  # 0.02 < 0.01 + (3 + 0.1) x 0.06


def test_tacos_starvation_price_scales_with_the_container():
    n = times(7).size
    uniform = cycle([k / 96 * 16 for k in range(1, 97)], n)  # 0.17..16 cores, evenly
    big = propose("tacos", inputs(uniform))
    # K = 3 + 10 x 8.08 = 84 cores > the 16-core spread: covering the tail pays
    assert big.resources.cpu_request == 16.0
    fixed = propose("tacos", inputs(uniform), starvation_cores=10, starvation_mean_hours=0)
    # a fixed 10-core price is below the spread: the rule drops to its p80 floor
    assert 0.79 * 16 <= fixed.resources.cpu_request <= 0.82 * 16
    bursts = cycle([0.2] * 94 + [2.0] * 6, n)
    small = propose("tacos", inputs(bursts)).resources.cpu_request
    large = propose("tacos", inputs(bursts * 100)).resources.cpu_request
    assert large == pytest.approx(100 * small)  # the same decision at any scale


def test_tacos_percentile_mode_and_limit_policies():
    n = times(7).size
    cpu = cycle([k / 100 for k in range(1, 97)], n)
    p = propose(
        "tacos", inputs(cpu), cpu_mode="percentile", cpu_percentile=0.95, half_life_hours=10000
    )
    assert p.resources.cpu_request == pytest.approx(0.92, abs=0.011)
    assert p.resources.cpu_limit is None
    eq = propose("tacos", inputs(0.5), cpu_limit_policy="equal")
    assert eq.resources.cpu_limit == eq.resources.cpu_request
    ratio = propose(
        "tacos", inputs(0.5), cpu_limit_policy="ratio", limit_ratio=3, memory_limit_policy="ratio"
    )
    assert ratio.resources.cpu_limit == pytest.approx(1.5)
    assert ratio.resources.memory_limit == pytest.approx(3 * ratio.resources.memory_request)


LOW_FLEET_PRICE = {"fleet_starvation_cores": 0.2, "fleet_containers": 100}


def _last_day_at(level: float, noise: float, seed: int):
    """A week of usage around 1 core whose last day is at ``level``."""
    rng = np.random.default_rng(seed)
    t = times(7)
    mean = np.where(t >= t[-1] - DAY + 300, level, 1.0)
    return inputs(mean * np.clip(rng.normal(1.0, noise, t.size), 0.05, None), days=7.0)


def test_tacos_follows_a_level_that_rose_in_the_last_day():
    """Usage doubled for the last day of the window: with a 72 h half-life that day is
    the window's tail, and under a low fleet price (a big container: a core of headroom
    buys little probability) a request from the whole window sits at the old level. The
    request is kept at the last day's own estimate, and says why."""
    inp = _last_day_at(2.0, noise=0.05, seed=5)
    now = propose("tacos", inp, **LOW_FLEET_PRICE)
    before = propose("tacos", inp, recent_days=0, **LOW_FLEET_PRICE)
    assert before.resources.cpu_request < 1.5  # the whole window: the old level
    assert now.resources.cpu_request >= 2.0  # the last day's level
    recent = next(e for e in now.evidence if e.name == "cpu_cost_optimal_recent")
    assert recent.value == pytest.approx(now.resources.cpu_request)
    assert "last 1d" in recent.note
    assert any("usage rose recently" in n for n in now.notes)
    assert not any("usage rose recently" in n for n in before.notes)


def test_tacos_ignores_the_last_day_when_the_level_did_not_rise():
    """A steady container whose last day happens to be a little busier (or a weekend
    that is quieter) keeps the window's request: only a rise above 10% counts."""
    inp = _last_day_at(1.05, noise=0.2, seed=6)
    now = propose("tacos", inp, **LOW_FLEET_PRICE)
    off = propose("tacos", inp, recent_days=0, **LOW_FLEET_PRICE)
    assert now.resources.cpu_request == off.resources.cpu_request
    assert not any(e.name == "cpu_cost_optimal_recent" for e in now.evidence)
    # with no threshold the busier day's own estimate is computed and compared
    anyrise = propose("tacos", inp, recent_rise=-1, **LOW_FLEET_PRICE)
    assert any(e.name == "cpu_cost_optimal_recent" for e in anyrise.evidence)


def test_tacos_keeps_the_teams_memory_burst_headroom():
    cur = Resources(1.0, None, GIB, 2 * GIB)  # limit twice the request
    keep = propose("tacos", inputs(0.5, 400 * MIB, current=cur))
    assert keep.resources.memory_request == pytest.approx(400 * MIB * 1.15)
    assert keep.resources.memory_limit == pytest.approx(2 * keep.resources.memory_request)
    equal = propose("tacos", inputs(0.5, 400 * MIB, current=cur), memory_limit_policy="equal")
    assert equal.resources.memory_limit == equal.resources.memory_request
    # nothing to keep: the default headroom, on the limit only (the request is unchanged)
    unknown = propose("tacos", inputs(0.5, 400 * MIB))
    assert unknown.resources.memory_request == pytest.approx(400 * MIB * 1.15)
    assert unknown.resources.memory_limit == pytest.approx(1.2 * unknown.resources.memory_request)
    wider = propose("tacos", inputs(0.5, 400 * MIB), memory_limit_headroom=1.5)
    assert wider.resources.memory_limit == pytest.approx(1.5 * wider.resources.memory_request)
    # a team's limit equal to its request is a choice, and is kept
    same = Resources(1.0, None, GIB, GIB)
    kept = propose("tacos", inputs(0.5, 400 * MIB, current=same))
    assert kept.resources.memory_limit == pytest.approx(kept.resources.memory_request)
    with pytest.raises(InvalidSettingError, match="memory_limit_headroom"):
        propose("tacos", inputs(0.5, 400 * MIB), memory_limit_headroom=0.9)


def test_tacos_extrapolates_a_leak_but_not_a_sawtooth():
    t = times(7)
    rate = 100 * MIB / DAY
    leak = GIB + rate * (t - t[0])
    p = propose("tacos", inputs(0.2, leak))
    peak = float(leak.max())
    assert p.resources.memory_request == pytest.approx((peak + 7 * 100 * MIB) * 1.15, rel=1e-6)
    assert any("extrapolated" in n for n in p.notes)
    saw = GIB + rate * ((t - t[0]) % DAY) * 5  # restarts daily: peaks flat
    q = propose("tacos", inputs(0.2, saw))
    assert q.resources.memory_request == pytest.approx(float(saw.max()) * 1.15)
    assert q.resources.memory_limit == pytest.approx(1.2 * q.resources.memory_request)


def test_tacos_reacts_to_oom_and_throttling():
    end = T0 + 7 * DAY
    p = propose("tacos", inputs(0.5, 300 * MIB, oom_events=(OomEvent(end - DAY, 400 * MIB),)))
    assert p.resources.memory_request == pytest.approx(500 * MIB)  # max(480, 500) MiB > 345 MiB
    plain = propose("tacos", inputs(0.5))
    throttled = propose("tacos", inputs(0.5, throttled_ratio=0.2))
    assert throttled.resources.cpu_request == pytest.approx(plain.resources.cpu_request * 1.2)
    assert any("throttled" in n for n in throttled.notes)


# ---- registry and settings ------------------------------------------------------


def test_registry_names_and_unknown_strategy():
    assert strategy_names() == ["krr-simple", "vpa", "tacos"]
    with pytest.raises(
        UnknownStrategyError, match="unknown strategy 'kubecost'; choose one of krr-simple"
    ):
        make_strategy("kubecost")


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("tacos", {"nope": 1}, "unknown setting"),
        ("tacos", {"starvation_cores": "lots"}, "must be a number"),
        ("tacos", {"cpu_percentile": 2}, "within"),
        ("tacos", {"cpu_limit_policy": "sometimes"}, "none|ratio|equal"),
        ("tacos", {"cpu_mode": "magic"}, "cost|percentile"),
        ("krr-simple", {"allow_hpa": "maybe"}, "true or false"),
        ("vpa", {"half_life_hours": 0}, "within"),
        # each strategy writes percentiles as its anchor does; the other way is named
        ("krr-simple", {"cpu_percentile": 0.95}, r"a percentage, as KRR's --cpu_percentile"),
        ("tacos", {"cpu_percentile": 95}, r"a fraction, as the VPA's flags: 0\.95 is p95"),
        ("tacos", {"cpu_percentile_min": 80}, r"cpu_percentile_min must be within .*a fraction"),
        ("vpa", {"memory_percentile": 90}, r"memory_percentile must be within .*a fraction"),
    ],
)
def test_bad_settings_are_rejected_with_the_setting_named(name, settings, message):
    with pytest.raises(InvalidSettingError, match=message):
        make_strategy(name, settings)


def test_settings_are_converted_from_strings():
    s = make_strategy("krr-simple", {"allow_hpa": "true", "history_days": "7"})
    assert s.allow_hpa is True  # type: ignore[attr-defined]
    assert s.history_days == 7.0  # type: ignore[attr-defined]


def test_tacos_memory_limit_floor_protects_small_containers_for_free():
    small = propose("tacos", inputs(0.05, 60 * MIB))
    assert small.resources.memory_request == pytest.approx(60 * MIB * 1.15)  # request as usual
    assert small.resources.memory_limit == 256 * MIB  # the limit has headroom
    off = propose("tacos", inputs(0.05, 60 * MIB), memory_limit_floor_bytes=0)
    assert off.resources.memory_limit == pytest.approx(1.2 * off.resources.memory_request)
    bare = propose(
        "tacos", inputs(0.05, 60 * MIB), memory_limit_floor_bytes=0, memory_limit_headroom=1
    )
    assert bare.resources.memory_limit == bare.resources.memory_request


# ---- the baselines' CPU-only path (used by the fleet calibration) -------------


def _cases():
    rng = np.random.default_rng(3)
    cur = Resources(1.0, 2.0, GIB, GIB)
    noisy = np.abs(rng.normal(0.4, 0.2, times(7).size))
    yield inputs(noisy, current=cur)
    yield inputs(noisy)  # no current values
    yield inputs(0.5, days=0.3, current=cur)  # too few points for krr-simple
    yield inputs(0.001, current=cur)  # below VPA's CPU floor
    yield inputs(noisy, current=cur, autoscaler=Autoscaler("hpa", 2, 10, cpu_target_percent=70))
    yield inputs(
        noisy,
        current=cur,
        autoscaler=Autoscaler("hpa", 2, 10, cpu_target_percent=70, memory_target_percent=80),
    )
    yield inputs(noisy, autoscaler=Autoscaler("hpa", 2, 10, memory_target_percent=80))
    empty = inputs(0.5, current=cur)
    yield empty.__class__(
        key=empty.key,
        usage=empty.usage.since(empty.end_s + DAY),  # no samples at all
        current=cur,
        now_s=empty.end_s,
    )


@pytest.mark.parametrize(
    ("name", "settings"), [("krr-simple", {}), ("krr-simple", {"allow_hpa": True}), ("vpa", {})]
)
def test_cpu_request_is_what_propose_would_recommend(name, settings):
    strategy = make_strategy(name, settings)
    for inp in _cases():
        out = strategy.propose(inp)
        fast = strategy.cpu_request(inp)  # None: CPU left at the current request
        want = out.resources.cpu_request if isinstance(out, Proposal) else None
        got = inp.current.cpu_request if fast is None else fast
        assert got == (inp.current.cpu_request if want is None else want), (name, inp.autoscaler)


def test_daily_peaks_are_each_days_maximum_and_nan_where_nothing_was_seen():
    from rightsizing.strategies.tacos import daily_peaks

    rng = np.random.default_rng(4)
    t = times(7)
    mem = rng.uniform(0, 1e9, t.size)
    mem[:40] = 0.0  # a day can peak at 0
    keep = (t - t[0] < 2 * DAY) | (t - t[0] >= 3 * DAY)  # day 3 missing
    usage = UsageHistory.from_samples(t[keep], np.full(int(keep.sum()), 0.1), mem[keep])
    end = float(t[-1]) + 300
    peaks = daily_peaks(usage, end, 7)
    day = np.floor((t[keep] - (end - 7 * DAY)) / DAY).astype(int)
    for d in range(7):
        seen = mem[keep][day == d]
        if seen.size:
            assert peaks[d] == seen.max()
        else:
            assert np.isnan(peaks[d])
    assert np.isnan(peaks).sum() == 1
    assert np.isnan(daily_peaks(usage, end + 30 * DAY, 7)).all()  # nothing recent


def test_leak_slope_is_the_least_squares_line():
    from rightsizing.strategies.tacos import leak_slope

    rng = np.random.default_rng(8)
    y = 1e9 + 5e7 * np.arange(7) + rng.normal(0, 1e7, 7)
    y[2] = np.nan  # a day without samples is left out
    ok = ~np.isnan(y)
    want_slope, want_intercept = np.polyfit(np.arange(7)[ok], y[ok], 1)
    slope, r2 = leak_slope(y)
    assert slope == pytest.approx(want_slope, rel=1e-9)
    fit = want_slope * np.arange(7)[ok] + want_intercept
    want_r2 = 1 - ((y[ok] - fit) ** 2).sum() / ((y[ok] - y[ok].mean()) ** 2).sum()
    assert r2 == pytest.approx(want_r2, rel=1e-9)
    assert leak_slope(np.full(7, 2e9)) == (0.0, 0.0)  # flat: no slope, no fit
    assert leak_slope(np.array([1.0, 2.0, 3.0, np.nan])) == (0.0, 0.0)  # under 4 days
    assert leak_slope(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx((1.0, 1.0))
