"""Build engine inputs from hourly rollups (what the database stores per container).

The lead's "from the database" path maps each ``ContainerUsageHour`` row onto an
``HourlyUsage`` (same field names; ``hour`` becomes ``hour_start_s``) and calls
``inputs_from_hourly``. Besides the usage points it derives what the rollups carry:

* OOM kills: one ``OomEvent`` per kill, at the hour's middle, at the hour's memory
  max (the best estimate of the limit it hit);
* restarts: summed; throttling: the sample-weighted mean of the hours that have it;
* replicas: the hourly average pod count, with the hours missing from the window
  (zero replicas: no rows) filled as zero, so savings and zero-replica share see them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.inputs import (
    Autoscaler,
    ContainerInputs,
    HourlyUsage,
    OomEvent,
    QuotaContext,
    ReplicaHistory,
    Resources,
    UnitPrices,
    UsageHistory,
)

HOUR = 3600.0


def inputs_from_hourly(
    key: str,
    hours: Sequence[HourlyUsage],
    window_start_s: float,
    window_end_s: float,
    current: Resources | None = None,
    autoscaler: Autoscaler | None = None,
    annotations: Mapping[str, str] | None = None,
    prices: UnitPrices | None = None,
    quota: QuotaContext | None = None,
) -> ContainerInputs:
    if window_end_s <= window_start_s:
        raise InvalidInputError("window end must be after its start")
    inside = [h for h in hours if window_start_s <= h.hour_start_s < window_end_s]
    for h in inside:
        if h.oom_kills < 0 or h.restarts < 0 or h.samples < 0 or h.pods < 0:
            raise InvalidInputError(f"hour {h.hour_start_s:.0f}: negative counts")
        if h.throttled_ratio is not None and not 0.0 <= h.throttled_ratio <= 1.0:
            raise InvalidInputError(f"hour {h.hour_start_s:.0f}: throttled_ratio outside [0, 1]")
    ooms = tuple(
        OomEvent(h.hour_start_s + HOUR / 2, h.memory_max)
        for h in inside
        for _ in range(h.oom_kills)
    )
    throttled = [(h.throttled_ratio, h.samples) for h in inside if h.throttled_ratio is not None]
    weight = sum(s for _, s in throttled)
    ratio = sum(r * s for r, s in throttled) / weight if weight > 0 else None
    n_hours = int(np.ceil((window_end_s - window_start_s) / HOUR))
    grid = window_start_s + np.arange(n_hours, dtype=np.float64) * HOUR
    replicas = np.zeros(n_hours)
    for h in inside:
        replicas[int((h.hour_start_s - window_start_s) // HOUR)] = h.pods
    return ContainerInputs(
        key=key,
        usage=UsageHistory.from_hourly(inside),
        current=current or Resources(),
        replicas=ReplicaHistory(grid, replicas),
        autoscaler=autoscaler,
        oom_events=ooms,
        restarts=sum(h.restarts for h in inside),
        throttled_ratio=ratio,
        annotations=dict(annotations or {}),
        prices=prices or UnitPrices(),
        quota=quota,
        now_s=window_end_s,
        start_s=window_start_s,
    )
