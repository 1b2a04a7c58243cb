"""Bootstrap intervals of replay comparisons, on scores with known answers."""

import math

import numpy as np
import pytest

from rightsizing.errors import InvalidInputError
from rightsizing.evaluation import generate, replay
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.uncertainty import compare


def _score(request: float, usage: float, over: float, weight: float) -> Score:
    return Score(cpu_request_sum=request, cpu_usage_sum=usage, cpu_over_weight=over, weight=weight)


def test_a_strategy_against_itself_is_exactly_even() -> None:
    groups = [_score(10 + i, 5 + i % 3, i % 2, 100) for i in range(50)]
    (c,) = compare({"a": groups, "b": list(groups)}, "a", ["b"], rounds=200)
    assert (c.slack_ratio.estimate, c.slack_ratio.low, c.slack_ratio.high) == (1.0, 1.0, 1.0)
    assert (c.under_difference.low, c.under_difference.high) == (0.0, 0.0)
    assert c.containers == 50 and c.level == 0.95


def test_a_uniform_improvement_is_certain_and_a_lucky_one_is_not() -> None:
    usage = [1.0 + i for i in range(40)]
    base = [_score(2 * u, u, 1, 100) for u in usage]  # slack 50% on every container
    better = [_score(1.5 * u, u, 1, 100) for u in usage]  # 33% on every container
    (c,) = compare({"a": better, "b": base}, "a", ["b"], rounds=500)
    assert c.slack_ratio.estimate == pytest.approx((1 / 3) / 0.5)
    assert c.slack_ratio.low == pytest.approx(c.slack_ratio.high)  # same on any draw
    # the same pooled gain, all of it on one big container: the interval says "maybe"
    lucky = list(base)
    lucky[-1] = _score(base[-1].cpu_request_sum * 0.2, usage[-1], 1, 100)
    (d,) = compare({"a": lucky, "b": base}, "a", ["b"], rounds=2000)
    assert d.slack_ratio.estimate < 1
    assert d.slack_ratio.low < d.slack_ratio.estimate < d.slack_ratio.high
    assert d.slack_ratio.high >= 0.999  # some draws leave the big container out


def test_under_share_difference_and_its_interval_contain_the_pooled_figure() -> None:
    rng = np.random.default_rng(5)
    a = [_score(10, 6, float(rng.integers(0, 5)), 100) for _ in range(80)]
    b = [_score(10, 6, float(rng.integers(0, 3)), 100) for _ in range(80)]
    (c,) = compare({"a": a, "b": b}, "a", ["b"], rounds=1000, seed=3)
    pooled = sum(s.cpu_over_weight for s in a) / 8000 - sum(s.cpu_over_weight for s in b) / 8000
    assert c.under_difference.estimate == pytest.approx(pooled)
    assert c.under_difference.low < pooled < c.under_difference.high
    again = compare({"a": a, "b": b}, "a", ["b"], rounds=1000, seed=3)[0]
    assert again == c  # seeded


def test_on_a_real_replay_the_intervals_bracket_the_pooled_figures() -> None:
    data = [s for f in ("steady", "spiky", "diurnal") for s in generate(f, 1, 6, 21)]
    groups: dict[str, list[Score]] = {}
    scores = replay(data, ["krr-simple", "vpa", "tacos"], per_group=groups)
    assert [len(groups[k]) for k in ("current", "krr-simple", "vpa", "tacos")] == [18] * 4
    for name, per in groups.items():  # the per-container scores add up to the pooled one
        total = Score()
        for s in per:
            total.merge(s)
        assert total.cpu_request_sum == pytest.approx(scores[name].cpu_request_sum)
    for c in compare(groups, "tacos", ["krr-simple", "vpa"], rounds=500):
        ratio = scores["tacos"].cpu_slack / scores[c.other].cpu_slack
        assert c.slack_ratio.estimate == pytest.approx(ratio)
        assert c.slack_ratio.low <= ratio <= c.slack_ratio.high
        assert c.slack_ratio.low < c.slack_ratio.high  # a real fleet is not uniform


def test_undefined_figures_give_no_interval() -> None:
    nothing = [_score(0, 0, 0, 0) for _ in range(10)]
    some = [_score(10, 5, 1, 100) for _ in range(10)]
    (c,) = compare({"a": some, "b": nothing}, "a", ["b"], rounds=100)
    assert math.isnan(c.slack_ratio.estimate) and math.isnan(c.slack_ratio.low)
    (e,) = compare({"a": [], "b": []}, "a", ["b"], rounds=100)
    assert e.containers == 0 and math.isnan(e.under_difference.high)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rounds": 10}, "rounds must be at least 100"),
        ({"level": 1.0}, "level must be in"),
        ({"others": ["nope"]}, "no per-container scores for strategy 'nope'"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], message: str) -> None:
    groups = {"a": [_score(1, 1, 0, 1)], "b": [_score(1, 1, 0, 1)]}
    args: dict[str, object] = {"others": ["b"], **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        compare(groups, "a", **args)  # type: ignore[arg-type]


def test_scores_of_different_fleets_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="not the same fleet"):
        compare({"a": [_score(1, 1, 0, 1)] * 3, "b": [_score(1, 1, 0, 1)] * 2}, "a", ["b"])


def test_pooled_replay_of_one_fleet_is_the_replay_and_of_two_is_their_sum() -> None:
    from rightsizing.evaluation import replay_pooled

    a = generate("spiky", 1, 3, 15)
    b = generate("spiky", 2, 3, 15)
    alone = replay(a, ["vpa", "tacos"])
    assert replay_pooled([a], ["vpa", "tacos"]) == alone
    groups: dict[str, list[Score]] = {}
    both = replay_pooled([a, b], ["vpa", "tacos"], per_group=groups)
    other = replay(b, ["vpa", "tacos"])
    for name in ("current", "vpa", "tacos"):
        assert both[name].cpu_request_sum == pytest.approx(
            alone[name].cpu_request_sum + other[name].cpu_request_sum
        )
        assert len(groups[name]) == 6


def test_no_slack_ratio_against_a_baseline_whose_requests_sat_below_the_usage() -> None:
    """A baseline with negative pooled slack (requests below the usage, summed) has no
    meaningful "x times its slack": the comparison says so and keeps the under shares."""
    rng = np.random.default_rng(2)
    own = [_score(10, 6, float(rng.integers(0, 3)), 100) for _ in range(30)]
    under = [_score(4, 6, float(rng.integers(20, 40)), 100) for _ in range(30)]
    (c,) = compare({"a": own, "b": under}, "a", ["b"], rounds=300)
    assert not c.ratio_defined
    assert c.own_slack == pytest.approx(0.4) and c.other_slack == pytest.approx(-0.5)
    assert math.isnan(c.slack_ratio.estimate) and math.isnan(c.slack_ratio.low)
    assert c.under_difference.low < c.under_difference.estimate < 0  # still compared
    doc = c.as_dict()
    assert doc["other_cpu_slack"] == pytest.approx(-0.5) and doc["cpu_slack"] == pytest.approx(0.4)
    # a positive slack on every draw: the ratio is there, and says which is which
    (d,) = compare({"a": own, "b": own}, "a", ["b"], rounds=300)
    assert d.ratio_defined and d.slack_ratio.estimate == 1.0
