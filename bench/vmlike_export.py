"""Write a VM-like usage export: an independent check of the replay's verdicts.

Why: every other fleet the default was measured on comes from
``rightsizing/evaluation`` (the design families and the prod-like fleets), which were
written alongside the strategy. This generator was written later, apart from them,
after public VM traces' general shape (Azure, Bitbrains: 5-minute CPU of machines of
1 to 32 cores, most of them lightly used, a daily cycle with a weekend dip on many,
some flat, bursty, batch-like or idle; memory a steady share of the machine, a few
growing), so that a replay on it says something about data no setting was chosen on.

    .venv/bin/python -m bench.vmlike_export --machines 800 --days 30 --seed 1 out.csv.gz
    .venv/bin/finops rightsizing evaluate --csv out.csv.gz

Writes ``series_id,timestamp_s,cpu_cores,memory_bytes`` (gzipped when the name ends in
``.gz``). Bounded: machines x days x 288 rows.
"""

from __future__ import annotations

import argparse
import gzip
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

STEP_S = 300.0
GIB = 2.0**30
FloatArray = NDArray[np.float64]


def machine_usage(
    rng: np.random.Generator, t: FloatArray, start_s: float
) -> tuple[FloatArray, FloatArray]:
    """One machine's CPU cores and memory bytes at times ``t``."""
    n = t.size
    hour = ((t - start_s) / 3600.0) % 24
    weekday = ((t // 86400) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    weekend = (weekday >= 5).astype(np.float64)
    cores = float(rng.choice([1, 2, 4, 8, 16, 32], p=[0.25, 0.3, 0.2, 0.15, 0.07, 0.03]))
    kind = rng.choice(["diurnal", "flat", "bursty", "batch", "idle"], p=[0.4, 0.2, 0.15, 0.1, 0.15])
    base = rng.beta(1.2, 6) * cores
    cpu: NDArray[np.floating[Any]]
    if kind == "diurnal":
        amp, phase = rng.uniform(0.3, 1.5), rng.uniform(0, 24)
        shape = 1 + amp * np.clip(np.sin(2 * np.pi * (hour - phase) / 24), -0.8, 1)
        shape *= 1 - rng.uniform(0, 0.6) * weekend
        cpu = base * shape * np.exp(rng.normal(0, 0.15, n))
    elif kind == "flat":
        cpu = base * np.exp(rng.normal(0, 0.05, n))
    elif kind == "bursty":
        bursts = rng.random(n) < rng.uniform(0.005, 0.05)
        cpu = base * 0.3 * np.exp(rng.normal(0, 0.3, n)) + bursts * rng.uniform(0.5, 1, n) * cores
    elif kind == "batch":
        period = int(rng.choice([12, 24, 48, 288]))
        on = (np.arange(n) % period) < max(1, int(period * rng.uniform(0.05, 0.4)))
        cpu = base * 0.1 + on * rng.uniform(0.3, 0.9) * cores * np.exp(rng.normal(0, 0.1, n))
    else:
        cpu = 0.01 * cores * np.exp(rng.normal(0, 0.5, n))
    if rng.random() < 0.2:  # a level change somewhere after the first quarter
        cpu[int(rng.integers(n // 4, n)) :] *= rng.uniform(0.5, 2.0)
    cores_used: FloatArray = np.clip(cpu, 0.0, cores).astype(np.float64)
    size = cores * rng.uniform(1, 8) * GIB
    memory = size * rng.uniform(0.2, 0.9) * (1 + 0.02 * rng.standard_normal(n))
    if rng.random() < 0.1:  # a slow leak
        memory *= np.linspace(1, rng.uniform(1.1, 1.6), n)
    return cores_used, np.clip(memory, 0.0, size).astype(np.float64)


def write_export(out: TextIO, machines: int, days: float, seed: int, offset_h: float) -> int:
    """The rows written; machine ``i`` is series ``vm<i>``."""
    rng = np.random.default_rng(seed)
    start = 1_699_920_000.0 + offset_h * 3600.0  # a Tuesday, 00:00 UTC, plus the offset
    t = (start + np.arange(int(days * 86400 / STEP_S)) * STEP_S).astype(np.float64)
    out.write("series_id,timestamp_s,cpu_cores,memory_bytes\n")
    for i in range(machines):
        cpu, memory = machine_usage(rng, t, start)
        rows = zip(t, cpu, memory, strict=True)
        out.write("".join(f"vm{i},{a:.0f},{b:.5f},{c:.0f}\n" for a, b, c in rows))
    return machines * t.size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="file to write (.gz: gzipped)")
    ap.add_argument("--machines", type=int, default=800)
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offset-hours", type=float, default=0.0, help="shift the start")
    args = ap.parse_args()
    if not 1 <= args.machines <= 20_000 or not 1 <= args.days <= 90:
        ap.error("machines must be 1..20000 and days 1..90")
    opener = gzip.open if args.out.endswith(".gz") else open
    with opener(args.out, "wt") as out:
        rows = write_export(out, args.machines, args.days, args.seed, args.offset_hours)
    print(f"{args.out}: {rows:,} rows, {args.machines} machines x {args.days:g} days")


if __name__ == "__main__":
    main()
