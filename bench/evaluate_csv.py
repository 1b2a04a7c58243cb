"""Benchmark ``finops rightsizing evaluate --csv`` on a production-sized export.

Writes a gzipped CSV of the held-out prod-like fleets (``prod-a``, 80 containers per
seed, 21 days at 5 minutes: about 425,000 rows per seed) to a temporary directory,
then times, in this process, loading it (``load_usage_csv``) and replaying krr-simple,
vpa and tacos over it (``replay``), with peak resident memory after each step.
Bounded: one pass; the file is deleted at the end.

    .venv/bin/python -m bench.evaluate_csv [--seeds 3]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import tempfile
import time
from pathlib import Path

from rightsizing.evaluation import replay
from rightsizing.evaluation.loader import load_usage_csv
from rightsizing.evaluation.prodlike import generate_prodlike


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, seeds: int) -> int:
    rows = 0
    with gzip.open(path, "wt") as f:
        f.write("series_id,timestamp_s,cpu_cores,memory_bytes\n")
        for seed in range(1, seeds + 1):
            for s in generate_prodlike("prod-a", seed, 80):
                f.writelines(
                    f"{s.series_id}-{seed},{t:.0f},{c:.6f},{m:.0f}\n"
                    for t, c, m in zip(s.times_s, s.cpu, s.memory, strict=True)
                )
                rows += s.times_s.size
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3, help="80 containers per seed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "usage.csv.gz"
        rows = write_csv(path, args.seeds)
        size = path.stat().st_size / 2**20
        print(f"{rows:,} rows, {size:.1f} MiB gzipped; peak so far {peak_mib():.0f} MiB")
        t0 = time.perf_counter()
        loaded = load_usage_csv(path)
        t1 = time.perf_counter()
        print(
            f"load: {t1 - t0:.1f} s ({rows / (t1 - t0) / 1e3:.0f}k rows/s), "
            f"{len(loaded.series)} series; peak {peak_mib():.0f} MiB"
        )
        scores = replay(loaded.series, ["krr-simple", "vpa", "tacos"], include_current=False)
        t2 = time.perf_counter()
        print(f"replay of 3 strategies: {t2 - t1:.1f} s; peak {peak_mib():.0f} MiB")
        for name, score in scores.items():
            print(f"  {name}: slack {score.cpu_slack:.1%} @ under {score.cpu_under_share:.2%}")


if __name__ == "__main__":
    main()
