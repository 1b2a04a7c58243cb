"""How sure we are, as a number in [0, 1] with the reasoning in the weights.

* history: 14 days or more is full credit (two weekly cycles seen);
* data: 2,016 points (7 days of 5-minute samples) is full credit;
* stability: the day-to-day variation of the daily CPU p95; a workload whose
  daily peaks move by half their size is hard to predict;
* an autoscaler reshapes per-pod usage as it scales, so it costs 0.1.
"""

from __future__ import annotations

import numpy as np

from rightsizing.inputs import ContainerInputs
from rightsizing.quantiles import FloatArray
from rightsizing.strategies.base import DAY_S


def daily_cpu_p95(inputs: ContainerInputs) -> FloatArray:
    """Weighted p95 of CPU per day of history, with one sort for all days."""
    usage = inputs.usage
    if usage.times_s.size == 0:
        return np.empty(0)
    per_day = round(DAY_S / usage.resolution_s)
    n = usage.times_s.size
    if (
        per_day > 0
        and n % per_day == 0
        and np.all(usage.weights == usage.weights[0])
        and usage.times_s[-1] - usage.times_s[0] == (n - 1) * usage.resolution_s
    ):
        # regular grid of whole days (the common case): one partition for all days
        k = int(np.ceil(0.95 * per_day)) - 1
        grid: FloatArray = np.partition(usage.cpu.reshape(-1, per_day), k, axis=1)[:, k]
        return grid
    day = np.floor((usage.times_s - usage.times_s[0]) / DAY_S)
    # one sort by (day, cpu): cpu is non-negative, so day x (max + 1) + cpu orders both
    order = np.argsort(day * (float(usage.cpu.max()) + 1.0) + usage.cpu)
    d = day[order]
    w = usage.weights[order]
    cum = np.cumsum(w)
    starts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
    ends = np.r_[starts[1:], d.size]
    before = np.r_[0.0, cum[ends[:-1] - 1]]
    totals = cum[ends - 1] - before
    ok = totals > 0
    # position of the first sample whose cumulative weight in its day reaches 95%
    target = before + 0.95 * totals
    idx = np.searchsorted(cum, target, side="left")
    idx = np.clip(idx, starts, ends - 1)
    out: FloatArray = usage.cpu[order][idx][ok]
    return out


def confidence(inputs: ContainerInputs) -> float:
    usage = inputs.usage
    history = min(usage.span_s / DAY_S / 14.0, 1.0)
    data = min(usage.points / 2016.0, 1.0)
    daily = daily_cpu_p95(inputs)
    if daily.size >= 2 and daily.mean() > 0:
        cv = float(daily.std() / daily.mean())
        stability = max(0.0, 1.0 - 2.0 * cv)
    else:
        stability = 0.0
    score = 0.4 * history + 0.2 * data + 0.4 * stability
    if inputs.autoscaler is not None:
        score -= 0.1
    return round(float(min(max(score, 0.0), 1.0)), 3)
