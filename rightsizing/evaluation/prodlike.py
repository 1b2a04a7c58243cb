"""Held-out generated fleets that look like production traces, not like our families.

Made *after* the default strategy was designed, to check that it was not tuned to
``families``: real clusters differ from the design families in ways that matter to
a fleet-calibrated rule, so these fleets have

* container sizes log-normal over 3-4 orders of magnitude (median 80 millicores,
  from 1 millicore to 24 cores);
* many near-idle containers (30%: a few millicores with rare heavy-tailed spikes);
* bursty CPU with Pareto-sized bursts, cron jobs every 1-24 h, web services with a
  daily cycle and a weekend dip, workers whose level moves at each deploy;
* noise that shrinks with size (a big service aggregates many requests);
* windows that start mid-week and mid-day, and young containers with only 9-14 days.

``prod-a``: 21 days from a Thursday 14:30, 3%/day level drift, 20% young containers.
``prod-b``: 15 days from a Wednesday 09:10, 6%/day drift, 35% young containers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.inputs import SAMPLE_SECONDS, Resources
from rightsizing.quantiles import FloatArray

PROD_FLEETS = ("prod-a", "prod-b")
DAY = 86400.0
MIB = 2.0**20
KINDS = ("idle", "web", "bursty", "cron", "worker")
KIND_SHARES = (0.3, 0.3, 0.2, 0.1, 0.1)
# (start, days, drift per day, share of young containers, rng stream)
_FLEETS = {
    "prod-a": (1_704_378_600.0, 21, 0.03, 0.20, 9001),  # Thu 2024-01-04 14:30 UTC
    "prod-b": (1_704_273_000.0, 15, 0.06, 0.35, 9002),  # Wed 2024-01-03 09:10 UTC
}


def _walk(rng: np.random.Generator, t: FloatArray, sd: float) -> FloatArray:
    days = int(np.ceil((t[-1] - t[0]) / DAY)) + 2
    walk = np.exp(np.cumsum(rng.normal(0.0, sd, days)))
    out: FloatArray = np.interp((t - t[0]) / DAY, np.arange(days, dtype=np.float64), walk)
    return out


def _cpu(rng: np.random.Generator, kind: str, t: FloatArray, drift_sd: float) -> FloatArray:
    n = t.size
    level = float(np.clip(np.exp(rng.normal(np.log(0.08), 1.6)), 0.001, 24.0))
    weekday = ((t // DAY) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    hour = (t % DAY) / 3600.0
    weekend = np.where(weekday < 5, 1.0, rng.uniform(0.4, 0.9))
    drift = _walk(rng, t, drift_sd)
    cv = float(np.clip(0.5 / np.sqrt(1.0 + 10.0 * level), 0.03, 0.6))
    noise = np.clip(1.0 + rng.normal(0.0, cv, n), 0.02, None)
    if kind == "idle":
        base = min(level, 0.01) * rng.uniform(0.2, 1.0) * noise * drift
        spikes = rng.random(n) < rng.uniform(0.001, 0.02)
        cpu = np.where(spikes, base * (1.0 + 5.0 * rng.pareto(1.5, n)), base)
    elif kind == "web":
        shape = 1.0 + rng.uniform(0.2, 0.8) * np.sin(2 * np.pi * (hour - rng.uniform(5, 14)) / 24)
        cpu = level * drift * shape * weekend * noise
        cpu = np.where(rng.random(n) < 0.003, cpu * rng.uniform(1.5, 3.0, n), cpu)
    elif kind == "bursty":
        base = level * drift * noise
        starts = rng.random(n) < rng.uniform(0.005, 0.05)
        burst = np.convolve(starts.astype(np.float64), np.ones(int(rng.integers(1, 6))), "same")
        mult = np.minimum(1.0 + rng.pareto(1.2, n) * rng.uniform(1, 4), 40.0)
        cpu = np.where(burst > 0, base * mult, base)
    elif kind == "cron":
        every = float(rng.choice([1.0, 2.0, 6.0, 24.0])) * 3600.0
        active = ((t + rng.uniform(0, every)) % every) < rng.uniform(3, 40) * 60.0
        cpu = np.where(active, level * rng.uniform(2, 6) * noise * drift, 0.01 * level * noise)
    else:  # worker: each deploy moves the level
        mult = np.ones(n)
        k = 0
        while k < n:
            step = int(rng.uniform(1, 8) * DAY / SAMPLE_SECONDS)
            mult[k : k + step] = rng.uniform(0.7, 1.4)
            k += step
        cpu = level * mult * drift * noise
    out: FloatArray = np.maximum(cpu, 1e-4)
    return out


def generate_prodlike(
    name: str,
    seed: int,
    count: int = 80,
    start_offset_days: int = 0,
    days: int | None = None,
) -> list[ReplaySeries]:
    """``count`` containers of the prod-like fleet ``name`` (one pod each, 5-minute samples).

    ``start_offset_days`` starts the trace that many days later (0-6), so that the
    replay's weekly decisions fall on another day of the week: the same containers and
    draws, with the weekend dip at another point of each window. Why: a calibration
    that looks at the last days of the window can behave differently after a weekend.
    ``days`` makes the trace that long instead of the fleet's own length (a replay with
    14-day windows needs more than prod-b's 15 days to decide more than once).
    """
    if name not in _FLEETS:
        raise InvalidInputError(f"unknown fleet {name!r}; choose one of {', '.join(PROD_FLEETS)}")
    if count < 1:
        raise InvalidInputError("count must be positive")
    if not 0 <= start_offset_days <= 6:
        raise InvalidInputError("start_offset_days must be 0-6 (a weekday)")
    if days is not None and not 2 <= days <= 365:
        raise InvalidInputError("days must be 2-365")
    t0, own_days, drift_sd, young, stream = _FLEETS[name]
    days = own_days if days is None else days
    t0 += start_offset_days * DAY
    rng = np.random.default_rng([seed, stream])
    full = t0 + np.arange(int(days * DAY / SAMPLE_SECONDS), dtype=np.float64) * SAMPLE_SECONDS
    out = []
    for i in range(count):
        t = full
        if rng.random() < young:  # deployed during the trace: only the last 9-14 days
            t = full[max(full.size - int(rng.uniform(9, 14) * DAY / SAMPLE_SECONDS), 0) :]
        kind = str(rng.choice(KINDS, p=KIND_SHARES))
        cpu = _cpu(rng, kind, t, drift_sd)
        mem_base = float(np.exp(rng.uniform(np.log(16 * MIB), np.log(8192 * MIB))))
        memory = mem_base * (0.95 + 0.05 * _walk(rng, t, 0.02))
        memory = memory * np.clip(1.0 + rng.normal(0.0, 0.02, t.size), 0.5, None)
        if kind == "web":
            memory = memory * np.clip(0.9 + 0.1 * cpu / max(float(cpu.mean()), 1e-9), 0.8, 1.3)
        typical = max(float(np.median(cpu)), float(cpu.mean()))
        request = max(typical * float(np.exp(rng.uniform(np.log(1.2), np.log(5.0)))), 0.005)
        peak = float(memory.max())
        current = Resources(
            request, None, peak * rng.uniform(1.1, 2.0), peak * rng.uniform(2.0, 2.5)
        )
        out.append(ReplaySeries(f"{name}-{seed}-{i}", t, cpu, memory, current, None, None, kind))
    return out


def generate_cluster(
    name: str,
    seeds: range,
    start_offset_days: int = 0,
    days: int | None = None,
    usage_only: bool = True,
) -> list[ReplaySeries]:
    """The seeds of fleet ``name`` as one cluster-sized usage export (80 containers a
    seed): ids made unique per seed, no current requests (unless ``usage_only`` is off), as
    a trace export has none.

    Why one fleet and not pooled seeds: a real export is one cluster, calibrated once
    per weekly round, and the fleet price behaves differently at that size.
    """
    return [
        replace(
            s, series_id=f"{s.series_id}/{seed}", current=Resources() if usage_only else s.current
        )
        for seed in seeds
        for s in generate_prodlike(name, seed, start_offset_days=start_offset_days, days=days)
    ]
