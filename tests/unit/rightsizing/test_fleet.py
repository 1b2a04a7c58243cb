"""The fleet API: one starvation price calibrated over every container of a run."""

import dataclasses
from dataclasses import replace

import numpy as np
import pytest

from rightsizing import Guardrails, InvalidInputError, InvalidSettingError, Recommendation
from rightsizing.engine import recommend
from rightsizing.fleet import calibrated, recommend_fleet
from rightsizing.strategies import TacosStrategy, fleet_price, make_strategy
from rightsizing.strategies.fleet_price import (
    DECISION_RISK_MIN_CONTAINERS,
    LEVELS,
    _Folds,
    _vpa_share_at_decision,
    calibrate_price,
    calibrate_price_holdout,
    cost_candidates,
    exceed_share,
    folds_each,
    predictive_sample,
    risen,
    spread_folds,
    weekly_fold_count,
)
from rightsizing.strategies.krr_simple import KrrSimpleStrategy
from rightsizing.strategies.vpa import VpaStrategy

from .builders import cost_optimal_level, inputs, noisy_fleet, times

OFF = Guardrails.off()


def test_calibrated_price_is_the_least_that_meets_the_target():
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0])
    tacos = TacosStrategy()
    price = calibrate_price(fleet, tacos.half_life_hours, 0.8, 0.999, 0.6)
    assert price is not None and price.containers == 4
    # the target is 0.6 x the lower of krr-simple's and vpa's in-sample pooled share
    shares = []
    for base in (KrrSimpleStrategy(), VpaStrategy()):
        total = 0.0
        for one in fleet:
            w = one.usage.weights * 2.0 ** (-(one.end_s - one.usage.times_s) / (72 * 3600.0))
            r = base.propose(one).resources.cpu_request
            total += exceed_share(one.usage.cpu, w, r)
        shares.append(total / len(fleet))
    assert price.baseline_under == pytest.approx(min(shares))
    assert price.target_under == pytest.approx(0.6 * min(shares))
    assert price.in_sample_under <= price.target_under + 1e-12
    # minimal: a price 5% lower gives more than the target in sample
    lower = replace(tacos, fleet_starvation_cores=price.starvation_cores * 0.95, fleet_containers=4)
    under = 0.0
    for one in fleet:
        w = one.usage.weights * 2.0 ** (-(one.end_s - one.usage.times_s) / (72 * 3600.0))
        r = lower.propose(one).resources.cpu_request
        under += exceed_share(one.usage.cpu, w, r)
    assert under / 4 > price.target_under


def test_big_containers_take_the_risk_small_ones_are_covered():
    """Water-filling: a common price puts the tight requests where they save cores.

    (Noise of 40%: with 20% the baselines are under-provisioned on a handful of the
    four containers' held-out samples, and whether the target allows two or three of
    them decides the price, not the rule.)"""
    fleet = noisy_fleet([0.05, 0.05, 0.05, 8.0], cv=0.4)
    out = recommend_fleet(fleet, "tacos", OFF)
    assert all(isinstance(o, Recommendation) for o in out)
    small, big = cost_optimal_level(out[0]), cost_optimal_level(out[3])  # type: ignore[arg-type]
    assert small == pytest.approx(99.9)  # a 50m sidecar: covered to the top of the search
    assert big < small  # the 8-core container holds the fleet's risk


def test_ineligible_containers_do_not_move_the_others():
    fleet = noisy_fleet([0.1, 0.5, 2.0])
    opted = replace(
        noisy_fleet([50.0], seed=3)[0],
        key="ns/opted/c",
        annotations={"finops.tacos.io/rightsizing": "disabled"},
    )
    short = replace(inputs(30.0, days=2.0), key="ns/new/c")
    base = recommend_fleet(fleet, "tacos", Guardrails())
    more = recommend_fleet([opted, *fleet, short], "tacos", Guardrails())
    assert more[1:4] == base
    assert more[0].reason.value == "opted-out"  # type: ignore[union-attr]
    assert more[4].reason.value == "insufficient-data"  # type: ignore[union-attr]


def test_strategies_without_calibration_run_per_container():
    fleet = noisy_fleet([0.1, 0.5, 2.0])
    for name in ("vpa", "krr-simple"):
        assert recommend_fleet(fleet, name) == [recommend(f, name) for f in fleet]
    off = make_strategy("tacos", {"fleet_calibration": False})
    assert recommend_fleet(fleet, off) == [recommend(f, off) for f in fleet]
    pct = make_strategy("tacos", {"cpu_mode": "percentile"})
    assert calibrated(fleet, pct) is pct


def test_fleet_of_one_and_empty_fleet():
    assert recommend_fleet([], "tacos") == []
    one = noisy_fleet([0.5])
    out = recommend_fleet(one, "tacos", OFF)
    assert isinstance(out[0], Recommendation)
    assert any(e.name == "cpu_starvation_price" for e in out[0].evidence)


def test_duplicate_keys_are_an_error():
    fleet = noisy_fleet([0.1, 0.5])
    with pytest.raises(InvalidInputError, match="appears twice"):
        recommend_fleet([fleet[0], fleet[1], fleet[0]], "tacos")


def test_fleet_without_usage_is_left_uncalibrated():
    empty = replace(
        inputs(0.1, days=7.0),
        usage=replace(inputs(0.1, days=7.0).usage, weights=np.zeros(times(7).size)),
    )
    assert calibrate_price([empty], 72.0, 0.8, 0.999, 0.6) is None
    assert calibrate_price([], 72.0, 0.8, 0.999, 0.6) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"fleet_under_factor": -0.1},
        {"fleet_under_factor": "lots"},
        {"fleet_starvation_cores": -1},
        {"fleet_target_under": 2},
        {"fleet_calibration": "maybe"},
        {"holdout_days": -1},
        {"holdout_folds": 0},
        {"holdout_under_factor": -0.5},
        {"holdout_min_fit_days": 100},
    ],
)
def test_bad_fleet_settings_are_rejected(settings):
    with pytest.raises(InvalidSettingError):
        make_strategy("tacos", settings)


def test_cost_candidates_are_observed_values_with_their_exceedance():
    values = np.arange(1.0, 101.0)
    cand, exceed, levels = cost_candidates(values, np.ones(100), 0.8, 0.999)
    assert set(cand) <= set(values)
    assert cand[0] == 80.0 and exceed[0] == pytest.approx(0.20)
    assert cand[-1] == 100.0 and exceed[-1] == 0.0
    assert levels[0] == 0.8


def test_level_drift_is_the_robust_day_to_day_change():
    from rightsizing.strategies.fleet_price import level_drift

    t = times(7)
    day = np.floor((t - t[0]) / 86400.0)
    growing = np.exp(0.1 * day)  # +10% (in logs) every day
    assert level_drift(t, growing, float(t[-1]) + 300) == pytest.approx(1.4826 * 0.1)
    assert level_drift(t, np.full(t.size, 0.3), float(t[-1]) + 300) == 0.0
    # a weekend dip is two large changes among six: the median ignores it
    weekend = np.where(day >= 5, 0.5, 1.0)
    assert level_drift(t, weekend, float(t[-1]) + 300) == 0.0
    short = times(2)
    assert level_drift(short, np.exp(np.arange(short.size) / 100.0), float(short[-1])) == 0.0


def test_predictive_sample_spreads_the_level_and_keeps_the_mass():
    t = times(7)
    day = np.floor((t - t[0]) / 86400.0)
    v = np.exp(0.1 * day)
    w = np.ones(t.size)
    same_v, same_w = predictive_sample(t, v, w, float(t[-1]) + 300, 0.0)
    assert same_v is v and same_w is w
    pv, pw = predictive_sample(t, v, w, float(t[-1]) + 300, 4.0)
    assert pv.size == 5 * v.size
    assert pw.sum() == pytest.approx(w.sum())
    assert np.all(np.diff(pv) >= 0)  # sorted by value, as the candidate search needs

    # log-scale factors have mean 0 and sd = drift x sqrt(horizon): the log sample keeps
    # the window's mean and adds the factors' variance to the window's own
    def moments(x, wt):
        m = float((x * wt).sum() / wt.sum())
        return m, float(((x - m) ** 2 * wt).sum() / wt.sum())

    m0, var0 = moments(np.log(v), w)
    m1, var1 = moments(np.log(pv), pw)
    assert m1 == pytest.approx(m0, abs=1e-9)
    assert var1 - var0 == pytest.approx((1.4826 * 0.1 * 2.0) ** 2)


def _holdout(fleet, factor=1.0, folds=2):
    return calibrate_price_holdout(fleet, 72.0, 0.8, 0.999, factor, 3.0, 1.0, 3.0, folds)


def test_holdout_price_meets_the_target_on_the_held_out_days():
    """Fit on the window less its last day(s), score those days: the price is the least
    whose pooled held-out share is within the factor of the baselines' held-out share."""
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0])
    price = _holdout(fleet)
    assert price is not None and price.containers == 4 and price.folds == 2
    assert price.in_sample_under <= price.target_under + 1e-12
    assert price.target_under == pytest.approx(price.baseline_under)
    assert 0 < price.baseline_under < 0.2
    # a stricter factor can only raise the price (more generous requests)
    stricter = _holdout(fleet, factor=0.5)
    assert stricter is not None and stricter.starvation_cores >= price.starvation_cores


def test_holdout_needs_history_before_the_split_and_falls_back():
    young = [replace(inputs(0.1, days=3.0), key="ns/young/c")]
    assert _holdout(young) is None  # 2 days before the split: fewer than min_fit_days
    tacos = TacosStrategy().calibrate(young)  # falls back to the in-sample calibration
    assert tacos.fleet_starvation_cores > 0
    off = replace(TacosStrategy(), holdout_days=0.0).calibrate(noisy_fleet([0.1, 1.0]))
    assert off.fleet_starvation_cores > 0  # holdout_days 0: in-sample, as before


def test_holdout_calibration_is_deterministic_and_follows_the_scale():
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0])
    a, b = _holdout(fleet), _holdout(fleet)
    assert a == b
    big = [replace(one, usage=replace(one.usage, cpu=one.usage.cpu * 10)) for one in fleet]
    scaled = _holdout(big)
    assert a is not None and scaled is not None
    # not exactly x10: vpa's buckets and 25m floor are not scale-free, so its share moves
    assert 5 * a.starvation_cores < scaled.starvation_cores < 20 * a.starvation_cores


def _days_fleet(spans: list[float]):
    return [
        replace(inputs(0.2 + 0.01 * i, days=d), key=f"ns/app-{i}/c") for i, d in enumerate(spans)
    ]


def test_a_week_is_held_out_only_where_the_history_has_room_for_it():
    """Seven held-out days need seven days after the earliest cut plus the minimum fit
    before it; the fleet's median container decides, so a few young containers do not
    switch a long-lived fleet back, nor a few old ones a young fleet."""
    assert weekly_fold_count(_days_fleet([14.0, 14.0]), 1.0, 3.0) == 7
    assert weekly_fold_count(_days_fleet([10.0]), 1.0, 3.0) == 7  # 7 held out + 3 of fit
    assert weekly_fold_count(_days_fleet([9.5]), 1.0, 3.0) == 0
    assert weekly_fold_count(_days_fleet([7.0, 7.0]), 1.0, 3.0) == 0  # a 7-day replay
    assert weekly_fold_count(_days_fleet([14.0, 14.0, 3.0]), 1.0, 3.0) == 7
    assert weekly_fold_count(_days_fleet([14.0, 7.0, 7.0]), 1.0, 3.0) == 0
    assert weekly_fold_count(_days_fleet([14.0]), 2.0, 3.0) == 4  # 8 days held out + 3
    assert weekly_fold_count(_days_fleet([10.5]), 2.0, 3.0) == 0
    assert weekly_fold_count(_days_fleet([14.0]), 0.0, 3.0) == 0  # in-sample calibration
    assert weekly_fold_count([], 1.0, 3.0) == 0


def test_the_default_holds_out_a_week_with_two_weeks_of_history():
    """14 days (the weekly job's history): seven held-out days at the weekly factor,
    said in the evidence; 7 days (a replay's window): three at the usual factor."""
    long = _days_fleet([14.0] * 4)
    tacos = TacosStrategy().calibrate(long)
    assert tacos.fleet_holdout_folds == 7 and tacos.fleet_containers == 4
    week = calibrate_price_holdout(long, 72.0, 0.6, 0.999, 0.85, 3.0, 1.0, 3.0, 7)
    assert week is not None and tacos.fleet_starvation_cores == week.starvation_cores
    assert tacos.fleet_target_under == pytest.approx(0.85 * week.baseline_under)
    note = next(e.note for e in tacos.propose(long[0]).evidence if e.name == "cpu_starvation_price")
    assert "over 4 containers on 7 held-out days" in note

    off = TacosStrategy(weekly_holdout=False).calibrate(long)
    assert off.fleet_holdout_folds == 3
    three = calibrate_price_holdout(long, 72.0, 0.6, 0.999, 0.8, 3.0, 1.0, 3.0, 3)
    assert three is not None and off.fleet_starvation_cores == three.starvation_cores
    assert TacosStrategy().calibrate(_days_fleet([7.0] * 4)).fleet_holdout_folds == 3
    # a user's own number of held-out days above a week is kept, with its own factor
    mine = TacosStrategy(holdout_folds=9, holdout_under_factor=0.7).calibrate(long)
    assert mine.fleet_holdout_folds == 9
    with pytest.raises(InvalidSettingError, match="weekly_under_factor"):
        TacosStrategy(weekly_under_factor=-1.0)


def test_a_rise_is_the_recent_median_above_the_earlier_one():
    def usage(before: float, after: float, idle: int = 0):
        cpu = np.r_[np.zeros(idle), np.full(100, before), np.full(10, after)]
        return inputs(cpu, days=cpu.size * 300.0 / 86400.0).usage, idle + 100

    u, cut = usage(1.0, 1.2)
    assert risen(u, cut, u.cpu.size, 0.1)
    assert not risen(u, cut, u.cpu.size, 0.25)
    u, cut = usage(1.0, 0.8)
    assert not risen(u, cut, u.cpu.size, 0.1)  # a quieter day is no rise
    assert risen(u, cut, u.cpu.size, -1.0)  # -1: every recent estimate counts
    assert risen(u, 0, u.cpu.size, 0.1)  # nothing earlier to compare with
    # samples without pods (zero replicas) are not usage: 300 of them do not drag the
    # earlier median to 0 and turn an unchanged level into a rise
    u, cut = usage(1.0, 1.0, idle=300)
    u = dataclasses.replace(u, weights=np.where(np.arange(u.cpu.size) < 300, 0.0, 1.0))
    assert not risen(u, cut, u.cpu.size, 0.1)


def test_the_calibration_counts_the_recent_floor_as_applied():
    """The request is the larger of the window's and the last day's estimate, so at any
    price the held-out share with the floor is at most the share without it, and the
    price that meets the same target is no higher."""
    rng = np.random.default_rng(11)
    n = times(14).size
    fleet = [
        replace(
            inputs(lvl * np.clip(rng.normal(1.0, 0.3, n), 0.05, None), days=14.0),
            key=f"ns/app-{i}/c",
        )
        for i, lvl in enumerate([0.05, 0.2, 1.0, 8.0, 0.5, 2.0] * 3)
    ]
    args = (fleet, 72.0, 0.6, 0.999, 0.85, 3.0, 1.0, 3.0, 7)
    without = calibrate_price_holdout(*args)
    with_floor = calibrate_price_holdout(*args, recent_days=1.0, recent_rise=-1.0)
    assert without is not None and with_floor is not None
    assert with_floor.target_under == without.target_under
    assert with_floor.in_sample_under <= with_floor.target_under + 1e-12
    assert with_floor.starvation_cores <= without.starvation_cores < 1e6  # not at the cap
    assert with_floor.starvation_cores < without.starvation_cores  # here the floor counts


def test_the_folds_reuse_one_sort_of_the_window():
    """A fit's values ordered by filtering one sort of the whole window give the
    predictive sample that sorting the fit itself gives (ties included)."""
    rng = np.random.default_rng(3)
    t = times(10)
    v = np.round(rng.gamma(2.0, 0.1, t.size), 2)  # rounded: many ties
    w = rng.uniform(0.5, 1.0, t.size)
    by_value = np.argsort(v, kind="stable")
    i = t.size * 2 // 3
    own_v, own_w = predictive_sample(t[:i], v[:i], w[:i], float(t[i]), 0.5)
    cut_v, cut_w = predictive_sample(t[:i], v[:i], w[:i], float(t[i]), 0.5, by_value[by_value < i])
    assert own_v.size == 5 * i  # spread: the merge of five scaled runs
    assert np.array_equal(own_v, cut_v)
    a = cost_candidates(own_v, own_w, 0.6, 0.999)
    b = cost_candidates(cut_v, cut_w, 0.6, 0.999)
    assert np.array_equal(a[0], b[0])
    assert np.allclose(a[1], b[1], rtol=0, atol=1e-12)


def test_large_fleets_are_calibrated_on_a_stable_sample():
    from rightsizing.strategies.fleet_price import calibration_subset

    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0] * 6)  # 24 containers, keys ns/app-0..23/c
    sample = calibration_subset(fleet, 10)
    assert len(sample) == 10
    assert [i.key for i in sample] == [i.key for i in calibration_subset(fleet[::-1], 10)][::-1]
    assert calibration_subset(fleet, 0) is fleet and calibration_subset(fleet, 24) is fleet
    # the price is the one fitted on exactly those containers
    small = TacosStrategy(calibration_sample=10).calibrate(fleet)
    explicit = TacosStrategy(calibration_sample=0).calibrate(sample)
    assert small.fleet_starvation_cores == explicit.fleet_starvation_cores > 0
    everyone = TacosStrategy(calibration_sample=0).calibrate(fleet)
    assert everyone.fleet_containers > small.fleet_containers
    with pytest.raises(InvalidSettingError, match="calibration_sample"):
        TacosStrategy(calibration_sample=-1)


def test_the_calibration_scores_requests_as_the_floor_applies_them():
    """The guardrails lift every proposal to their CPU floor after the strategy chose it.
    On sidecars below the floor (0.05 cores under a floor of 0.5 here: vpa's own 25 m
    floor already covers the millicore ones) the floor covers all usage: scored as
    applied, neither the baselines nor the default are at risk there, so the target is
    not made of risk the floor removes (which the default would otherwise spend on the
    big containers)."""
    sidecars = noisy_fleet([0.05] * 6, cv=0.4)
    for raw, floored in (
        (
            _holdout(sidecars),
            calibrate_price_holdout(
                sidecars, 72.0, 0.8, 0.999, 1.0, 3.0, 1.0, 3.0, 2, cpu_floor=0.5
            ),
        ),
        (
            calibrate_price(sidecars, 72.0, 0.8, 0.999, 1.0),
            calibrate_price(sidecars, 72.0, 0.8, 0.999, 1.0, cpu_floor=0.5),
        ),
    ):
        assert raw is not None and floored is not None
        assert raw.baseline_under > 0.01  # both baselines miss part of the tail
        assert floored.baseline_under == 0.0 and floored.in_sample_under == 0.0
    # in a mixed fleet the floor takes the sidecars' share out of the baselines' and the
    # default's pooled risk alike: the target is the big containers' part alone
    mixed = noisy_fleet([0.05] * 6 + [1.0, 4.0], cv=0.4)
    raw = _holdout(mixed)
    floored = calibrate_price_holdout(mixed, 72.0, 0.8, 0.999, 1.0, 3.0, 1.0, 3.0, 2, cpu_floor=0.5)
    assert raw is not None and floored is not None
    assert 0 < floored.baseline_under < raw.baseline_under
    assert floored.in_sample_under <= floored.target_under + 1e-12


def test_the_fleet_api_calibrates_with_the_guardrails_floor():
    mixed = noisy_fleet([0.05] * 6 + [1.0, 4.0], cv=0.4)
    high = calibrated(mixed, "tacos", Guardrails(cpu_floor_cores=0.5))
    none = calibrated(mixed, "tacos", Guardrails(cpu_floor_cores=0.0))
    assert isinstance(high, TacosStrategy) and isinstance(none, TacosStrategy)
    assert high.fleet_target_under < none.fleet_target_under
    # the default guardrails' floor is what recommend_fleet's calibration uses
    assert calibrated(mixed, "tacos") == calibrated(mixed, "tacos", Guardrails())


def _folds(held: tuple[float, float], now: tuple[float, float]) -> _Folds:
    """One container's folds as the vpa-at-decision estimate reads them: vpa's held-out
    weight above its requests and the held-out weight; the window's weight above vpa's
    request at the decision and the window's weight."""
    row = np.zeros((1, LEVELS))
    return _Folds(row, row, row, np.array([held[1]]), np.array([[0.0, held[0]]]), None, now)


def _spread_fleet(n: int, held: float, now: float, noise: float, seed: int = 3):
    rng = np.random.default_rng(seed)
    return [
        _folds(
            (max(held + noise * rng.standard_normal(), 0.0) * 864, 864),
            (max(now + noise * rng.standard_normal(), 0.0) * 2016, 2016),
        )
        for _ in range(n)
    ]


def test_vpa_risk_at_the_decision_counts_where_the_whole_fleet_shows_it():
    """Significantly above the held-out share across the containers: the mean of the
    two (each errs its own way); below it, within its noise, or on too few containers
    to tell: the held-out share stands (0 here)."""
    clear = _spread_fleet(40, held=0.02, now=0.04, noise=0.005)
    held = sum(f.baseline_above[0, 1] for f in clear) / sum(f.held_weight[0] for f in clear)
    now = sum(f.decision[0] for f in clear) / sum(f.decision[1] for f in clear)
    assert _vpa_share_at_decision(clear, 1) == pytest.approx((held + now) / 2)
    assert _vpa_share_at_decision(_spread_fleet(40, 0.04, 0.02, 0.005), 1) == 0.0  # lower
    # higher on the whole, by much less than the containers disagree: noise
    split = [
        _folds((0.01 * 864, 864), (0.05 * 2016, 2016))
        if i % 2
        else _folds((0.05 * 864, 864), (0.012 * 2016, 2016))
        for i in range(40)
    ]
    assert _vpa_share_at_decision(split, 1) == 0.0
    few = _spread_fleet(DECISION_RISK_MIN_CONTAINERS - 1, 0.02, 0.04, 0.005)
    assert _vpa_share_at_decision(few, 1) == 0.0
    assert _vpa_share_at_decision([], 1) == 0.0
    no_usage = [_folds((0.0, 864), (0.0, 0.0)) for _ in range(40)]
    assert _vpa_share_at_decision(no_usage, 1) == 0.0


def _weekend_fleet(n: int, weekend: float, seed: int = 11):
    """Decided just after a weekend: a week of usage whose last 36 hours are at
    ``weekend`` x the weekdays' level."""
    rng = np.random.default_rng(seed)
    t = times(7)
    low = t >= t[-1] - 1.5 * 86400
    fleet = []
    for i in range(n):
        level = float(rng.uniform(0.2, 2.0))
        cpu = level * np.where(low, weekend, 1.0) * np.clip(rng.normal(1, 0.15, t.size), 0.1, None)
        fleet.append(replace(inputs(cpu, days=7.0), key=f"ns/app-{i}/c"))
    return fleet


def test_a_decision_just_after_a_weekend_raises_vpas_estimated_risk():
    """vpa's 24-hour half-life has just seen the weekend: the request it makes now
    misses the weekdays, which the three held-out folds (fitted before the weekend's
    end) do not show; the calibration's target rises. With no weekend, or with
    ``decision_risk`` off, the price is the held-out one."""
    after = _weekend_fleet(40, weekend=0.5)
    on = TacosStrategy().calibrate(after)
    off = TacosStrategy(decision_risk=False).calibrate(after)
    assert on.fleet_holdout_folds == off.fleet_holdout_folds == 3
    assert on.fleet_target_under > off.fleet_target_under
    assert on.fleet_starvation_cores < off.fleet_starvation_cores  # a lower price: less slack
    assert on.fleet_vpa_at_decision > 0 and off.fleet_vpa_at_decision == 0
    # the evidence says why the target is what it is
    note = next(e.note for e in on.propose(after[0]).evidence if e.name == "cpu_starvation_price")
    assert f"vpa's risk also read at the decision: {on.fleet_vpa_at_decision:.2%}" in note
    plain = next(e.note for e in off.propose(after[0]).evidence if e.name == "cpu_starvation_price")
    assert "at the decision" not in plain
    flat = _weekend_fleet(40, weekend=1.0)
    a, b = TacosStrategy().calibrate(flat), TacosStrategy(decision_risk=False).calibrate(flat)
    assert (a.fleet_starvation_cores, a.fleet_target_under, a.fleet_vpa_at_decision) == (
        b.fleet_starvation_cores,
        b.fleet_target_under,
        0.0,
    )


def test_each_containers_folds_hold_vpas_request_at_the_decision():
    fleet = _weekend_fleet(3, weekend=0.5)
    params = fleet_price._HoldoutParams(72.0, 0.6, 0.999, 3.0, 1.0, 3.0, 3, decision_risk=True)
    for one in fleet:
        folds = fleet_price.holdout_folds(one, params)
        assert folds is not None
        request = max(VpaStrategy().cpu_request(one) or 0.0, 0.0)
        weight = one.usage.weights
        assert folds.decision == (
            pytest.approx(float(weight[one.usage.cpu > request].sum())),
            pytest.approx(float(weight.sum())),
        )
        assert 0 < folds.decision[0] < folds.decision[1]  # the weekdays are above it
        without = fleet_price.holdout_folds(one, replace(params, decision_risk=False))
        assert without is not None and without.decision == (0.0, 0.0)


def test_a_whole_held_out_week_does_not_add_vpas_risk_at_the_decision(monkeypatch):
    """The weekly holdout's folds cover every weekday, the weekend's effect included."""
    seen: list[bool] = []
    real = fleet_price.calibrate_price_holdout

    def spy(*args, **kwargs):
        seen.append(args[13] if len(args) > 13 else kwargs.get("decision_risk", False))
        return real(*args, **kwargs)

    monkeypatch.setattr("rightsizing.strategies.tacos.calibrate_price_holdout", spy)
    TacosStrategy().calibrate(_days_fleet([14.0] * 4))
    TacosStrategy().calibrate(_days_fleet([7.0] * 4))
    TacosStrategy(decision_risk=False).calibrate(_days_fleet([7.0] * 4))
    assert seen == [False, True, False]


def test_the_fleet_api_tells_the_strategy_it_calibrated():
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0])
    heard: list[object] = []
    outcomes = recommend_fleet(fleet, "tacos", OFF, on_calibrated=heard.append)
    assert len(heard) == 1
    (strategy,) = heard
    assert isinstance(strategy, TacosStrategy) and strategy.fleet_starvation_cores > 0
    assert strategy == calibrated(fleet, "tacos", OFF)
    assert outcomes == recommend_fleet(fleet, "tacos", OFF)  # the hook changes nothing
    plain: list[object] = []
    recommend_fleet(fleet, "krr-simple", OFF, on_calibrated=plain.append)
    assert [type(s) for s in plain] == [KrrSimpleStrategy]  # itself: it does not calibrate


def _two_weeks_fleet(count: int, seed: int = 5):
    """Noisy containers of 14 days with a daily cycle: every held-out day differs."""
    rng = np.random.default_rng(seed)
    t = times(14)
    day = np.sin(2 * np.pi * t / 86400.0)
    return [
        replace(
            inputs(
                (0.05 + 0.3 * i)
                * (1 + 0.4 * day)
                * np.clip(rng.normal(1, 0.3, t.size), 0.05, None),
                days=14.0,
            ),
            key=f"ns/app-{i}/c",
        )
        for i in range(count)
    ]


def test_large_fleets_hold_out_a_few_days_of_each_container_spread_over_the_week():
    """Beyond ``calibration_rows`` container-days each container holds out only some of
    its days: evenly spaced, the same every week, and every weekday equally often across
    the fleet."""
    assert folds_each(800, 7, 6000) == 0  # within the budget: every day of every one
    assert folds_each(2000, 7, 6000) == 3
    assert folds_each(1000, 7, 6000) == 6
    assert folds_each(5000, 7, 6000) == 2
    assert folds_each(10**6, 7, 6000) == 1
    assert folds_each(2000, 3, 6000) == 0  # three days of 2,000: within it
    assert folds_each(2000, 7, 0) == 0  # no budget
    picks = [spread_folds(f"ns/app-{i}/c", 7, 3) for i in range(7000)]
    assert all(len(p) == 3 for p in picks)
    assert spread_folds("ns/app-1/c", 7, 3) == picks[1]  # the same days every time
    for p in picks[:100]:  # (s, s+2, s+4) mod 7: gaps of 2, 2 and 3 days
        assert sorted((b - a) % 7 for a, b in zip(p, p[1:] + p[:1], strict=True)) == [2, 2, 3]
    counts = np.bincount(np.concatenate(picks), minlength=7)
    assert counts.min() > 0.9 * counts.mean() and counts.max() < 1.1 * counts.mean()
    assert spread_folds("k", 7, 7) == list(range(7)) and spread_folds("k", 4, 1) in (
        [0],
        [1],
        [2],
        [3],
    )


def test_a_containers_chosen_days_are_scored_as_in_the_whole_week():
    """A container holding out three of its seven days gives exactly those days' rows
    of the whole week (the fit before each, its level drift, the baselines, the floor)."""
    params = fleet_price._HoldoutParams(
        72.0, 0.6, 0.999, 3.0, 1.0, 3.0, 7, recent_days=1.0, recent_rise=-1.0, cpu_floor=0.01
    )
    for one in _two_weeks_fleet(4):
        week = fleet_price.holdout_folds(one, params)
        some = fleet_price.holdout_folds(one, replace(params, folds_each=3))
        assert week is not None and some is not None and week.candidates.shape[0] == 7
        chosen = spread_folds(one.key, 7, 3)
        assert some.candidates.shape[0] == 3
        for name in ("candidates", "fit_exceed", "held_above", "held_weight", "baseline_above"):
            assert np.array_equal(getattr(some, name), getattr(week, name)[chosen]), name
        assert week.recent is not None and some.recent is not None
        for got, want in zip(some.recent, week.recent, strict=True):
            assert np.array_equal(got, want[chosen])


def test_the_price_is_fitted_on_the_chosen_days_and_says_so():
    fleet = _two_weeks_fleet(6)
    args = (fleet, 72.0, 0.6, 0.999, 0.85, 3.0, 1.0, 3.0, 7)
    week = calibrate_price_holdout(*args)
    within = calibrate_price_holdout(*args, max_rows=42)  # 6 x 7: every day fits
    some = calibrate_price_holdout(*args, max_rows=18)
    assert week is not None and within is not None and some is not None
    assert within == week and week.folds_each == 0
    assert some.folds_each == 3 and some.folds == 7 and some.containers == 6
    tacos = TacosStrategy(calibration_rows=18).calibrate(fleet)
    assert tacos.fleet_starvation_cores == some.starvation_cores
    assert tacos.fleet_holdout_folds_each == 3
    assert "on 7 held-out days (3 of them per container)" in tacos.fleet_price_note()
    assert TacosStrategy().calibrate(fleet).fleet_holdout_folds_each == 0
    with pytest.raises(InvalidSettingError, match="calibration_rows"):
        TacosStrategy(calibration_rows=-1)
