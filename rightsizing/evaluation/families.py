"""Seeded generators of workload families for replay tests and the docs' comparison.

Each family is a shape seen in production, with per-series parameters drawn from
wide ranges so that no single setting of a strategy can be tuned to it:

* ``steady``: a flat level with noise;
* ``diurnal``: a daily sine with weekend dip;
* ``spiky``: a base with short random bursts of 2-5x;
* ``leaking``: memory climbs until a restart (some never restart in the window);
* ``batch``: periodic jobs (every 4-24 h for 20-120 min) over an idle floor;
* ``scale-to-zero``: a KEDA workload that runs on weekday business hours only
  (no samples otherwise: zero replicas are not usage);
* ``hpa``: a diurnal load spread over pods by an HPA on CPU (per-pod usage is
  load / replicas; samples weighted by replicas);
* ``level-shift``: releases every 2-6 days move the level by x0.6-1.6 (CPU, and
  memory a fifth as much). Added *after* the default strategy was chosen, as a
  held-out check that it was not tuned to the other seven.

Every family also carries a slow day-to-day drift of the level (a random walk of
about 4% a day), because production levels drift with traffic and releases.
Current requests are set the way people set them: 1.5-3x the typical usage.
"""

from __future__ import annotations

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.inputs import SAMPLE_SECONDS, Autoscaler, Resources
from rightsizing.quantiles import FloatArray

FAMILIES = (
    "steady",
    "diurnal",
    "spiky",
    "leaking",
    "batch",
    "scale-to-zero",
    "hpa",
    "level-shift",
)
T0 = 1_704_067_200.0  # 2024-01-01T00:00:00Z, a Monday
DAY = 86400.0
MIB = 2.0**20


def _drift(rng: np.random.Generator, t: FloatArray, sd: float = 0.04) -> FloatArray:
    days = int(np.ceil((t[-1] - t[0]) / DAY)) + 2
    walk = np.exp(np.cumsum(rng.normal(0.0, sd, days)))
    x = (t - t[0]) / DAY
    out: FloatArray = np.interp(x, np.arange(days, dtype=np.float64), walk)
    return out


def _noise(rng: np.random.Generator, n: int, cv: float) -> FloatArray:
    out: FloatArray = np.clip(1.0 + rng.normal(0.0, cv, n), 0.05, None)
    return out


def _one(family: str, rng: np.random.Generator, t: FloatArray, sid: str) -> ReplaySeries:
    n = t.size
    level = float(np.exp(rng.uniform(np.log(0.05), np.log(2.0))))
    mem_base = float(np.exp(rng.uniform(np.log(128 * MIB), np.log(4096 * MIB))))
    cv = rng.uniform(0.05, 0.3)
    drift = _drift(rng, t)
    hour = ((t - T0) % DAY) / 3600.0
    weekday = (((t - T0) // DAY) % 7) < 5
    memory = mem_base * (0.97 + 0.03 * drift) * _noise(rng, n, 0.02)
    weights = None
    auto = None
    keep = np.ones(n, dtype=bool)
    if family == "steady":
        cpu = level * drift * _noise(rng, n, cv)
    elif family == "diurnal":
        amp = rng.uniform(0.3, 0.7)
        shape = 1.0 + amp * np.sin(2 * np.pi * (hour - rng.uniform(6, 12)) / 24.0)
        cpu = (
            level
            * drift
            * shape
            * np.where(weekday, 1.0, rng.uniform(0.5, 0.9))
            * _noise(rng, n, cv)
        )
        memory = memory * (0.9 + 0.1 * shape)
    elif family == "spiky":
        cpu = level * drift * _noise(rng, n, cv)
        starts = rng.random(n) < rng.uniform(2, 12) / 288.0
        length = rng.integers(1, 4)
        burst = np.convolve(starts.astype(np.float64), np.ones(length), mode="same") > 0
        cpu = np.where(burst, cpu * rng.uniform(2, 5), cpu)
    elif family == "leaking":
        cpu = level * drift * _noise(rng, n, cv)
        period = rng.uniform(1.5, 4.0) * DAY if rng.random() < 0.7 else 1e12
        since = (t - t[0] + rng.uniform(0, DAY)) % period
        rate = mem_base * rng.uniform(0.2, 0.8) / DAY
        memory = mem_base * _noise(rng, n, 0.02) + rate * np.minimum(since, 10 * DAY) * 0.5
    elif family == "batch":
        every = float(rng.choice([4.0, 6.0, 12.0, 24.0])) * 3600.0
        run = rng.uniform(20, 120) * 60.0
        active = ((t - t[0] + rng.uniform(0, every)) % every) < run
        cpu = np.where(
            active, level * 3 * drift * _noise(rng, n, cv), 0.02 * level * _noise(rng, n, 0.2)
        )
        memory = np.where(active, memory * 2.0, memory)
    elif family == "scale-to-zero":
        keep = weekday & (hour >= 8) & (hour < 20)
        cpu = level * drift * (1 + 0.4 * np.sin(np.pi * (hour - 8) / 12)) * _noise(rng, n, cv)
        auto = Autoscaler("keda", 0, 10)
    elif family == "hpa":
        target, req = 70.0, level * 2.0
        load = (
            level
            * 8
            * drift
            * (1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24.0))
            * _noise(rng, n, 0.05)
        )
        replicas = np.clip(np.ceil(load / (target / 100 * req)), 2, 20)
        cpu = load / replicas * _noise(rng, n, cv)
        weights = replicas
        auto = Autoscaler("hpa", 2, 20, cpu_target_percent=target)
        current = Resources(req, None, mem_base * 1.6, mem_base * 1.6)
    elif family == "level-shift":
        mult = np.ones(n)
        k = 0
        for _ in range(n):
            if k >= n:
                break
            step = int(rng.uniform(2, 6) * DAY / SAMPLE_SECONDS)
            mult[k : k + step] = rng.uniform(0.6, 1.6)
            k += step
        cpu = level * mult * _noise(rng, n, cv)
        memory = memory * (0.8 + 0.2 * mult)
    else:
        raise InvalidInputError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    if family != "hpa":
        typical = max(float(np.median(cpu[keep])), float(np.mean(cpu[keep])))
        factor = rng.uniform(1.5, 3.0)
        current = Resources(
            typical * factor, None, float(memory.max()) * 1.3, float(memory.max()) * 1.3
        )
    return ReplaySeries(
        sid,
        t[keep],
        np.asarray(cpu, dtype=np.float64)[keep],
        np.asarray(memory, dtype=np.float64)[keep],
        current,
        auto,
        None if weights is None else weights[keep],
        family,
    )


def generate(family: str, seed: int, count: int = 6, days: int = 28) -> list[ReplaySeries]:
    """``count`` series of ``family`` over ``days`` days at 5-minute resolution."""
    if family not in FAMILIES:
        raise InvalidInputError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    if count < 1 or days < 1:
        raise InvalidInputError("count and days must be positive")
    rng = np.random.default_rng([seed, FAMILIES.index(family)])
    t = T0 + np.arange(int(days * DAY / SAMPLE_SECONDS), dtype=np.float64) * SAMPLE_SECONDS
    return [_one(family, rng, t, f"{family}-{seed}-{i}") for i in range(count)]
