"""Build engine inputs from hourly rollups (what the database stores per container).

The database path loads each container's hours as ``HourlyColumns`` and calls
``inputs_from_columns``, which also takes a list of ``HourlyUsage`` objects
(``inputs_from_hourly`` is the same function). Besides the usage points it derives what the rollups carry:

* OOM kills: one ``OomEvent`` per kill, at the hour's middle, at the container's memory
  limit when it is known (that is what the kill hit), else at the hour's memory max;
* restarts: summed; throttling: the sample-weighted mean of the hours that have it;
* replicas: the hourly average pod count, with the hours missing from the window
  (zero replicas: no rows) filled as zero, so savings and zero-replica share see them;
* the history starts at the window start, or later when the workload was first seen
  later (a workload created three days ago has three days of history, not eleven
  days at zero replicas). The first usage hour counts as a sighting, so a late first
  inventory never hides usage that is already stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.inputs import (
    Autoscaler,
    ContainerInputs,
    HourlyColumns,
    HourlyUsage,
    OomEvent,
    QuotaContext,
    ReplicaHistory,
    Resources,
    UnitPrices,
    UsageHistory,
)

HOUR = 3600.0


def _check_counts(cols: HourlyColumns) -> None:
    negative = (cols.oom_kills < 0) | (cols.restarts < 0) | (cols.samples < 0) | (cols.pods < 0)
    bad = np.flatnonzero(negative)
    if bad.size:
        raise InvalidInputError(f"hour {cols.hour_start_s[bad[0]]:.0f}: negative counts")
    ratio = cols.throttled_ratio
    bad = np.flatnonzero(~np.isnan(ratio) & ((ratio < 0.0) | (ratio > 1.0)))
    if bad.size:
        raise InvalidInputError(
            f"hour {cols.hour_start_s[bad[0]]:.0f}: throttled_ratio outside [0, 1]"
        )


def inputs_from_columns(
    key: str,
    hours: HourlyColumns | Sequence[HourlyUsage],
    window_start_s: float,
    window_end_s: float,
    *,
    current: Resources | None = None,
    autoscaler: Autoscaler | None = None,
    annotations: Mapping[str, str] | None = None,
    prices: UnitPrices | None = None,
    quota: QuotaContext | None = None,
    first_seen_s: float | None = None,
) -> ContainerInputs:
    """One container's engine inputs from its hours in ``[window_start_s, window_end_s)``
    (columns, or ``HourlyUsage`` objects in any order)."""
    if window_end_s <= window_start_s:
        raise InvalidInputError("window end must be after its start")
    cols = hours if isinstance(hours, HourlyColumns) else HourlyColumns.from_rows(hours)
    inside = cols.between(window_start_s, window_end_s)
    _check_counts(inside)
    current = current or Resources()
    start = window_start_s
    if first_seen_s is not None:
        seen = min(first_seen_s, float(inside.hour_start_s[0])) if len(inside) else first_seen_s
        start = min(max(window_start_s, seen), window_end_s - HOUR)
    kills = inside.oom_kills.astype(np.int64)
    at = np.repeat(inside.hour_start_s + HOUR / 2, kills)
    hit = (
        np.full(at.size, current.memory_limit)
        if current.memory_limit is not None
        else np.repeat(inside.memory_max, kills)
    )
    ooms = tuple(OomEvent(float(t), float(m)) for t, m in zip(at, hit, strict=True))
    known = ~np.isnan(inside.throttled_ratio)
    weight = float(inside.samples[known].sum())
    ratio = (
        float((inside.throttled_ratio[known] * inside.samples[known]).sum()) / weight
        if weight > 0
        else None
    )
    n_hours = int(np.ceil((window_end_s - start) / HOUR))
    grid = start + np.arange(n_hours, dtype=np.float64) * HOUR
    replicas = np.zeros(n_hours)
    slots = ((inside.hour_start_s - start) // HOUR).astype(np.int64)
    ok = (slots >= 0) & (slots < n_hours)
    replicas[slots[ok]] = inside.pods[ok]
    return ContainerInputs(
        key=key,
        usage=UsageHistory.from_columns(inside),
        current=current,
        replicas=ReplicaHistory(grid, replicas),
        autoscaler=autoscaler,
        oom_events=ooms,
        restarts=int(inside.restarts.sum()),
        throttled_ratio=ratio,
        annotations=dict(annotations or {}),
        prices=prices or UnitPrices(),
        quota=quota,
        now_s=window_end_s,
        start_s=start,
    )


inputs_from_hourly = inputs_from_columns
"""The name the engine's API had before columns; the same function."""
