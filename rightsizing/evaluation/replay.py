"""Replay: recommend from each window, apply, and score the following week.

For each series the replay starts ``window_days`` after its first sample and
steps a week at a time, like the weekly job: at each decision time it builds the
engine's inputs from the window before it (with the requests then in force as
``current``, and the would-be OOM kills it already saw as OOM events), runs the
engine with the same guardrails for every strategy, applies the outcome, and
scores the samples until the next decision. ``current`` is the baseline that
keeps the series' initial requests throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rightsizing.engine import recommend
from rightsizing.evaluation.scoring import Score, score_segment
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.guardrails import Guardrails
from rightsizing.inputs import Autoscaler, ContainerInputs, OomEvent, Resources, UsageHistory
from rightsizing.quantiles import FloatArray
from rightsizing.results import Recommendation
from rightsizing.strategies import Strategy, make_strategy

DAY = 86400.0
CURRENT = "current"


def _updated_autoscaler(auto: Autoscaler | None, rec: Recommendation) -> Autoscaler | None:
    if auto is None:
        return None
    for adj in rec.hpa:
        if adj.resource == "cpu":
            auto = replace(auto, cpu_target_percent=adj.new_target_percent)
        elif adj.resource == "memory":
            auto = replace(auto, memory_target_percent=adj.new_target_percent)
    return auto


def replay_series(
    series: ReplaySeries,
    strategy: Strategy | None,
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
) -> Score:
    """Score one series; ``strategy=None`` scores the current requests unchanged."""
    score = Score()
    t = series.times_s
    if t.size == 0:
        return score
    w = series.sample_weights
    res = series.resolution_s
    end = float(t[-1]) + res
    decision = float(t[0]) + window_days * DAY
    applied: Resources = series.current
    auto = series.autoscaler
    ooms: list[OomEvent] = []
    max_decisions = int(np.ceil((end - decision) / (step_days * DAY))) + 1
    for _ in range(max_decisions):
        if decision >= end:
            break
        lo = int(np.searchsorted(t, decision - window_days * DAY, side="left"))
        hi = int(np.searchsorted(t, decision, side="left"))
        if strategy is not None:
            score.decisions += 1
            inputs = ContainerInputs(
                key=series.series_id,
                usage=UsageHistory(
                    t[lo:hi],
                    series.cpu[lo:hi],
                    series.memory[lo:hi],
                    w[lo:hi],
                    series.memory[lo:hi],
                    res,
                ),
                current=applied,
                autoscaler=auto,
                oom_events=tuple(o for o in ooms if o.time_s >= decision - window_days * DAY),
                now_s=decision,
                start_s=max(decision - window_days * DAY, float(t[0])),
            )
            outcome = recommend(inputs, strategy, guardrails)
            if isinstance(outcome, Recommendation):
                score.recommendations += 1
                if outcome.recommended != applied:
                    score.changes += 1
                applied = outcome.recommended
                auto = _updated_autoscaler(auto, outcome)
            else:
                score.reasons[outcome.reason.value] = score.reasons.get(outcome.reason.value, 0) + 1
        seg_end = decision + step_days * DAY
        s = slice(hi, int(np.searchsorted(t, seg_end, side="left")))
        starts = score_segment(
            score,
            t[s],
            series.cpu[s],
            series.memory[s],
            w[s],
            applied.cpu_request,
            applied.memory_request,
            applied.memory_limit,
            res,
        )
        if applied.memory_limit is not None:
            ooms.extend(OomEvent(float(t[s][i]), applied.memory_limit) for i in starts)
        decision = seg_end
    return score


def replay(
    series: Sequence[ReplaySeries],
    strategies: Sequence[str | Strategy],
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
    include_current: bool = True,
) -> dict[str, Score]:
    """Aggregate scores per strategy name over all series (plus ``current``)."""
    built = [make_strategy(s) if isinstance(s, str) else s for s in strategies]
    out: dict[str, Score] = {}
    if include_current:
        out[CURRENT] = Score()
        for one in series:
            out[CURRENT].merge(replay_series(one, None, window_days, step_days, guardrails))
    for strat in built:
        total = Score()
        for one in series:
            total.merge(replay_series(one, strat, window_days, step_days, guardrails))
        out[strat.name] = total
    return out


def _segments(
    series: Sequence[ReplaySeries], window_days: float, step_days: float
) -> list[tuple[FloatArray, FloatArray]]:
    """(sorted cpu, matching weights) of every scored week of every series."""
    out: list[tuple[FloatArray, FloatArray]] = []
    for one in series:
        t = one.times_s
        if t.size == 0:
            continue
        w = one.sample_weights
        end = float(t[-1]) + one.resolution_s
        decision = float(t[0]) + window_days * DAY
        for _ in range(int((end - decision) / (step_days * DAY)) + 1):
            if decision >= end:
                break
            a = int(np.searchsorted(t, decision, side="left"))
            b = int(np.searchsorted(t, decision + step_days * DAY, side="left"))
            if b > a:
                order = np.argsort(one.cpu[a:b], kind="stable")
                out.append((one.cpu[a:b][order], w[a:b][order]))
            decision += step_days * DAY
    return out


def _hindsight_at(segs: list[tuple[FloatArray, FloatArray]], k: float) -> Score:
    score = Score()
    for v, w in segs:
        total = float(w.sum())
        above = total - np.cumsum(w)  # weight strictly above v[i] (ties resolved below)
        last_of_value = np.r_[v[1:] != v[:-1], True]
        cost = np.where(last_of_value, v + k * above / total, np.inf)
        r = float(v[int(np.argmin(cost))])
        score.weight += total
        score.cpu_request_sum += r * total
        score.cpu_usage_sum += float((v * w).sum())
        score.cpu_over_weight += float(w[v > r].sum())
    return score


def replay_hindsight(
    series: Sequence[ReplaySeries],
    under_share: float,
    window_days: float = 7.0,
    step_days: float = 7.0,
) -> Score:
    """A yardstick, not a strategy: a lower bound on the slack of *any* replay.

    Whatever a strategy does, it holds one constant request per series per scored
    week. Among all such plans whose aggregate under-provisioned share is at most
    ``under_share``, even one chosen knowing the future, the request sum is at least
    the Lagrangian dual bound ``min over plans of (requests + k x over-weight) -
    k x under_share x weight`` for every ``k >= 0``; each week's inner minimum is
    ``request + k x P(usage > request)`` over that week's own samples. The returned
    score carries the best bound found (its ``cpu_slack`` is the least slack
    possible at that risk). When it is above 0.8 x the better baseline's slack, no
    strategy can meet the bar on that data.
    """
    if not 0.0 <= under_share < 1.0:
        raise ValueError("under_share must be within [0, 1)")
    segs = _segments(series, window_days, step_days)
    if not segs:
        return Score()
    usage = sum(float((v * w).sum()) for v, w in segs)
    total_w = sum(float(w.sum()) for _, w in segs)
    lo, hi = -12.0, 8.0  # log10 of k in cores
    best_request = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        k = 10.0**mid
        sc = _hindsight_at(segs, k)
        # Lagrangian dual bound on the request sum of any plan with share <= under_share
        bound = sc.cpu_request_sum + k * total_w * (sc.cpu_under_share - under_share)
        best_request = max(best_request, bound)
        if sc.cpu_under_share <= under_share:
            hi = mid
        else:
            lo = mid
    out = Score()
    out.weight = total_w
    out.cpu_usage_sum = usage
    out.cpu_request_sum = max(best_request, usage * 0.0)
    out.cpu_over_weight = under_share * total_w
    return out
