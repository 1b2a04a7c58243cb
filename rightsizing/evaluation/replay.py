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
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

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
    return replay_group([series], strategy, window_days, step_days, guardrails)


def replay_group(
    members: Sequence[ReplaySeries],
    strategy: Strategy | None,
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
) -> Score:
    """Score the pods of one container together, as Kubernetes sizes them.

    One request applies to every pod of a workload's container, so each decision is
    made on the pooled samples of all members (pods) and scored on each of them; OOM
    episodes of any member feed the next decision. The first member's current values
    and autoscaler stand for the group.
    """
    score = Score()
    members = [m for m in members if m.times_s.size]
    if not members:
        return score
    first = members[0]
    t_all = np.concatenate([m.times_s for m in members])
    order = np.argsort(t_all, kind="stable")
    t = t_all[order]
    cpu = np.concatenate([m.cpu for m in members])[order]
    mem = np.concatenate([m.memory for m in members])[order]
    w = np.concatenate([m.sample_weights for m in members])[order]
    res = min(m.resolution_s for m in members)
    end = float(t[-1]) + res
    decision = float(t[0]) + window_days * DAY
    applied: Resources = first.current
    auto = first.autoscaler
    ooms: list[OomEvent] = []
    key = first.group or first.series_id
    max_decisions = int(np.ceil((end - decision) / (step_days * DAY))) + 1
    for _ in range(max_decisions):
        if decision >= end:
            break
        lo = int(np.searchsorted(t, decision - window_days * DAY, side="left"))
        hi = int(np.searchsorted(t, decision, side="left"))
        if strategy is not None:
            score.decisions += 1
            inputs = ContainerInputs(
                key=key,
                usage=UsageHistory(t[lo:hi], cpu[lo:hi], mem[lo:hi], w[lo:hi], mem[lo:hi], res),
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
        for m in members:
            mt = m.times_s
            s = slice(
                int(np.searchsorted(mt, decision, side="left")),
                int(np.searchsorted(mt, seg_end, side="left")),
            )
            starts = score_segment(
                score,
                mt[s],
                m.cpu[s],
                m.memory[s],
                m.sample_weights[s],
                applied.cpu_request,
                applied.memory_request,
                applied.memory_limit,
                m.resolution_s,
            )
            if applied.memory_limit is not None:
                ooms.extend(OomEvent(float(mt[s][i]), applied.memory_limit) for i in starts)
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
    groups: dict[str, list[ReplaySeries]] = {}
    for one in series:
        groups.setdefault(one.group or one.series_id, []).append(one)
    if include_current:
        out[CURRENT] = Score()
        for members in groups.values():
            out[CURRENT].merge(replay_group(members, None, window_days, step_days, guardrails))
    for strat in built:
        total = Score()
        for members in groups.values():
            total.merge(replay_group(members, strat, window_days, step_days, guardrails))
        out[strat.name] = total
    return out


@dataclass(frozen=True)
class _Packed:
    """Every scored week of every series, each sorted by CPU, packed end to end."""

    v: FloatArray  # sorted usage
    above: FloatArray  # weight strictly above each value within its week (at last of ties)
    last: NDArray[np.bool_]  # last element of a run of equal values
    seg: NDArray[np.int64]  # week index of each element
    starts: NDArray[np.int64]
    totals: FloatArray  # weight per week
    usage: float


def _pack(series: Sequence[ReplaySeries], window_days: float, step_days: float) -> _Packed | None:
    vs: list[FloatArray] = []
    ws: list[FloatArray] = []
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
                order = np.argsort(one.cpu[a:b])
                vs.append(one.cpu[a:b][order])
                ws.append(w[a:b][order])
            decision += step_days * DAY
    if not vs:
        return None
    lengths = np.array([x.size for x in vs])
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    seg = np.repeat(np.arange(len(vs)), lengths)
    v = np.concatenate(vs)
    w = np.concatenate(ws)
    cum = np.cumsum(w)
    before = np.r_[0.0, cum[starts[1:] - 1]] if len(vs) > 1 else np.zeros(1)
    totals = np.add.reduceat(w, starts)
    above = totals[seg] - (cum - before[seg])
    last = np.r_[(v[1:] != v[:-1]) | (seg[1:] != seg[:-1]), True]
    return _Packed(v, above, last, seg, starts, totals, float((v * w).sum()))


def _hindsight_at(p: _Packed, k: float) -> tuple[float, float]:
    """Request sum and over-provisioned weight when every week minimises r + k P(u > r)."""
    cost = np.where(p.last, p.v + k * p.above / p.totals[p.seg], np.inf)
    best = np.minimum.reduceat(cost, p.starts)
    index = np.arange(p.v.size)
    first = np.minimum.reduceat(np.where(cost == best[p.seg], index, p.v.size), p.starts)
    return float((p.v[first] * p.totals).sum()), float(p.above[first].sum())


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
    packed = _pack(series, window_days, step_days)
    if packed is None:
        return Score()
    total_w = float(packed.totals.sum())
    lo, hi = -12.0, 8.0  # log10 of k in cores
    best_request = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        k = 10.0**mid
        requests, over = _hindsight_at(packed, k)
        share = over / total_w
        # Lagrangian dual bound on the request sum of any plan with share <= under_share
        best_request = max(best_request, requests + k * total_w * (share - under_share))
        if share <= under_share:
            hi = mid
        else:
            lo = mid
    out = Score()
    out.weight = total_w
    out.cpu_usage_sum = packed.usage
    out.cpu_request_sum = best_request
    out.cpu_over_weight = under_share * total_w
    return out
