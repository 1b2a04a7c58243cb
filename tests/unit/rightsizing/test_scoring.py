import math

import numpy as np
import pytest

from rightsizing import HourlyUsage, Resources, make_strategy
from rightsizing.evaluation import ReplaySeries, Score, replay, replay_hindsight, replay_series
from rightsizing.evaluation.scoring import oom_episodes, score_segment
from rightsizing.inputs import HourlyColumns

from .builders import DAY, GIB, MIB, T0, times


def test_slack_under_share_and_oom_episodes_known_answers():
    s = Score()
    t = np.arange(6) * 300.0
    cpu = np.array([0.5, 0.5, 1.5, 0.5, 0.5, 0.5])
    mem = np.array([1, 3, 3, 1, 3, 1]) * 100 * MIB
    starts = score_segment(s, t, cpu, mem, np.ones(6), 1.0, 200 * MIB, 250 * MIB, 300.0)
    # request 1.0 x 6 = 6; usage 4.0 -> slack 2/6; one sample of six above the request
    assert s.cpu_slack == pytest.approx(2 / 6)
    assert s.cpu_under_share == pytest.approx(1 / 6)
    assert starts == [1, 4]  # two episodes above 250 MiB: samples 1-2 and 4
    assert s.ooms == 2
    # memory: 1200 MiB used of 6 x 200 MiB requested -> no slack
    assert s.memory_slack == pytest.approx(0.0)


def test_gap_splits_an_oom_episode_and_weights_count_pods():
    over = np.array([True, True, True])
    assert oom_episodes(np.array([0.0, 300.0, 3600.0]), over, 300.0) == [0, 2]
    s = Score()
    score_segment(
        s,
        np.arange(2) * 300.0,
        np.array([2.0, 0.0]),
        np.ones(2),
        np.array([3.0, 1.0]),
        1.0,
        None,
        None,
        300.0,
    )
    assert s.cpu_under_share == pytest.approx(0.75)  # the 3-pod sample is over
    assert s.cpu_slack == pytest.approx((4 - 6) / 4)
    empty = Score()
    assert np.isnan(empty.cpu_slack)
    assert np.isnan(empty.cpu_under_share)


def _series(cpu: np.ndarray, mem: np.ndarray, days: float, current: Resources) -> ReplaySeries:
    return ReplaySeries("s", times(days), cpu, mem, current)


def test_replay_current_and_a_strategy_on_a_level_drop():
    n = times(21).size
    cpu = np.where(np.arange(n) < n // 3, 1.0, 0.5)  # 1 core for a week, then 0.5
    mem = np.full(n, 400 * MIB)
    series = _series(cpu, mem, 21, Resources(2.0, None, 4 * GIB, 4 * GIB))
    cur = replay_series(series, None)
    # current 2 cores throughout the two scored weeks of 0.5 cores: slack 75%
    assert cur.cpu_slack == pytest.approx(0.75)
    assert cur.changes == 0
    krr = replay_series(series, make_strategy("krr-simple"))
    assert krr.decisions == 2
    # week 2 at p95 of week 1 (1.0), week 3 at p95 of week 2 (0.5): slack (0.5 + 0) / 1.5
    assert krr.cpu_slack == pytest.approx(0.5 / 1.5)
    assert krr.changes == 2
    assert krr.ooms == 0


def test_would_be_ooms_feed_the_next_decision():
    n = times(21).size
    mem = np.where(np.arange(n) < n // 3, 300 * MIB, 600 * MIB)  # memory doubles in week 2
    series = _series(np.full(n, 0.5), mem, 21, Resources())
    scores = replay([series], ["krr-simple", "vpa", "tacos"], include_current=False)
    # week 2 runs into the limit set from week 1 (one episode); week 3 is sized on week 2
    assert scores["krr-simple"].ooms == 1
    assert scores["tacos"].ooms == 1
    assert scores["vpa"].ooms >= 1


def test_unknown_current_is_unscored_and_insufficient_history_keeps_current():
    n = times(5).size
    series = _series(np.full(n, 0.5), np.full(n, 100 * MIB), 5, Resources())
    s = replay([series], ["tacos"], include_current=True)
    assert s["current"].scored_share == 0.0
    assert s["tacos"].decisions == 0  # 5 days: no window fits before the end


def test_hindsight_is_a_lower_bound_for_every_strategy():
    from rightsizing.evaluation import generate

    for family in ("spiky", "diurnal"):
        data = generate(family, 4, 4, 21)
        scores = replay(data, ["krr-simple", "vpa", "tacos"])
        for name, sc in scores.items():
            bound = replay_hindsight(data, sc.cpu_under_share)
            assert sc.cpu_slack >= bound.cpu_slack - 1e-9, (family, name)
    with pytest.raises(ValueError, match="under_share"):
        replay_hindsight([], 1.0)
    assert replay_hindsight([], 0.05).weight == 0


def test_hindsight_known_answer_on_two_constant_weeks():
    n = times(14).size
    series = _series(np.full(n, 0.5), np.full(n, 1.0), 14, Resources())
    # one scored week at a constant 0.5 cores: the least slack at 0% under is 0
    assert replay_hindsight([series], 0.0).cpu_slack == pytest.approx(0.0, abs=1e-6)
    assert DAY == 86400.0


def test_a_group_is_sized_on_all_its_pods_and_scored_on_each():
    n = times(14).size
    # two pods of one container: one busy (1 core), one idle (0.1 core)
    busy = ReplaySeries("busy", times(14), np.full(n, 1.0), np.full(n, 100 * MIB), group="api")
    idle = ReplaySeries("idle", times(14), np.full(n, 0.1), np.full(n, 100 * MIB), group="api")
    pooled = replay([busy, idle], ["krr-simple"], include_current=False)["krr-simple"]
    # one request for both = p95 of the pooled samples = 1.0 core; scored on both pods
    assert pooled.decisions == 1
    assert pooled.cpu_slack == pytest.approx((2.0 - 1.1) / 2.0)
    assert pooled.cpu_under_share == 0.0
    apart = replay(
        [
            ReplaySeries("busy", busy.times_s, busy.cpu, busy.memory),
            ReplaySeries("idle", idle.times_s, idle.cpu, idle.memory),
        ],
        ["krr-simple"],
        include_current=False,
    )["krr-simple"]
    assert apart.decisions == 2
    assert apart.cpu_slack == pytest.approx(0.0)  # each pod sized on itself


def _hours(n: int, mem_max: float = 300 * MIB, ooms_at: tuple[int, ...] = ()) -> HourlyColumns:
    rows = [
        HourlyUsage(
            hour_start_s=T0 + i * 3600.0,
            cpu_p50=0.2,
            cpu_p90=0.4,
            cpu_p95=0.5,
            cpu_p99=0.6,
            cpu_max=1.0,
            memory_avg=200 * MIB,
            memory_p95=250 * MIB,
            memory_max=600 * MIB if i in ooms_at else mem_max,
            samples=24,
            pods=2.0,
        )
        for i in range(n)
    ]
    return HourlyColumns.from_rows(rows)


def test_rollup_series_scores_masses_at_their_upper_end():
    series = ReplaySeries.from_hourly("db/c", _hours(21 * 24), Resources(0.45, None, GIB, GIB))
    assert series.group == "db/c" and series.resolution_s == 3600.0
    assert np.all(np.diff(series.times_s) > 0)  # five points per hour, strictly ascending
    assert series.sample_weights.sum() == pytest.approx(21 * 24 * 24)
    score = replay_series(series, None)  # the current 0.45 cores for the two scored weeks
    # masses above 0.45: p95 (.05), p99 (.04), max (.01) -> 10% of the time under
    assert score.cpu_under_share == pytest.approx(0.10)
    mean_upper = 0.5 * 0.2 + 0.4 * 0.4 + 0.05 * 0.5 + 0.04 * 0.6 + 0.01 * 1.0
    assert score.cpu_slack == pytest.approx(1 - mean_upper / 0.45)
    assert score.ooms == 0


def test_rollup_series_counts_one_oom_per_run_of_hours_over_the_limit():
    # hours 200-202 (one episode) and 300 (another) peak above the 512 MiB limit; their
    # averages and p95s stay below it, so only the peaks can show the kills
    cols = _hours(21 * 24, ooms_at=(200, 201, 202, 300))
    series = ReplaySeries.from_hourly("db/c", cols, Resources(1.0, None, GIB, 512 * MIB))
    assert replay_series(series, None).ooms == 2


def test_replay_reports_each_strategy_as_it_starts():
    series = ReplaySeries.from_hourly("db/c", _hours(15 * 24), Resources(0.45, None, GIB, GIB))
    heard: list[str] = []
    scores = replay([series], ["krr-simple", "tacos"], progress=heard.append)
    assert heard == ["current", "krr-simple", "tacos"]
    assert list(scores) == heard


def test_container_risk_shows_what_the_pooled_share_hides():
    """One big container under half the time among nine small ones never under: the
    pooled share (per sample) is 5%, but weighted by cores it is most of the risk."""
    from rightsizing.evaluation.report import container_risk

    big = Score(cpu_request_sum=900.0, cpu_over_weight=50.0, weight=100.0)
    small = [Score(cpu_request_sum=10.0, cpu_over_weight=0.0, weight=100.0) for _ in range(9)]
    unscored = Score()  # no request in force: not part of either figure
    risk = container_risk([big, *small, unscored])
    assert risk["containers_often_under"] == pytest.approx(0.1)
    assert risk["cpu_under_share_by_request"] == pytest.approx(0.5 * 900 / 990)
    pooled = Score()
    for g in [big, *small]:
        pooled.merge(g)
    assert pooled.cpu_under_share == pytest.approx(0.05)
    empty = container_risk([unscored])
    assert math.isnan(empty["containers_often_under"])


def test_each_round_of_a_replay_reports_how_the_default_was_calibrated():
    """Seeds as separate fleets: every round of each fleet is listed, in fleet order and
    decision order, with the price and target the round used; baselines, which do not
    calibrate, have none."""
    from rightsizing.evaluation import calibration_rows, generate_prodlike, replay_pooled

    fleets = [generate_prodlike("prod-a", seed) for seed in (1, 2)]
    rounds: dict[str, list] = {}
    scores = replay_pooled(fleets, ["vpa", "tacos"], include_current=False, calibrations=rounds)
    assert set(scores) == {"vpa", "tacos"}
    assert len(rounds["vpa"]) == len(rounds["tacos"]) > 2
    rows = calibration_rows(rounds)
    assert {r["strategy"] for r in rows} == {"tacos"}
    assert len(rows) == len(rounds["tacos"])
    half = len(rows) // 2
    for fleet_rows in (rows[:half], rows[half:]):
        dates = [r["decision"] for r in fleet_rows]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for row, (_, strategy) in zip(rows, rounds["tacos"], strict=True):
        assert row["starvation_price_cores"] == strategy.fleet_starvation_cores > 0
        assert 0 < row["target_under"] < 0.1
        assert row["held_out_days"] == 3 and row["containers"] >= 30
        assert row["note"].startswith(f"fleet-calibrated over {row['containers']} containers")
    # the same scores as a replay that is not asked
    assert scores == replay_pooled(fleets, ["vpa", "tacos"], include_current=False)
