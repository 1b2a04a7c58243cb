"""The hindsight bound: the least slack any constant weekly request could have had.

A yardstick, not a strategy (see ``replay_hindsight``): it tells whether the bar is
reachable at all on a data set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.quantiles import FloatArray

DAY = 86400.0


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
