"""Benchmark: ``allocate_days`` end to end (load, compute, store) on PostgreSQL.

Ingests N workloads' hourly usage, nodes and a bill for D days through the real
ingest path into a private database, then times ``allocate_days`` over those days
(the scheduled job's work) and a recompute of the same days (idempotent replace).
Usage: .venv/bin/python -m bench.allocation_days [--workloads 1000] [--days 7] [--sqlite]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.allocation.store import allocate_days
from app.db.migrate import upgrade
from app.db.session import make_engine, make_session_factory
from app.ingest import run_collector
from app.settings import Settings
from bench.allocation_seed import TEAMS, bill, cluster_day, keys
from collectors.records import (
    Batch,
    ContainerSpec,
    ContainerUsageHour,
    CostLine,
    NodeRecord,
    TimeWindow,
    WorkloadRecord,
)
from tests.support.databases import create_pg_database, drop_pg_database


class _Day:
    source = "bench"

    def __init__(self, batch: Batch) -> None:
        self.batch = batch

    def collect(self, window: TimeWindow) -> Batch:
        return self.batch


def day_batch(n: int, day: date, seed: int) -> Batch:
    ci = cluster_day(n, seed)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    ks = keys(n)
    r = ci.rows
    usage = [
        ContainerUsageHour(
            "bench",
            ks[c].namespace,
            "Deployment",
            ks[c].workload,
            "app",
            start + timedelta(hours=int(h)),
            float(u),
            float(u),
            float(u),
            float(u),
            float(u),
            float(u),
            float(m),
            float(m),
            float(m),
            60,
            float(p),
            float(p),
        )
        for c, h, u, m, p in zip(
            r.container, r.hour, r.cpu_usage, r.memory_usage, r.pod_hours, strict=True
        )
    ]
    workloads = [
        WorkloadRecord(
            "bench",
            k.namespace,
            "Deployment",
            k.workload,
            start,
            2,
            labels={"team": TEAMS[i % 5]},
            cost_tags={"service": k.workload, "team": TEAMS[i % 5]},
            containers=(
                ContainerSpec(
                    "app",
                    cpu_request=Decimal(repr(float(r.cpu_request[i * 24]))),
                    memory_request=Decimal(int(r.memory_request[i * 24])),
                ),
            ),
        )
        for i, k in enumerate(ks)
    ]
    n_nodes = int(ci.capacity.cores[0] // 8)
    nodes = [
        NodeRecord(
            "bench",
            f"node-{j}",
            "m6i.2xlarge",
            "on-demand",
            "us-east-1a",
            Decimal(8),
            Decimal(32 * 2**30),
            Decimal("0.384"),
            observed_at=start + timedelta(days=1),
        )
        for j in range(n_nodes)
    ]
    node_cost = Decimal("0.384") * 24 * n_nodes
    costs = [
        CostLine(
            day, "123456789012", b.aws_service, b.tag_key, b.tag_value, "AmortizedCost", b.amount
        )
        for b in bill(n, day, node_cost)
    ]
    return Batch(workloads=workloads, nodes=nodes, usage=usage, costs=costs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--sqlite", action="store_true")
    args = ap.parse_args()
    days = min(args.days, 31)
    name = None
    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        url, name = create_pg_database()
    try:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        first = date(2026, 10, 1)
        t0 = time.perf_counter()
        for d in range(days):
            day = first + timedelta(days=d)
            result = run_collector(
                sessions, _Day(day_batch(args.workloads, day, d % 7)), TimeWindow.of_days(day, day)
            )
            assert result.ok, result.error
        print(
            f"ingested {args.workloads} workloads x {days} days "
            f"({args.workloads * 24 * days:,} usage rows) in {time.perf_counter() - t0:.1f} s"
        )
        last = first + timedelta(days=days - 1)
        for label in ("allocate", "recompute"):
            summary = allocate_days(sessions, Settings(), first, last)
            assert summary.statuses == {"reconciled": days}, summary.statuses
            print(f"{label}: {summary.describe()}; {summary.seconds / days * 1000:.0f} ms per day")
        engine.dispose()
    finally:
        if name:
            drop_pg_database(name)


if __name__ == "__main__":
    main()
