"""Benchmark: allocate 1,000 workloads × 365 days (pure arithmetic, no database).

Prints the time per day and for the year, and checks every day reconciles.
Usage: .venv/bin/python bench/allocation_compute.py [--workloads 1000] [--days 365]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from decimal import Decimal

from app.allocation.daily import allocate_day
from bench.allocation_seed import bill, cluster_day


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    n, days = args.workloads, min(args.days, 3660)
    first = date(2025, 11, 1)
    inputs = [cluster_day(n, seed) for seed in range(7)]  # a week of profiles, reused
    t_total = 0.0
    per_day = []
    for d in range(days):
        day = first + timedelta(days=d)
        ci = inputs[d % 7]
        node_cost = Decimal(str(round(float(ci.capacity.price.sum()), 6)))
        lines = bill(n, day, node_cost)
        t0 = time.perf_counter()
        result = allocate_day(
            day,
            "AmortizedCost",
            lines,
            {"bench": ci},
            cluster_tag_key="eks:cluster-name",
            dimensions={"service": "Service", "team": "Team"},
            ratio=3.0,
        )
        dt = time.perf_counter() - t0
        t_total += dt
        per_day.append(dt)
        assert result.status == "reconciled"
    per_day.sort()
    print(f"workloads={n} days={days} container-hours={n * 24 * days:,}")
    print(
        f"total {t_total:.2f} s; per day p50 {per_day[len(per_day) // 2] * 1000:.1f} ms, "
        f"max {per_day[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
