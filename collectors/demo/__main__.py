"""Print the demo's figures: generation time, record counts, the bill and the stories.

``python -m collectors.demo [--seed N] [--end 2026-03-01T13:00:00+00:00] [--days 30]``
is the benchmark of this source (the lead's ``finops demo`` loads the full window at
start-up) and a quick way to see what the demo contains without a database.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from collectors.demo import DemoCollector, DemoConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collectors.demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=datetime.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    try:
        demo = DemoCollector(seed=args.seed, end=args.end, days=args.days)
    except DemoConfigError as exc:
        parser.error(str(exc))
    sim = demo.simulation()
    t1 = time.perf_counter()
    batch = demo.collect(demo.full_window())
    t2 = time.perf_counter()

    w = demo.full_window()
    print(f"window        {w.start.isoformat()} .. {w.end.isoformat()} ({len(w.hours())} hours)")
    print(f"simulate      {t1 - t0:6.3f} s")
    print(f"records       {t2 - t1:6.3f} s")
    print(f"total         {t2 - t0:6.3f} s")
    print(
        f"rows          {len(batch)}: usage {len(batch.usage)}, costs {len(batch.costs)}, "
        f"nodes {len(batch.nodes)}, workloads {len(batch.workloads)}, "
        f"namespaces {len(batch.namespaces)}, quotas {len(batch.quotas)}"
    )

    bill: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in batch.costs:
        if c.tag_key == "":
            bill[(c.aws_service, c.metric)] += c.amount
    services = sorted({s for s, _ in bill}, key=lambda s: -bill[(s, "AmortizedCost")])
    days = len({c.day for c in batch.costs})
    print(f"bill over {days} days (amortized / unblended, USD)")
    for s in services:
        print(f"  {s:50s} {bill[(s, 'AmortizedCost')]:10.2f} {bill[(s, 'UnblendedCost')]:10.2f}")
    total_a = sum((v for (_, m), v in bill.items() if m == "AmortizedCost"), Decimal(0))
    total_u = sum((v for (_, m), v in bill.items() if m == "UnblendedCost"), Decimal(0))
    print(f"  {'total':50s} {total_a:10.2f} {total_u:10.2f}")

    inv = [u for u in batch.usage if u.workload == "inventory-api"]
    pay = [u for u in batch.usage if u.workload == "payment-sim-api"]
    worker_hours = {u.hour for u in batch.usage if u.workload == "reservation-worker"}
    node_count = sim.replicas["aws-node"][::12]
    print(f"peak traffic  {sim.rps.max():,.0f} requests/s")
    print(f"inventory-api max p95 CPU {max(u.cpu_p95 for u in inv):.3f} cores (request 2)")
    print(
        f"payment-sim-api OOM kills {sum(u.oom_kills for u in pay)} "
        f"in {sum(1 for u in pay if u.oom_kills)} hours"
    )
    print(f"reservation-worker idle hours {len(w.hours()) - len(worker_hours)}")
    print(f"nodes         {node_count.min()}..{node_count.max()} per hour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
