"""The issue's bar, checked on every generated family over several seeds.

Bar: tacos's CPU slack <= 0.8 x the better of krr-simple and vpa, with its
under-provisioned share and would-be OOMs no higher than either's.

What holds, and is asserted here for the 7 design families x 3 seeds (and their mix):
* would-be OOMs are never higher than either baseline's;
* tacos is never dominated: no baseline has both less slack and less
  under-provisioned time;
* wherever the bar is reachable at all (the hindsight bound, which no strategy can
  beat, is below the allowed slack), tacos meets its slack part;
* on the mix of all families, tacos is the closest to that bound at its own risk.
What does not hold, and why (see docs/rightsizing.md): on most generated families
the hindsight bound itself is above the allowed slack, so *no* strategy holding a
constant request for a week can meet the full bar there; this too is asserted,
on the family where it is clearest (steady). The held-out ``level-shift`` family
(added after the default was chosen) keeps the OOM result but breaks the others on
one seed; a strict xfail records that, so a fix must also update the docs.
"""

import pytest

from rightsizing.evaluation import FAMILIES, bar_verdict, generate, replay, replay_hindsight

SEEDS = (1, 2, 3)
HELD_OUT = "level-shift"  # added after the default was chosen; not used to design it
DESIGN = tuple(f for f in FAMILIES if f != HELD_OUT)


@pytest.fixture(scope="module")
def results():
    out = {}
    for family in FAMILIES:
        for seed in SEEDS:
            data = generate(family, seed, 6, 28)
            scores = replay(data, ["krr-simple", "vpa", "tacos"])
            pre = bar_verdict(scores, "tacos")
            assert pre is not None
            bound = replay_hindsight(data, pre.under_allowed).cpu_slack
            out[(family, seed)] = (scores, bar_verdict(scores, "tacos", bound))
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_no_more_would_be_ooms_than_either_baseline(results, family):
    for seed in SEEDS:
        _, verdict = results[(family, seed)]
        assert verdict.ooms_ok, (family, seed, verdict)


def test_default_cuts_the_ooms_of_the_leaking_family(results):
    for seed in SEEDS:
        scores, _ = results[("leaking", seed)]
        assert scores["tacos"].ooms == 0
        assert scores["krr-simple"].ooms > 0  # max + 15% from last week misses the growth


@pytest.mark.parametrize(
    "family",
    [
        *DESIGN,
        pytest.param(
            HELD_OUT,
            marks=pytest.mark.xfail(
                strict=True,
                reason="held-out level-shift: vpa has less slack and less under on seed 3",
            ),
        ),
    ],
)
def test_never_dominated_by_a_baseline(results, family):
    for seed in SEEDS:
        scores, _ = results[(family, seed)]
        own = scores["tacos"]
        for base in ("krr-simple", "vpa"):
            other = scores[base]
            # Pareto dominance: no worse on both axes and better on at least one
            no_worse = (
                other.cpu_slack <= own.cpu_slack and other.cpu_under_share <= own.cpu_under_share
            )
            better = other.cpu_slack < own.cpu_slack or other.cpu_under_share < own.cpu_under_share
            dominated = no_worse and better
            assert not dominated, (family, seed, base)


def test_slack_part_of_the_bar_is_met_wherever_the_bar_is_reachable(results):
    """Asserted on the design families only (level-shift is held out)."""
    reachable = [k for k, (_, v) in results.items() if v.reachable and k[0] != HELD_OUT]
    assert reachable, "expected at least one family where the bar is reachable"
    for key in reachable:
        _, verdict = results[key]
        assert verdict.slack_ok, (key, verdict)


def test_bar_is_out_of_reach_for_any_strategy_on_steady_usage(results):
    for seed in SEEDS:
        scores, verdict = results[("steady", seed)]
        assert verdict.reachable is False, (seed, verdict)
        assert scores["tacos"].cpu_slack >= verdict.hindsight_slack


def test_closest_to_hindsight_on_the_mix_of_all_families():
    """Regret: slack above the least possible at the strategy's own under share."""
    from rightsizing.evaluation import comparison_rows

    data = [s for family in DESIGN for s in generate(family, 1, 6, 28)]
    rows = comparison_rows(replay(data, ["krr-simple", "vpa", "tacos"]), data)
    gap = {str(r["strategy"]): float(r["gap_to_hindsight"]) for r in rows}  # type: ignore[arg-type]
    assert all(g >= -1e-9 for g in gap.values())  # nobody beats perfect foresight
    assert gap["tacos"] < gap["vpa"]
    assert gap["tacos"] < gap["krr-simple"]


@pytest.mark.parametrize("scale", [0.1, 10.0])
def test_no_more_risk_whatever_the_container_size(scale):
    """The starvation price grows with the container, so risk does not depend on units.

    (With a fixed price in cores, 10x larger containers were sized near their p80 and
    spent 6% of the time under-provisioned, more than twice the baselines.)
    """
    import dataclasses

    data = [
        dataclasses.replace(
            s,
            cpu=s.cpu * scale,
            current=dataclasses.replace(s.current, cpu_request=s.current.cpu_request * scale),
        )
        for family in DESIGN
        for s in generate(family, 1, 6, 28)
    ]
    scores = replay(data, ["krr-simple", "vpa", "tacos"], include_current=False)
    verdict = bar_verdict(scores, "tacos")
    assert verdict is not None
    assert verdict.under_ok, verdict
    assert verdict.ooms_ok, verdict
