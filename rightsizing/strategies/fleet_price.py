"""Fleet calibration: one starvation price for every container of a recommendation run.

Why. The bar is scored over the fleet, not per container: CPU slack is
``sum(request - usage) / sum(request)`` and the under-provisioned share is the share
of *all* samples (weighted by pods) with usage above the request. Minimising the sum
of requests subject to a pooled under-provisioned share is a Lagrangian problem:
with one multiplier ``lambda`` (in cores), each container independently minimises
``request + lambda x P(usage > request)``, so that every request sits where the
container's usage density equals the same ``1 / lambda`` (water-filling). Big steady
containers, where a millicore of headroom buys little probability, get tight
requests; small or noisy ones, whose tail costs almost no cores, get covered to
their tail. A per-container price that grows with the container's size (the
uncalibrated rule) undoes most of that; a fixed price in cores is wrong at other
fleet scales. So the price is *calibrated per run*, out of sample
(``calibrate_price_holdout``): the window is cut a day before its end (and one and two
days before that: a rolling origin), the rule and krr-simple and vpa are fitted on the
part before each cut and scored on the day after it, and the price is the smallest
whose held-out pooled under-provisioned share is at most ``factor x`` the lower
baseline's. That measures the fleet's real prediction error (drift, level shifts,
bursts that do not come back) instead of assuming it. Why three cuts: usage has a
weekly cycle, and a baseline fitted with a 24-hour half-life (vpa) misjudges the day
after a weekend far more than other days; with two cuts the held-out days share one
part of the week, so the baselines' held-out risk, and the target made from it, swung
with the weekday of the decision (too generous when the held-out days follow a
weekend, too strict when the decision does). Where the history has room for it (the
weekly job's 14 days), ``weekly_fold_count`` holds out a whole week instead, one day of
every weekday, which removes the swing. Where it has not (a 7-day window), three
held-out days still miss what a decision just after a weekend does to vpa: its
24-hour half-life has just seen the weekend, and the request it makes *at the
decision* misses next week's weekdays, which no fold fitted mid-week shows. So vpa's
risk is also estimated at the decision (``decision_risk``): the share of the whole
window's usage above the request vpa makes now, the window being the best guess of
next week's cycle. Where that is significantly above its held-out share across the
fleet's containers, vpa's risk is the mean of the two: each estimate errs its own way
(the folds miss the weekend's effect; the window counts the days before a real drop
in level as misses, which it cannot tell from a weekend), and the mean halves either
error. (krr-simple's unweighted percentile has an in-sample share fixed by its
percentile, which says nothing about next week: its held-out share alone is used.)
Where the strategy keeps a request at the last day's own estimate (``recent_days``: a
level that rose), each fold scores the larger of the two estimates, as applied, so the
price is set knowing that floor. The fallback (``calibrate_price``, no container with
enough history for a cut) is in sample: the smallest ``lambda`` whose
in-sample pooled share (recency-weighted, as the requests are chosen) is at most
``factor x`` the lower of the baselines' on the same history, ``factor < 1`` being the
margin for out-of-sample drift. In both, each container's usage is first spread by its own
measured level drift over the horizon it will be scored at (``predictive_sample``).
Every request, ours and the baselines', is scored as applied: at least the guardrails'
CPU floor (``cpu_floor``), which lifts every strategy's proposal alike; risk the floor
covers is no strategy's, and a target made of it would be spent on the big containers.

Pure numpy: the candidate requests of every container are computed once, and the
search over ``lambda`` is a bisection over an (n x 241) matrix.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from numpy.typing import NDArray

from rightsizing.annotations import under_cap
from rightsizing.inputs import ContainerInputs, UsageHistory
from rightsizing.parallel import FleetMap, serial_map
from rightsizing.quantiles import (
    FloatArray,
    IntArray,
    ValueOrder,
    recency_weights,
    sorted_median,
)
from rightsizing.strategies.krr_simple import KrrSimpleStrategy
from rightsizing.strategies.vpa import VpaStrategy

LEVELS = 241
LOG10_PRICE_RANGE = (-6.0, 6.0)  # cores: far below a millicore sidecar, far above any node
BISECTION_STEPS = 32  # 12 decades / 2**32: the price to 7e-9 of itself, below any request step


def cost_candidates(
    values: FloatArray, weights: FloatArray, q_lo: float, q_hi: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Candidate requests (observed values at ``LEVELS`` quantile levels in [q_lo, q_hi]),
    the weighted share of usage strictly above each, and the levels themselves."""
    if values.size > 1 and bool(np.all(values[1:] >= values[:-1])):
        v, cum = values, np.cumsum(weights)  # already sorted
    else:
        order = np.argsort(values)
        v = values[order]
        cum = np.cumsum(weights[order])
    return _candidates_of(v, cum / cum[-1], q_lo, q_hi)


def _candidates_of(
    v: FloatArray, cum: FloatArray, q_lo: float, q_hi: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``cost_candidates`` from values in ascending order and their running share of the
    weight (the last at 1)."""
    levels = _levels(q_lo, q_hi)
    cand, exceed = _candidates_at(v, cum, levels)
    return cand, exceed, levels


def _candidates_at(
    v: FloatArray, cum: FloatArray, levels: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The first value reaching each level, and the share of the weight above it."""
    idx = np.minimum(np.searchsorted(cum, levels, side="left"), v.size - 1)
    cand = v[idx]
    below = cum[np.searchsorted(v, cand, side="right") - 1]
    exceed: FloatArray = np.maximum(1.0 - below, 0.0)  # (below is in [0, 1])
    return cand, exceed


def first_within(exceed: FloatArray, cap: float) -> int:
    """The first candidate whose share of usage above it is at most ``cap`` (the last
    candidate where none is): shares fall along the candidates, so every later one is
    within the cap too."""
    within = np.flatnonzero(exceed <= cap)
    return int(within[0]) if within.size else exceed.size - 1


def capped(cand: FloatArray, exceed: FloatArray, cap: float) -> tuple[FloatArray, FloatArray]:
    """The candidates with those above ``cap`` (share of usage above them) raised to the
    first within it (``max_under_share``); unchanged with ``cap`` 0 (no cap).

    Why raise rather than drop: the price search and the held-out scoring index
    candidates by column, so every row keeps its columns; a raised column is the first
    allowed candidate again, which the search treats as that candidate."""
    if cap <= 0:
        return cand, exceed
    k = first_within(exceed, cap)
    if k == 0:
        return cand, exceed
    cand, exceed = cand.copy(), exceed.copy()
    cand[:k] = cand[k]
    exceed[:k] = exceed[k]
    return cand, exceed


@lru_cache(maxsize=16)
def _levels(q_lo: float, q_hi: float) -> FloatArray:
    """The candidate quantile levels (read-only: shared by every call with these bounds)."""
    levels = np.linspace(q_lo, q_hi, LEVELS)
    levels.flags.writeable = False
    return levels


_NODES, _NODE_WEIGHTS = np.polynomial.hermite_e.hermegauss(5)
_NODE_WEIGHTS = _NODE_WEIGHTS / _NODE_WEIGHTS.sum()
DAY_S = 86400.0
MAX_DRIFT_SIGMA = 0.5


def level_drift(
    times_s: FloatArray, values: FloatArray, end_s: float, order: IntArray | None = None
) -> float:
    """Robust day-to-day drift: 1.4826 x the median |change| of the log daily median.

    Medians and a median of changes, so a weekend dip or a batch job's timing (a
    few large day-to-day changes) does not read as drift. 0 with fewer than 3 days.
    ``order`` (optional): positions of ``values`` in ascending order, when the caller
    has them (``ValueOrder``): the values are not sorted again.
    """
    if times_s.size == 0:
        return 0.0
    day = np.floor((end_s - times_s) / DAY_S).astype(np.int64)
    return drift_of(daily_medians(day, values, order)[1])


def daily_medians(
    day: NDArray[np.int64], values: FloatArray, order: IntArray | None = None
) -> tuple[NDArray[np.int64], FloatArray]:
    """The days present (ascending) and the median of ``values`` on each."""
    if order is None:
        order = np.argsort(values)
    days = day[order]
    # stable by day, so each day's values stay in ascending order (int16: a radix sort)
    small = int(days.min()) > -(2**15) and int(days.max()) < 2**15
    by_day = np.argsort(days.astype(np.int16) if small else days, kind="stable")
    d = days[by_day]
    v = values[order[by_day]]
    # (plain slicing rather than np.r_ / np.median: this runs once per container and
    # fold, on a dozen days, where their per-call overhead was most of the time)
    new_day = np.empty(d.size, dtype=bool)
    new_day[0] = True
    np.not_equal(d[1:], d[:-1], out=new_day[1:])
    starts = np.flatnonzero(new_day)
    ends = np.append(starts[1:], d.size)
    counts = ends - starts
    medians: FloatArray = (v[starts + (counts - 1) // 2] + v[starts + counts // 2]) / 2.0
    return d[starts], medians


def drift_of(medians: FloatArray) -> float:
    """1.4826 x the median |change| of the log of consecutive daily medians (0 with fewer
    than 3 days or a day at zero)."""
    if medians.size < 3 or np.any(medians <= 0):
        return 0.0
    changes = np.sort(np.abs(np.diff(np.log(medians))))
    mid = changes.size // 2
    median = changes[mid] if changes.size % 2 else (changes[mid - 1] + changes[mid]) / 2.0
    return float(1.4826 * median)


def drift_before(
    times_s: FloatArray,
    order: ValueOrder,
    window_medians: tuple[NDArray[np.int64], FloatArray],
    split_s: float,
    shift: int,
) -> float:
    """``level_drift`` of the samples before ``split_s``, ``shift`` whole days before the
    window's end, from the window's ``daily_medians``: the fit's last day (cut at the
    split) is the only one to take again."""
    present, medians = window_medians
    first = int(np.searchsorted(times_s, split_s - DAY_S, side="right"))
    stop = int(np.searchsorted(times_s, split_s, side="left"))
    last_day = order.cpu[order.between(first, stop)]
    head = [sorted_median(last_day)] if last_day.size else []
    return drift_of(np.concatenate([head, medians[present > shift]]))


def spread_sigma(drift: float, horizon_days: float) -> float:
    """The log-scale spread of a window's usage for ``horizon_days`` ahead: its robust
    day-to-day ``drift`` grown as a random walk (sqrt of the horizon), capped."""
    if horizon_days <= 0:
        return 0.0
    return float(min(drift * np.sqrt(horizon_days), MAX_DRIFT_SIGMA))


def predictive_sample(
    times_s: FloatArray,
    values: FloatArray,
    weights: FloatArray,
    end_s: float,
    horizon_days: float,
    order: IntArray | None = None,
    drift: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """The window's usage spread by the level drift expected over ``horizon_days``.

    Each point is replaced by five copies scaled by ``exp(sigma x z)`` at the
    Gauss-Hermite nodes ``z`` of a standard normal (weights to match), with ``sigma``
    the robust day-to-day drift times sqrt(horizon). Requests and shares computed on
    it estimate next week's, not last week's: without it the calibration believes a
    flat-but-wandering big container is cheap to size tightly, and next week's drift
    turns its in-sample risk into much more (seen on the tiny-container mixes).
    ``order`` (optional) is an ordering of ``values`` by value, when the caller has one:
    the held-out folds filter one sort of the whole window instead of sorting each fit.
    ``drift`` (optional): the window's ``level_drift``, when the caller has it.
    Where only the candidate requests are wanted, ``spread_candidates`` gives them
    without building the spread sample.
    """
    if horizon_days <= 0:
        return values, weights
    base = np.argsort(values) if order is None else order
    if drift is None:
        drift = level_drift(times_s, values, end_s, base)
    sigma = spread_sigma(drift, horizon_days)
    if sigma <= 0:
        return values, weights
    return spread_points(values[base], weights[base], sigma)


def spread_points(
    sorted_v: FloatArray, sorted_w: FloatArray, sigma: float
) -> tuple[FloatArray, FloatArray]:
    """Values in ascending order (weights alongside) spread by ``sigma``: the five scaled
    copies, merged in ascending order (``predictive_sample``)."""
    # the scaled copies are sorted runs, which a merge sort joins in a fraction of the
    # time of sorting five times the points from scratch
    scale = np.exp(sigma * _NODES)
    flat_v = (sorted_v[None, :] * scale[:, None]).ravel()
    flat_w = (sorted_w[None, :] * _NODE_WEIGHTS[:, None]).ravel()
    merged = np.argsort(flat_v, kind="stable")
    out_v: FloatArray = flat_v[merged]
    out_w: FloatArray = flat_w[merged]
    return out_v, out_w


_PROBES = np.linspace(0.0, 1.0, 64)
_PROBE_MARGIN = 1e-6  # of the total weight: the probes' arithmetic is not the merge's
_EXACT_MARGIN = 1e-9


def spread_candidates(
    sorted_v: FloatArray, sorted_w: FloatArray, sigma: float, q_lo: float, q_hi: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``cost_candidates`` of ``spread_points(sorted_v, sorted_w, sigma)``, without
    merging the points below the ``q_lo`` level, where no candidate can be.

    Why: the held-out folds and every recommendation ask for the candidates of a spread
    sample five times the window's size; merging and summing all of it was the largest
    single cost of a calibration. The candidates (levels ``q_lo`` to ``q_hi``) need the
    running weight only from ``q_lo`` on, and what lies below is one sum per copy. The
    cut is a value under the spread sample's ``q_lo`` level, found by probing the weight
    below 64 values between the copies' own ``q_lo`` levels (one ``searchsorted``), and
    checked exactly on the copies as merged: the candidates are the same points, and the
    shares the same to the rounding of one sum (which, where a level falls exactly on a
    running share, can pick the neighbouring point).
    """
    if sigma <= 0:
        return cost_candidates(sorted_v, sorted_w, q_lo, q_hi)
    v, cum, _ = _spread_above(sorted_v, sorted_w, sigma, q_lo)
    return _candidates_of(v, cum, q_lo, q_hi)


#: the levels a recommendation looks at first (``spread_cost_optimal``)
TOP_LEVEL = 0.9


def spread_cost_optimal(
    sorted_v: FloatArray,
    sorted_w: FloatArray,
    sigma: float,
    price: float,
    q_lo: float,
    q_hi: float,
    cap: float = 0.0,
) -> tuple[float, float]:
    """The candidate of ``spread_candidates`` minimising ``request + price x share above``
    (the first on ties), and its level, looking at the levels from ``TOP_LEVEL`` first.
    ``cap`` (0: none): only candidates with at most that share above them (``capped``;
    the whole range is then searched).

    Why: a recommendation needs only the cheapest candidate, and most containers' is
    high in their distribution; merging the spread sample from the 90% level is a third
    of the work from the 60% one. The top's best is the answer when no lower candidate
    can cost as little: each is at most the top's first candidate, so all the weight
    from that one up is above it, and it is at least the spread sample's ``q_lo`` value,
    which is at least the lowest copy's. Otherwise (a big, noisy container whose best
    is lower) the whole range is searched. The same choice either way, to the rounding
    of one sum (tested against the whole range).
    """
    levels = _levels(q_lo, q_hi)
    k0 = int(np.searchsorted(levels, TOP_LEVEL, side="left"))
    cum0 = _running_weight(sorted_w)
    if cap <= 0 and sigma > 0 and 0 < k0 < levels.size and float(cum0[-1]) > 0:
        v, cum, before = _spread_above(sorted_v, sorted_w, sigma, float(levels[k0]), cum0)
        cand, exceed = _candidates_at(v, cum, levels[k0:])
        cost = cand + price * exceed
        best = int(np.argmin(cost))
        first = float(cand[0])
        under_first = np.searchsorted(v, first, side="left") - 1  # the last point below it
        from_first = 1.0 - (float(cum[under_first]) if under_first >= 0 else before)
        lowest = np.exp(sigma * _NODES[0]) * _value_at(sorted_v, cum0, q_lo)
        if float(cand[best]) > first and float(cost[best]) < lowest * (1 - 1e-9) + price * (
            from_first - 1e-9
        ):
            return float(cand[best]), float(levels[k0 + best])
    if sigma > 0:  # the whole range, from the running weight already summed
        v, cum, _ = _spread_above(sorted_v, sorted_w, sigma, q_lo, cum0)
        cand, exceed, _ = _candidates_of(v, cum, q_lo, q_hi)
    else:
        cand, exceed, _ = cost_candidates(sorted_v, sorted_w, q_lo, q_hi)
    return cheapest_within(cand, exceed, price, cap, levels)


def cheapest_within(
    cand: FloatArray, exceed: FloatArray, price: float, cap: float, levels: FloatArray
) -> tuple[float, float]:
    """The candidate minimising ``cand + price x exceed`` among those with at most ``cap``
    above them (0: all), the first on ties, and its level."""
    first = first_within(exceed, cap) if cap > 0 else 0
    best = first + int(np.argmin(cand[first:] + price * exceed[first:]))
    return float(cand[best]), float(levels[best])


def _running_weight(sorted_w: FloatArray) -> FloatArray:
    """0, then the running sum of the weights (``cum0[i]``: the weight before ``i``)."""
    cum0 = np.empty(sorted_w.size + 1)
    cum0[0] = 0.0
    np.cumsum(sorted_w, out=cum0[1:])
    return cum0


def _value_at(sorted_v: FloatArray, cum0: FloatArray, level: float) -> float:
    """The first value (ascending) whose running weight reaches ``level`` of the whole
    (``sorted_weighted_quantile``'s rule), from the running weight the caller has."""
    at = int(np.searchsorted(cum0[1:], level * cum0[-1], side="left"))
    return float(sorted_v[min(at, sorted_v.size - 1)])


def _spread_above(
    sorted_v: FloatArray,
    sorted_w: FloatArray,
    sigma: float,
    level: float,
    cum0: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, float]:
    """The spread sample's points from under its ``level`` on, ascending, their running
    share of the whole weight, and the share below them (``spread_candidates``).
    ``cum0``: ``_running_weight(sorted_w)``, when the caller has it."""
    scale = np.exp(sigma * _NODES)
    if cum0 is None:
        cum0 = _running_weight(sorted_w)
    total = float(cum0[-1])
    cut = np.zeros(scale.size, dtype=np.intp)
    at_q = _value_at(sorted_v, cum0, level)
    if at_q > 0 and total > 0:
        # the spread sample's value at the level lies between the lowest and highest copy's
        logs = np.log(at_q) + sigma * (_NODES[0] + (_NODES[-1] - _NODES[0]) * _PROBES)
        # a copy's weight below a value: the base's weight below value / scale
        probe = np.exp(logs[None, :] - sigma * _NODES[:, None])
        at = np.searchsorted(sorted_v, probe.ravel(), side="left").reshape(probe.shape)
        under = np.flatnonzero(_NODE_WEIGHTS @ cum0[at] < (level - _PROBE_MARGIN) * total)
        if under.size:
            cut = _first_at_least(sorted_v, scale, float(np.exp(logs[under[-1]])))
            # exactly, on the copies: a point mass at the probed value can move the
            # weight below it; the margin covers the rounding of one sum against another
            if float(_NODE_WEIGHTS @ cum0[cut]) >= (level - _EXACT_MARGIN) * total:
                cut[:] = 0
    prefix = float(_NODE_WEIGHTS @ cum0[cut])
    kept_v = np.concatenate(
        [sorted_v[c:] * s for c, s in zip(cut.tolist(), scale.tolist(), strict=True)]
    )
    kept_w = np.concatenate(
        [sorted_w[c:] * nw for c, nw in zip(cut.tolist(), _NODE_WEIGHTS.tolist(), strict=True)]
    )
    merged = np.argsort(kept_v, kind="stable")
    v = kept_v[merged]
    cum = np.cumsum(kept_w[merged])
    cum += prefix
    whole = float(cum[-1])
    cum /= whole
    return v, cum, prefix / whole


def _first_at_least(sorted_v: FloatArray, scale: FloatArray, key: float) -> IntArray:
    """For each scale s, the first position i with ``sorted_v[i] * s >= key``, decided on
    the products themselves (dividing the key instead can differ in the last bit)."""
    n = sorted_v.size
    cut: IntArray = np.searchsorted(sorted_v, key / scale, side="left")
    before = np.maximum(cut - 1, 0)
    at = np.minimum(cut, n - 1)
    exact = ((cut == 0) | (sorted_v[before] * scale < key)) & (
        (cut == n) | (sorted_v[at] * scale >= key)
    )
    for j in np.flatnonzero(~exact).tolist():
        cut[j] = np.searchsorted(sorted_v * scale[j], key, side="left")
    return cut


def risen(
    usage: UsageHistory, start: int, stop: int, rise: float, order: ValueOrder | None = None
) -> bool:
    """Whether the median of samples ``start:stop`` is above ``(1 + rise)`` x the median
    of the samples before them (always, with ``rise`` at -1 or nothing before). Samples
    without pods (a KEDA workload at zero replicas) are not usage and do not count.
    ``order``: the window's ``ValueOrder``, when the caller has one (no sort then)."""
    if rise <= -1.0:
        return True
    if order is not None:
        before_median = order.median_with_pods(0, start)
        recent_median = order.median_with_pods(start, stop)
        if before_median is None or recent_median is None:
            return True
        return recent_median > (1.0 + rise) * before_median
    before = usage.cpu[:start][usage.weights[:start] > 0]
    recent = usage.cpu[start:stop][usage.weights[start:stop] > 0]
    if before.size == 0 or recent.size == 0:
        return True
    return float(np.median(recent)) > (1.0 + rise) * float(np.median(before))


def exceed_share(values: FloatArray, weights: FloatArray, request: float) -> float:
    """Weighted share of usage strictly above ``request``."""
    total = float(weights.sum())
    return float(weights[values > request].sum()) / total if total > 0 else 0.0


@dataclass(frozen=True)
class FleetPrice:
    """The calibrated price and the figures behind it (for evidence and reports)."""

    starvation_cores: float
    target_under: float  # factor x baseline_under
    in_sample_under: float  # the pooled share the chosen price gives in-sample
    baseline_under: float  # the lower of krr-simple's and vpa's in-sample pooled shares
    containers: int
    folds: int = 0  # held-out days per container it was fitted on (0: in sample)
    # vpa's risk as read with its request at the decision (``decision_risk``), where
    # that moved the estimate; 0 where the held-out share stood
    vpa_at_decision: float = 0.0
    folds_each: int = 0  # held-out days each container contributed (0: all ``folds``)


def _as_applied(request: float | None, inputs: ContainerInputs, floor: float) -> float | None:
    """A baseline's CPU request as applied (at least ``floor``), or the current one
    where it would leave CPU alone (None: there is none either)."""
    return inputs.current.cpu_request if request is None else max(request, floor)


def _baseline_cpu(
    strategy: KrrSimpleStrategy | VpaStrategy, inputs: ContainerInputs, floor: float
) -> float | None:
    """The baseline's CPU request for the whole window, as applied."""
    return _as_applied(strategy.cpu_request(inputs), inputs, floor)


def _weight_above(sorted_v: FloatArray, suffix_w: FloatArray, requests: FloatArray) -> FloatArray:
    """Weight of held-out usage strictly above each request (``suffix_w[i]`` = weight from i on)."""
    out: FloatArray = suffix_w[np.searchsorted(sorted_v, requests, side="right")]
    return out


Chosen = tuple[IntArray, ...]  # per choice problem, each row's candidate at a price
ShareAt = Callable[[float, "Chosen | None", "Chosen | None"], tuple[float, Chosen]]


def cheapest(
    c: FloatArray, e: FloatArray, price: float, low: IntArray | None, high: IntArray | None
) -> IntArray:
    """Each row's candidate minimising ``c + price x e`` (the first on ties), searched
    only between the rows' choices ``low`` and ``high`` at a lower and a higher price
    (both None: over every column).

    Why bounded: candidates ascend and their exceedance descends along a row, so a
    higher price never chooses an earlier candidate. In a bisection most rows have the
    same choice at both ends of the bracket after a few steps; they are settled and
    the rest are searched over the columns between their ends (the full search over
    241 columns, 34 times, was most of the parent's share of a calibration).
    """
    if low is None or high is None:
        out: IntArray = np.argmin(c + price * e, axis=1)
        return out
    chosen = low.copy()
    rows = np.flatnonzero(low < high)
    if rows.size:
        lo, hi = low[rows], high[rows]
        first, last = int(lo.min()), int(hi.max()) + 1
        cost = c[rows, first:last] + price * e[rows, first:last]
        cols = np.arange(first, last)
        cost[(cols < lo[:, None]) | (cols > hi[:, None])] = np.inf
        chosen[rows] = first + np.argmin(cost, axis=1)
    return chosen


def _nth(chosen: Chosen | None, k: int) -> IntArray | None:
    return None if chosen is None else chosen[k]


def _bisect(share_at: ShareAt, target: float) -> tuple[float, float]:
    """The smallest price (log-bisection) whose pooled share is at most ``target``, and
    that share. ``share_at(price, low, high)`` gives the share at ``price`` and the
    choices behind it, told the choices at a lower and a higher price when known."""
    lo, hi = LOG10_PRICE_RANGE
    share_hi, at_hi = share_at(10.0**hi, None, None)
    if share_hi > target:  # even the most generous requests cannot get there
        return float(10.0**hi), share_hi
    share_lo, at_lo = share_at(10.0**lo, None, None)
    if share_lo <= target:
        return float(10.0**lo), share_lo
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        share, at = share_at(10.0**mid, at_lo, at_hi)
        if share <= target:
            hi, at_hi, share_hi = mid, at, share
        else:
            lo, at_lo = mid, at
    return float(10.0**hi), share_hi


def calibration_subset(fleet: Sequence[ContainerInputs], size: int) -> Sequence[ContainerInputs]:
    """At most ``size`` containers to fit the fleet's price on (0: all), chosen by a hash
    of their keys.

    Why a sample: the price is one number estimated from pooled shares, weighted by
    samples, so a couple of thousand containers pin it down, while the held-out folds
    cost several milliseconds per container (a 10,000-container cluster would spend
    most of its run there). Why by key hash: the same containers are chosen every week,
    so the price does not jitter with the sample, and the choice is independent of
    size, team or order.
    """
    if size <= 0 or len(fleet) <= size:
        return fleet
    ranked = sorted(
        range(len(fleet)),
        key=lambda i: hashlib.blake2b(fleet[i].key.encode(), digest_size=8).digest(),
    )
    return [fleet[i] for i in sorted(ranked[:size])]


WEEK_DAYS = 7.0


def weekly_fold_count(
    fleet: Sequence[ContainerInputs], holdout_days: float, min_fit_days: float
) -> int:
    """The held-out periods that make one whole week, when the fleet's history has room
    for them (the median container spans a week plus ``min_fit_days``); else 0.

    Why: usage has a weekly cycle, and what a baseline misses on the day after a weekend
    is not what it misses mid-week. Held-out days from one part of the week made the
    calibration's target swing with the weekday of the decision (see the module
    docstring); one held-out day of every weekday measures the whole cycle, as the
    following week will meet it. A 7-day window cannot hold out a week with a fit
    before it; the weekly job's 14 days can.
    """
    if holdout_days <= 0:
        return 0
    folds = int(np.ceil(WEEK_DAYS / holdout_days - 1e-9))
    spans = [
        inputs.end_s - float(inputs.usage.times_s[0])
        for inputs in fleet
        if inputs.usage.times_s.size
    ]
    if not spans:
        return 0
    need = (folds * holdout_days + min_fit_days) * DAY_S
    return folds if float(np.median(spans)) >= need - 1.0 else 0


@dataclass(frozen=True)
class _HoldoutParams:
    half_life_hours: float
    q_lo: float
    q_hi: float
    horizon_days: float
    holdout_days: float
    min_fit_days: float
    folds: int
    recent_days: float = 0.0
    recent_rise: float = -1.0
    cpu_floor: float = 0.0
    decision_risk: bool = False
    folds_each: int = 0  # held-out days per container (0: all it has room for)
    cap: float = 0.0  # ``max_under_share`` (0: none): see ``capped``


@dataclass(frozen=True)
class _Folds:
    """One container's fit-then-score splits, a row each: what the fleet's price search
    needs of it. Stacked per container, so that a fleet's folds cross from the workers as
    one object per container (pickling 14,000 small ones cost the parent most of a
    second on a 2,000-container calibration)."""

    candidates: FloatArray  # the rule's candidate requests, fitted before each split
    fit_exceed: FloatArray  # their in-sample exceedance (what the price trades against)
    held_above: FloatArray  # held-out usage weight above each candidate
    held_weight: FloatArray  # per fold
    baseline_above: FloatArray  # per fold: held-out weight above krr-simple's, vpa's request
    # candidates, exceedance and held-out weight above them from the last ``recent_days``
    # before each split alone: the floor of the request (``TacosStrategy.recent_days``);
    # None where no fold has one, rows of ``_NEVER`` for the folds without one
    recent: tuple[FloatArray, FloatArray, FloatArray] | None = None
    # with ``decision_risk``: the window's usage weight above vpa's request made at the
    # decision, and the window's usage weight (both 0 without it)
    decision: tuple[float, float] = (0.0, 0.0)


# a fold without a recent floor: candidates that are never chosen over the window's
_NEVER = (np.zeros(LEVELS), np.zeros(LEVELS), np.full(LEVELS, np.inf))


_KRR, _VPA = KrrSimpleStrategy(), VpaStrategy()
_BASELINES: tuple[KrrSimpleStrategy | VpaStrategy, ...] = (_KRR, _VPA)


def folds_each(containers: int, folds: int, rows: int) -> int:
    """Held-out days per container for a fleet of ``containers`` with ``folds`` each,
    when all of them would be more than ``rows`` container-days (0: all of them).

    Why: a held-out week costs seven fits of the rule and both baselines per container,
    most of a large fleet's weekly run. The price is one number, pooled over containers
    whose risks differ far more from each other than from day to day: a few of each
    container's days, spread over the week, pin it as well once the fleet is large, and
    every weekday is still held out across the fleet (``spread_folds``).
    """
    if rows <= 0 or containers * folds <= rows:
        return 0
    each = math.ceil(rows / containers)
    return each if each < folds else 0


def spread_folds(key: str, folds: int, each: int) -> list[int]:
    """``each`` of a container's ``folds`` held-out days, evenly spaced from a start
    chosen by a hash of its key: the same days every week, and across a fleet every
    day equally often (a weekday's own risk stays in the pooled estimate)."""
    start = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    return sorted({(start + (j * folds) // each) % folds for j in range(each)})


def holdout_folds(inputs: ContainerInputs, p: _HoldoutParams) -> _Folds | None:
    """The folds of one container (none without enough history); pure, per container,
    so a fleet's folds can be computed on several processes (``rightsizing.parallel``).

    Every fold is a prefix of the window, so one ``ValueOrder`` of the whole window
    serves the fits, their level drift, the recent rise and krr-simple's percentile
    (each used to sort its own copy: most of the calibration's time)."""
    usage = inputs.usage
    if usage.times_s.size == 0:
        return None
    t, cpu, w = usage.times_s, usage.cpu, usage.weights
    rows: list[tuple[FloatArray, FloatArray, FloatArray, float, list[float]]] = []
    recents: list[tuple[FloatArray, FloatArray, FloatArray] | None] = []
    half_s = p.half_life_hours * 3600.0
    # a fold's held-out day is on average half a day ahead of its fit; the final fit is
    # spread for ``horizon_days``: each is spread for the horizon it is scored at
    fold_horizon = min(p.holdout_days / 2.0, p.horizon_days)
    order = ValueOrder.of(cpu, w)
    vpa_buckets = _VPA.cpu_buckets(inputs)
    cap = under_cap(inputs.annotations, p.cap)  # the workload's own, else the strategy's
    # With whole held-out days, a fit's days are the window's days shifted: the daily
    # medians (for the level drift) are taken once, and each fit only adds its last
    # day, which it sees up to the split.
    shift_days = round(p.holdout_days)
    whole = shift_days == p.holdout_days
    if whole:
        day = np.floor((inputs.end_s - t) / DAY_S).astype(np.int64)
        window_medians = daily_medians(day, cpu, order.index)
    cuts: list[tuple[int, float]] = []  # (fold, its cut), latest first, while a fit has room
    for fold in range(p.folds):
        split = inputs.end_s - (fold + 1) * p.holdout_days * DAY_S
        if split - float(t[0]) < p.min_fit_days * DAY_S:
            break
        cuts.append((fold, split))
    if 0 < p.folds_each < len(cuts):
        cuts = [cuts[j] for j in spread_folds(inputs.key, len(cuts), p.folds_each)]
    folds = [fold for fold, _ in cuts]
    splits = [split for _, split in cuts]
    stops = [int(i) for i in np.searchsorted(t, splits, side="left")]
    # vpa before every cut in one pass (and at the decision, with ``decision_risk``)
    vpa_at = _VPA.cpu_requests_before(
        inputs, [*stops, t.size] if p.decision_risk else stops, vpa_buckets
    )
    for at, (fold, split, i) in enumerate(zip(folds, splits, stops, strict=True)):
        k = int(np.searchsorted(t, split + p.holdout_days * DAY_S, side="left"))
        if i == 0 or k == i:
            continue
        w_fit = w[:i] * recency_weights(t[:i], split, half_s)
        w_ho = w[i:k]
        if float(w_fit.sum()) <= 0 or float(w_ho.sum()) <= 0:
            continue
        fit = order.index[order.between(0, i)]
        if whole:
            drift = drift_before(t, order, window_medians, split, (fold + 1) * shift_days)
        else:
            drift = level_drift(t[:i], cpu[:i], split, fit)
        sigma = spread_sigma(drift, fold_horizon)
        cand, exceed, _ = spread_candidates(cpu[fit], w_fit[fit], sigma, p.q_lo, p.q_hi)
        cand, exceed = capped(cand, exceed, cap)
        by_value = np.argsort(cpu[i:k])
        ho_v = cpu[i:k][by_value]
        suffix = np.append(np.cumsum(w_ho[by_value][::-1])[::-1], 0.0)
        recent = None
        if p.recent_days > 0:
            r0 = int(np.searchsorted(t, split - p.recent_days * DAY_S, side="left"))
            if r0 < i and float(w[r0:i].sum()) > 0 and risen(usage, r0, i, p.recent_rise, order):
                rc, rx, _ = cost_candidates(cpu[r0:i], w[r0:i], p.q_lo, p.q_hi)
                recent = (rc, rx, _weight_above(ho_v, suffix, np.maximum(rc, p.cpu_floor)))
        base = (_KRR.cpu_request_before(inputs, split, i, order), vpa_at[at])
        # a baseline that leaves CPU alone keeps the current request (none: all above);
        # every request is scored as applied, at least the guardrails' floor
        requests = [_as_applied(r, inputs, p.cpu_floor) for r in base]
        above = [
            float(suffix[0]) if r is None else float(_weight_above(ho_v, suffix, np.array([r]))[0])
            for r in requests
        ]
        applied = _weight_above(ho_v, suffix, np.maximum(cand, p.cpu_floor))
        rows.append((cand, exceed, applied, float(w_ho.sum()), above))
        recents.append(recent)
    if not rows:
        return None
    decision = (0.0, 0.0)
    if p.decision_risk:
        decision = _vpa_at_decision(inputs, p.cpu_floor, vpa_at[-1])
    cands, exceeds, aboves, weights, baseline = zip(*rows, strict=True)
    floors = None
    if any(r is not None for r in recents):
        rc, rx, ra = (np.stack(col) for col in zip(*[r or _NEVER for r in recents], strict=True))
        floors = (rc, rx, ra)
    return _Folds(
        np.stack(cands),
        np.stack(exceeds),
        np.stack(aboves),
        np.array(weights),
        np.array(baseline),
        floors,
        decision,
    )


#: how many standard errors above the held-out share vpa's share at the decision must be
#: to count: of two noisy estimates of one risk, the larger is biased high by the noise
#: alone (on fleets of six containers, enough to leave tacos dominated by vpa)
DECISION_RISK_SIGMAS = 2.0
#: fewer containers give no usable spread to judge that by (a handful of misses each)
DECISION_RISK_MIN_CONTAINERS = 30


def _vpa_share_at_decision(fitted: Sequence[_Folds], vpa: int) -> float:
    """vpa's risk from both estimates: the mean of its pooled held-out share and its
    pooled share of the windows' usage above the requests it makes at the decision,
    where the latter is significantly the higher; else 0 (the held-out share stands).

    Significance by the containers' spread (a ratio estimator's linearised variance):
    the difference must be ``DECISION_RISK_SIGMAS`` standard errors above zero, so a
    small fleet's noise does not move the target, while a fleet decided just after a
    weekend, whose vpa requests miss the weekdays everywhere, does.
    """
    if len(fitted) < DECISION_RISK_MIN_CONTAINERS:
        return 0.0
    now_above = np.array([f.decision[0] for f in fitted])
    now_weight = np.array([f.decision[1] for f in fitted])
    held_above = np.array([float(f.baseline_above[:, vpa].sum()) for f in fitted])
    held_weight = np.array([float(f.held_weight.sum()) for f in fitted])
    now_total, held_total = float(now_weight.sum()), float(held_weight.sum())
    if now_total <= 0 or held_total <= 0:
        return 0.0
    now = float(now_above.sum()) / now_total
    held = float(held_above.sum()) / held_total
    z = (now_above - now * now_weight) / now_total - (held_above - held * held_weight) / held_total
    n = z.size
    error = float(np.sqrt(n / (n - 1) * float((z * z).sum())))
    return (now + held) / 2.0 if now - held > DECISION_RISK_SIGMAS * error else 0.0


def _vpa_at_decision(
    inputs: ContainerInputs, floor: float, raw: float | None
) -> tuple[float, float]:
    """The window's usage weight above the CPU request vpa makes at the decision, ``raw``
    (as applied: at least ``floor``; none at all: every sample above), and the window's
    weight; weighted by pods, as next week's samples will be. ``raw``: vpa's request on
    the whole window, which the folds computed with theirs
    (``VpaStrategy.cpu_requests_before``)."""
    usage = inputs.usage
    request = _as_applied(raw, inputs, floor)
    total = float(usage.weights.sum())
    if request is None:
        return total, total
    return float(usage.weights[usage.cpu > request].sum()), total


def calibrate_price_holdout(
    fleet: Sequence[ContainerInputs],
    half_life_hours: float,
    q_lo: float,
    q_hi: float,
    factor: float,
    horizon_days: float,
    holdout_days: float,
    min_fit_days: float,
    folds: int = 1,
    fleet_map: FleetMap = serial_map,
    recent_days: float = 0.0,
    recent_rise: float = -1.0,
    cpu_floor: float = 0.0,
    decision_risk: bool = False,
    max_rows: int = 0,
    cap: float = 0.0,
) -> FleetPrice | None:
    """The price calibrated out of sample: fit on the window's earlier part, score the rest.

    Each container's window is split ``holdout_days`` before its end. The rule's
    candidate requests are computed on the earlier part exactly as they will be on the
    whole window (recency weights, drift spread), and krr-simple and vpa propose from
    the same earlier part; all are then scored on the held-out days, pooled over the
    fleet as the replay pools them. The price is the smallest whose held-out pooled
    under-provisioned share is at most ``factor x`` the lower baseline's held-out share.
    This measures each fleet's real prediction error (drift, level shifts, bursts that
    do not repeat) instead of assuming a fixed margin on in-sample shares, and it
    compares like with like: the baselines are scored on the same unseen days. None
    when no container has ``min_fit_days`` of history before the split and samples
    after it (the caller then falls back to the in-sample calibration). ``max_rows``
    (0: no limit): where the fleet's held-out container-days would be more, each
    container holds out only some of its days (``folds_each``, ``spread_folds``).
    """
    each = folds_each(len(fleet), folds, max_rows)
    params = _HoldoutParams(
        half_life_hours,
        q_lo,
        q_hi,
        horizon_days,
        holdout_days,
        min_fit_days,
        folds,
        recent_days,
        recent_rise,
        cpu_floor,
        decision_risk,
        each,
        cap,
    )
    fitted = [f for f in fleet_map(partial(holdout_folds, p=params), fleet) if f is not None]
    if not fitted:
        return None
    c = np.vstack([f.candidates for f in fitted])
    a = np.vstack([f.held_above for f in fitted])
    fit_exceed = np.vstack([f.fit_exceed for f in fitted])
    volume = float(sum(w for f in fitted for w in f.held_weight.tolist()))
    base_above = np.vstack([f.baseline_above for f in fitted]).sum(axis=0)
    rows = np.arange(c.shape[0])
    shares = base_above / volume  # krr-simple's, vpa's
    vpa_at_decision = 0.0
    if decision_risk:
        vpa = _BASELINES.index(_VPA)
        vpa_at_decision = _vpa_share_at_decision(fitted, vpa)
        shares[vpa] = max(shares[vpa], vpa_at_decision)
    baseline = float(shares.min())
    target = factor * baseline

    # with ``recent_days`` each request is the larger of the window's and the last days'
    # cost-optimal one, as ``propose`` applies them; the weight above the larger is the
    # smaller of the two weights above (a fold without recent samples: the window's alone)
    recent = None
    if recent_days > 0:
        recent = [
            np.vstack(
                [
                    f.recent[j] if f.recent else np.broadcast_to(_NEVER[j], f.candidates.shape)
                    for f in fitted
                ]
            )
            for j in range(3)
        ]

    def pooled(price: float, low: Chosen | None, high: Chosen | None) -> tuple[float, Chosen]:
        window = cheapest(c, fit_exceed, price, _nth(low, 0), _nth(high, 0))
        above = a[rows, window]
        if recent is None:
            return float(above.sum() / volume), (window,)
        rc, rx, ra = recent
        recent_level = cheapest(rc, rx, price, _nth(low, 1), _nth(high, 1))
        above = np.minimum(above, ra[rows, recent_level])
        return float(above.sum() / volume), (window, recent_level)

    price, share = _bisect(pooled, target)
    return FleetPrice(price, target, share, baseline, len(fitted), folds, vpa_at_decision, each)


def calibrate_price(
    fleet: Sequence[ContainerInputs],
    half_life_hours: float,
    q_lo: float,
    q_hi: float,
    factor: float,
    horizon_days: float = 0.0,
    cpu_floor: float = 0.0,
    cap: float = 0.0,
) -> FleetPrice | None:
    """The fleet's common starvation price; None when no container has usage to go on.
    Requests are scored as applied, at least ``cpu_floor`` (the guardrails' floor);
    ``cap``: each container's ``max_under_share`` (``capped``)."""
    baselines = _BASELINES
    cands: list[FloatArray] = []
    exceeds: list[FloatArray] = []
    risks: list[FloatArray] = []  # the exceedance of each candidate as applied (floored)
    volume: list[float] = []
    base_under = np.zeros(len(baselines))
    for inputs in fleet:
        usage = inputs.usage
        if usage.times_s.size == 0 or float(usage.weights.sum()) <= 0:
            continue
        w = usage.weights * recency_weights(usage.times_s, inputs.end_s, half_life_hours * 3600.0)
        if float(w.sum()) <= 0:
            continue
        values, wp = predictive_sample(usage.times_s, usage.cpu, w, inputs.end_s, horizon_days)
        own_cap = under_cap(inputs.annotations, cap)
        cand, exceed = capped(*cost_candidates(values, wp, q_lo, q_hi)[:2], own_cap)
        cands.append(cand)
        exceeds.append(exceed)
        floored = cand < cpu_floor
        at_floor = exceed_share(values, wp, cpu_floor) if floored.any() else 0.0
        risks.append(np.where(floored, at_floor, exceed))
        pods = float(usage.weights.sum())  # what the next week's samples will weigh
        volume.append(pods)
        for j, base in enumerate(baselines):
            r = _baseline_cpu(base, inputs, cpu_floor)
            under = 1.0 if r is None else exceed_share(usage.cpu, w, r)
            base_under[j] += pods * under
    if not cands:
        return None
    total = float(sum(volume))
    c = np.vstack(cands)
    e = np.vstack(exceeds)
    risk = np.vstack(risks)
    vol = np.asarray(volume) / total
    baseline = float(base_under.min() / total)
    target = factor * baseline

    def pooled(price: float, low: Chosen | None, high: Chosen | None) -> tuple[float, Chosen]:
        best = cheapest(c, e, price, _nth(low, 0), _nth(high, 0))
        return float((vol * risk[np.arange(e.shape[0]), best]).sum()), (best,)

    price, share = _bisect(pooled, target)
    return FleetPrice(price, target, share, baseline, len(cands))
