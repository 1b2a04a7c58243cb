"""How sure we are, as a number in [0, 1] with the reasoning in the weights.

* history: 14 days or more is full credit (two weekly cycles seen);
* data: 2,016 points (7 days of 5-minute samples) is full credit;
* stability: the day-to-day variation of the daily CPU p95; a workload whose
  daily peaks move by half their size is hard to predict;
* an autoscaler reshapes per-pod usage as it scales, so it costs 0.1.
"""

from __future__ import annotations

import itertools

import numpy as np

from rightsizing.inputs import ContainerInputs
from rightsizing.quantiles import weighted_quantile
from rightsizing.strategies.base import DAY_S


def daily_cpu_p95(inputs: ContainerInputs) -> list[float]:
    usage = inputs.usage
    if usage.times_s.size == 0:
        return []
    day = np.floor((usage.times_s - usage.times_s[0]) / DAY_S).astype(np.int64)
    out: list[float] = []
    bounds = np.searchsorted(day, np.arange(int(day[-1]) + 2))
    for a, b in itertools.pairwise(bounds):
        if b > a:
            out.append(weighted_quantile(usage.cpu[a:b], usage.weights[a:b], 0.95))
    return out


def confidence(inputs: ContainerInputs) -> float:
    usage = inputs.usage
    history = min(usage.span_s / DAY_S / 14.0, 1.0)
    data = min(usage.points / 2016.0, 1.0)
    daily = np.asarray(daily_cpu_p95(inputs))
    if daily.size >= 2 and daily.mean() > 0:
        cv = float(daily.std() / daily.mean())
        stability = max(0.0, 1.0 - 2.0 * cv)
    else:
        stability = 0.0
    score = 0.4 * history + 0.2 * data + 0.4 * stability
    if inputs.autoscaler is not None:
        score -= 0.1
    return round(float(min(max(score, 0.0), 1.0)), 3)
