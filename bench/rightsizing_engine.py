"""Benchmark the pure engine: N containers x D days of 5-minute samples.

Default: 10,000 containers x 14 days = 40.3 million samples (CPU and memory),
generated in batches so that the benchmark's own data never dominates memory.
With ``--fleet`` (what the weekly job runs) each batch is one fleet: ``recommend_fleet``
calibrates the default strategy's starvation price over the batch, then recommends.
``--workers N`` runs the per-container work on N processes (``rightsizing.parallel``:
workers forked per map, reading the batch from memory shared copy-on-write).
Prints wall time of the engine alone (generation excluded), per-container cost,
and peak resident memory of the process (and of its largest worker). Bounded: one pass.

    .venv/bin/python bench/rightsizing_engine.py [--containers 10000] [--days 14] \
        [--strategy tacos] [--fleet] [--workers 2] [--setting KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from functools import partial

import numpy as np

from rightsizing import ContainerInputs, Recommendation, Resources, UsageHistory, recommend
from rightsizing.fleet import recommend_fleet
from rightsizing.parallel import FleetMap, default_workers, process_map
from rightsizing.strategies import Strategy, make_strategy

STEP = 300.0
GIB = 2.0**30


def _batch(rng: np.random.Generator, t: np.ndarray, first: int, k: int) -> list[ContainerInputs]:
    n = t.size
    level = np.exp(rng.uniform(np.log(0.02), np.log(2.0), (k, 1)))
    cpu = level * np.clip(rng.normal(1.0, 0.2, (k, n)), 0.05, None)
    mem = (np.exp(rng.uniform(np.log(0.1), np.log(4.0), (k, 1))) * GIB) * (
        1 + 0.02 * rng.standard_normal((k, n))
    )
    return [
        ContainerInputs(
            key=f"c{first + i}",
            usage=UsageHistory.from_samples(t, cpu[i], mem[i]),
            current=Resources(float(level[i, 0]) * 2, None, 4 * GIB, 4 * GIB),
        )
        for i in range(k)
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--containers", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--strategy", default="tacos")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fleet", action="store_true", help="recommend_fleet per batch")
    ap.add_argument("--workers", type=int, default=1, help="engine processes (0: one per CPU)")
    ap.add_argument("--setting", action="append", default=[], help="strategy KEY=VALUE")
    args = ap.parse_args()
    if any("=" not in item for item in args.setting):
        ap.error("--setting: expected KEY=VALUE (a setting of --strategy)")
    strategy = make_strategy(args.strategy, dict(item.split("=", 1) for item in args.setting))
    if not 1 <= args.containers <= 100_000 or not 1 <= args.days <= 60:
        raise SystemExit("containers must be 1..100000 and days 1..60")
    n = int(args.days * 86400 / STEP)
    t = 1_704_067_200.0 + np.arange(n) * STEP
    rng = np.random.default_rng(args.seed)
    workers = default_workers() if args.workers <= 0 else args.workers
    engine_s = engine_cpu_s = 0.0
    calibration_s: list[float] = []  # per batch, with --fleet
    outcomes: dict[str, int] = {}
    done = 0
    wall0 = time.perf_counter()
    with process_map(workers) as fleet_map:
        while done < args.containers:
            batch = _batch(rng, t, done, min(args.batch, args.containers - done))
            start, start_cpu = time.perf_counter(), time.process_time()
            results = _run(batch, strategy, args.fleet, fleet_map, calibration_s)
            engine_s += time.perf_counter() - start
            engine_cpu_s += time.process_time() - start_cpu
            for out in results:
                label = "recommendation" if isinstance(out, Recommendation) else out.reason.value
                outcomes[label] = outcomes.get(label, 0) + 1
            done += len(batch)
    wall = time.perf_counter() - wall0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    samples = args.containers * n
    print(
        f"strategy            {args.strategy}{' (fleet per batch)' if args.fleet else ''}"
        + (f", {' '.join(args.setting)}" if args.setting else "")
    )
    print(f"containers          {args.containers}")
    print(f"samples             {samples:,} ({n} per container, CPU and memory each)")
    print(f"workers             {workers}")
    per_container_ms = engine_s / args.containers * 1e3
    print(f"engine wall time    {engine_s:.2f} s ({per_container_ms:.3f} ms/container)")
    if calibration_s:
        calibrating = sum(calibration_s)
        print(
            f"  of which           calibration {calibrating:.2f} s, "
            f"recommendations {engine_s - calibrating:.2f} s"
        )
    print(f"engine CPU time     {engine_cpu_s:.2f} s in this process (workers' not counted)")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average        {load} on {os.cpu_count()} cores")
    print(f"throughput          {samples / engine_s / 1e6:.1f} M samples/s")
    print(f"total wall time     {wall:.2f} s (including data generation)")
    print(f"peak RSS            {peak_mib:.0f} MiB (batch of {args.batch} containers in memory)")
    if workers > 1:
        print(f"peak RSS of a worker {worker_mib:.0f} MiB (shared pages counted in both)")
    print(f"outcomes            {outcomes}")


def _run(
    batch: list[ContainerInputs],
    strategy: Strategy,
    fleet: bool,
    fleet_map: FleetMap,
    calibration_s: list[float],
) -> list:  # type: ignore[type-arg]
    """The batch's outcomes; with ``fleet``, the calibration's wall time is appended to
    ``calibration_s`` (heard when ``recommend_fleet`` has the calibrated strategy)."""
    if fleet:
        start = time.perf_counter()

        def calibrated(_: Strategy) -> None:
            calibration_s.append(time.perf_counter() - start)

        return recommend_fleet(batch, strategy, fleet_map=fleet_map, on_calibrated=calibrated)
    return fleet_map(partial(recommend, strategy=strategy), batch)


if __name__ == "__main__":
    main()
