"""``max_under_share``: no container's request leaves more than that share of its window
above it, whatever the fleet price would give; off (0) by default, and then nothing
changes."""

from dataclasses import replace

import numpy as np
import pytest

from rightsizing import Guardrails, InvalidSettingError, Recommendation
from rightsizing.evaluation import generate_prodlike, replay
from rightsizing.evaluation.report import container_risk
from rightsizing.fleet import calibrated, recommend_fleet
from rightsizing.inputs import Resources
from rightsizing.strategies import TacosStrategy, make_strategy
from rightsizing.strategies.fleet_price import (
    capped,
    cheapest_within,
    first_within,
    spread_candidates,
    spread_cost_optimal,
)

from .builders import cost_optimal_level, noisy_fleet

OFF = Guardrails.off()


def test_first_within_and_capped_raise_only_the_candidates_above_the_cap():
    cand = np.array([1.0, 2.0, 3.0, 4.0])
    exceed = np.array([0.4, 0.2, 0.05, 0.0])
    assert first_within(exceed, 0.1) == 2 and first_within(exceed, 0.5) == 0
    assert first_within(np.array([0.9, 0.8]), 0.1) == 1  # none within: the last
    c, e = capped(cand, exceed, 0.1)
    assert c.tolist() == [3.0, 3.0, 3.0, 4.0] and e.tolist() == [0.05, 0.05, 0.05, 0.0]
    assert cand.tolist() == [1.0, 2.0, 3.0, 4.0]  # the caller's arrays are left alone
    assert capped(cand, exceed, 0.0)[0] is cand  # off
    levels = np.array([0.6, 0.7, 0.8, 0.9])
    assert cheapest_within(cand, exceed, 1.0, 0.0, levels) == (1.0, 0.6)
    assert cheapest_within(cand, exceed, 1.0, 0.1, levels) == (3.0, 0.8)


@pytest.mark.parametrize("cap", [0.001, 0.01, 0.05, 0.2])
def test_the_capped_request_is_the_cheapest_of_the_candidates_within_the_cap(cap):
    rng = np.random.default_rng(4)
    v = np.sort(rng.gamma(1.5, 0.3, 3000))
    w = rng.uniform(0.5, 1.5, v.size)
    for price in (0.01, 0.3, 5.0):
        cand, exceed, levels = spread_candidates(v, w, 0.1, 0.6, 0.999)
        ok = exceed <= cap
        cost = np.where(ok, cand + price * exceed, np.inf)
        best = int(np.argmin(cost)) if ok.any() else cand.size - 1
        got = spread_cost_optimal(v, w, 0.1, price, 0.6, 0.999, cap)
        assert got == (float(cand[best]), float(levels[best]))


def test_no_container_is_left_above_the_cap_in_its_own_window():
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0, 8.0], cv=0.4)
    free = recommend_fleet(fleet, "tacos", OFF)
    cap = make_strategy("tacos", {"max_under_share": 0.01})
    held = recommend_fleet(fleet, cap, OFF)
    assert all(isinstance(o, Recommendation) for o in [*free, *held])
    # without the cap the big containers carry the fleet's risk, well below p99
    assert min(cost_optimal_level(o) for o in free[3:]) < 97  # type: ignore[arg-type]
    for one in held:
        assert isinstance(one, Recommendation)
        # the first candidate with at most 1% above it: on noise without atoms that is
        # the p99 level, to one step of the 241-level grid
        assert cost_optimal_level(one) >= 99.0 - 0.2
        note = next(e for e in one.evidence if e.name == "cpu_cost_optimal").note
        assert "at most 1.0% of it above: max_under_share" in note
    for a, b in zip(free[3:], held[3:], strict=True):
        assert isinstance(a, Recommendation) and isinstance(b, Recommendation)
        assert b.recommended.cpu_request > a.recommended.cpu_request
    strategy = calibrated(fleet, cap, OFF)
    assert isinstance(strategy, TacosStrategy) and strategy.max_under_share == 0.01


def test_the_cap_moves_the_risk_off_the_biggest_containers_in_a_replay():
    """The pooled share is the fleet's; the cap spreads it: fewer containers often under,
    less risk weighted by requested cores (what "by cores" shows)."""
    fleet = [replace(s, current=Resources()) for s in generate_prodlike("prod-a", 3, 80)]
    free_groups: dict = {}
    free = replay(fleet, ["tacos"], include_current=False, per_group=free_groups)
    cap_groups: dict = {}
    strategy = make_strategy("tacos", {"max_under_share": 0.05})
    held = replay(fleet, [strategy], include_current=False, per_group=cap_groups)
    before, after = container_risk(free_groups["tacos"]), container_risk(cap_groups["tacos"])
    assert after["cpu_under_share_by_request"] < before["cpu_under_share_by_request"]
    assert after["containers_often_under"] <= before["containers_often_under"]
    assert held["tacos"].ooms == free["tacos"].ooms == 0


@pytest.mark.parametrize("value", [-0.1, 0.6, "often"])
def test_a_bad_cap_is_refused(value):
    with pytest.raises(InvalidSettingError, match="max_under_share"):
        make_strategy("tacos", {"max_under_share": value})


def test_the_calibration_prices_the_capped_requests():
    """The held-out folds score the candidates as the cap leaves them, so the price is
    the one that meets the target with the cap in force (not one found without it)."""
    from rightsizing.strategies import fleet_price

    fleet = noisy_fleet([0.2, 1.0, 8.0], cv=0.5)
    params = fleet_price._HoldoutParams(72.0, 0.6, 0.999, 3.0, 1.0, 3.0, 3)
    for one in fleet:
        free = fleet_price.holdout_folds(one, params)
        held = fleet_price.holdout_folds(one, replace(params, cap=0.02))
        assert free is not None and held is not None
        for row_free, row_held, ex in zip(
            free.candidates, held.candidates, free.fit_exceed, strict=True
        ):
            k = fleet_price.first_within(ex, 0.02)  # the first within the cap, uncapped
            assert k > 0  # the cap bites on these noisy containers
            assert np.all(ex[k:] <= 0.02) and np.all(row_held[:k] == row_held[k])
            assert np.array_equal(row_held[k:], row_free[k:])
            assert (row_held[:k] > row_free[:k]).all()
    free_price = calibrated(fleet, TacosStrategy(), OFF)
    held_price = calibrated(fleet, TacosStrategy(max_under_share=0.02), OFF)
    assert isinstance(free_price, TacosStrategy) and isinstance(held_price, TacosStrategy)
    assert held_price.fleet_starvation_cores != free_price.fleet_starvation_cores


def test_one_workload_can_hold_itself_to_its_own_cap_by_annotation():
    """``finops.tacos.io/max-under-share`` on one critical service: it is held to its
    cap, while its twin without the annotation still takes the fleet's price."""
    fleet = noisy_fleet([0.05, 0.2, 1.0, 8.0, 8.0], cv=0.4)
    critical = replace(fleet[3], annotations={"finops.tacos.io/max-under-share": "1%"})
    out = recommend_fleet([*fleet[:3], critical, fleet[4]], "tacos", OFF)
    assert all(isinstance(o, Recommendation) for o in out)
    assert cost_optimal_level(out[3]) >= 99.0 - 0.2  # type: ignore[arg-type]
    assert cost_optimal_level(out[4]) < 97  # type: ignore[arg-type]
    note = next(e for e in out[3].evidence if e.name == "cpu_cost_optimal").note  # type: ignore[union-attr]
    assert "at most 1.0% of it above" in note
    # the same cap as a strategy setting would hold both twins
    both = recommend_fleet(fleet, make_strategy("tacos", {"max_under_share": 0.01}), OFF)
    assert min(cost_optimal_level(o) for o in both) >= 99.0 - 0.2  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "share"), [("5%", 0.05), ("0.05", 0.05), (" 12.5 % ", 0.125), ("50%", 0.5)]
)
def test_the_annotation_reads_a_percent_or_a_fraction(raw, share):
    from rightsizing.annotations import read_pins, under_cap

    annotations = {"finops.tacos.io/max-under-share": raw}
    assert read_pins(annotations).max_under_share == pytest.approx(share)
    assert under_cap(annotations, 0.3) == pytest.approx(share)
    assert under_cap({}, 0.3) == 0.3


@pytest.mark.parametrize("raw", ["lots", "0", "0%", "60%", "-5%", "nan", ""])
def test_a_malformed_cap_annotation_is_that_workloads_reason(raw):
    from rightsizing import NoRecommendation, Reason, recommend
    from rightsizing.annotations import under_cap

    one = replace(noisy_fleet([0.5])[0], annotations={"finops.tacos.io/max-under-share": raw})
    out = recommend(one, "tacos")
    assert isinstance(out, NoRecommendation) and out.reason is Reason.INVALID_ANNOTATION
    assert "finops.tacos.io/max-under-share" in out.detail and "(0, 50%]" in out.detail
    assert under_cap(one.annotations, 0.2) == 0.2  # a calibration reading it goes on
