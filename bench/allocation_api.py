"""Benchmark: the allocation API over a 90-day window of 1,000 workloads on PostgreSQL.

Seeds a private PostgreSQL database (the write path: ``allocate_day`` + ``store_day``
for every day), starts the real app under uvicorn on 127.0.0.1, then 16 client threads
ask for the 90-day window grouped by namespace, service, team and workload. Prints
seeding time, p50/p95/max latency and throughput, then drops the database.
Usage: .venv/bin/python -m bench.allocation_api [--workloads 1000] [--days 90]
       [--clients 16] [--requests 25]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import text

from app.allocation.daily import allocate_day
from app.allocation.store import store_day
from app.db.migrate import upgrade
from app.db.models import Cluster, Workload
from app.db.session import make_engine, make_session_factory
from bench.allocation_seed import TEAMS, bill, cluster_day, keys
from tests.support.components import free_port
from tests.support.databases import create_pg_database, drop_pg_database

SERVER = """
import uvicorn
uvicorn.run("bench.allocation_api:make_app", factory=True, host="127.0.0.1", port={port},
            workers={workers}, log_level="warning", access_log=False)
"""


def make_app() -> object:
    """The app as ``finops serve`` builds it, for uvicorn's factory mode (one per worker)."""
    from app.context import AppContext
    from app.settings import load_settings
    from app.web.app import create_app

    return create_app(AppContext.create(load_settings()))


def seed(url: str, n: int, days: int, first: date) -> float:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    with sessions() as s, s.begin():
        cluster = Cluster(name="bench")
        s.add(cluster)
        s.flush()
        for i, k in enumerate(keys(n)):
            s.add(
                Workload(
                    cluster_id=cluster.id,
                    namespace=k.namespace,
                    kind=k.kind,
                    name=k.workload,
                    replicas=2,
                    labels={"app.kubernetes.io/name": k.workload, "team": TEAMS[i % 5]},
                    annotations={},
                    cost_tags={"service": k.workload, "team": TEAMS[i % 5]},
                    autoscalers=[],
                    first_seen=now,
                    last_seen=now,
                )
            )
    profiles = [cluster_day(n, seed) for seed in range(7)]
    for d in range(days):
        day = first + timedelta(days=d)
        ci = profiles[d % 7]
        node_cost = Decimal(str(round(float(ci.capacity.price.sum()), 6)))
        result = allocate_day(
            day,
            "AmortizedCost",
            bill(n, day, node_cost),
            {"bench": ci},
            cluster_tag_key="eks:cluster-name",
            dimensions={"service": "Service", "team": "Team"},
            ratio=3.0,
        )
        with sessions() as s, s.begin():
            store_day(s, result)
    # Steady state: autovacuum analyses a table that grows daily; a fresh one has no stats.
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=25, help="per client")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = ap.parse_args()
    first = date(2026, 8, 1)
    window = f"{first}T00:00:00Z,{first + timedelta(days=args.days)}T00:00:00Z"
    url, name = create_pg_database()
    server: subprocess.Popen[bytes] | None = None
    try:
        seconds = seed(url, args.workloads, args.days, first)
        print(f"seeded {args.workloads} workloads x {args.days} days in {seconds:.1f} s")
        port = free_port()
        env = {
            **os.environ,
            "FINOPS_DATABASE_URL": url,
            "FINOPS_SCHEDULER_ENABLED": "false",
            "FINOPS_AUTH__ENABLED": "false",  # measures the allocation path, as before auth
            "PYTHONPATH": os.getcwd(),
        }
        env.pop("FINOPS_CONFIG", None)
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER.format(port=port, workers=args.workers)], env=env
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        aggregates = ["namespace", "service", "team", "workload"]
        with httpx.Client(base_url=base, timeout=60) as c:  # warm-up, one of each
            for a in aggregates:
                r = c.get("/api/v1/allocation", params={"window": window, "aggregate": a})
                assert r.status_code == 200, r.text
                assert r.json()["steps"][0]["reconciliation"]["status"] == "reconciled"
        latencies: list[float] = []
        by_aggregate: dict[str, list[float]] = {a: [] for a in aggregates}
        sizes: dict[str, int] = {}
        lock = threading.Lock()

        def client(k: int) -> None:
            mine: list[tuple[str, float]] = []
            with httpx.Client(base_url=base, timeout=60) as c:
                for i in range(args.requests):
                    a = aggregates[(k + i) % len(aggregates)]
                    t0 = time.perf_counter()
                    r = c.get("/api/v1/allocation", params={"window": window, "aggregate": a})
                    mine.append((a, time.perf_counter() - t0))
                    assert r.status_code == 200
                    sizes[a] = len(r.content)
            with lock:
                latencies.extend(t for _a, t in mine)
                for a, t in mine:
                    by_aggregate[a].append(t)

        def floor(k: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    c.get("/healthz")
                    with lock:
                        healthz.append(time.perf_counter() - t0)

        healthz: list[float] = []
        threads = [threading.Thread(target=floor, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        healthz.sort()
        print(
            f"floor: GET /healthz, same clients: p50 {healthz[len(healthz) // 2] * 1000:.0f} ms, "
            f"p95 {healthz[int(0.95 * len(healthz))] * 1000:.0f} ms"
        )
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        print(
            f"{len(latencies)} requests, {args.clients} clients, window {args.days} days: "
            f"p50 {p(0.50):.0f} ms, p95 {p(0.95):.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
            f"mean {statistics.mean(latencies) * 1000:.0f} ms, {len(latencies) / wall:.1f} req/s"
        )
        for a, ts in by_aggregate.items():
            ts.sort()
            print(
                f"  aggregate={a}: {len(ts)} requests, response {sizes[a] / 1000:.0f} kB, "
                f"p50 {ts[len(ts) // 2] * 1000:.0f} ms, p95 {ts[int(0.95 * len(ts))] * 1000:.0f} ms"
            )
        cold = []
        with httpx.Client(base_url=base, timeout=60) as c:  # distinct windows: never cached
            for i in range(8):
                w = f"{first + timedelta(days=i + 1)}T00:00:00Z,{first + timedelta(days=args.days)}T00:00:00Z"
                t0 = time.perf_counter()
                r = c.get("/api/v1/allocation", params={"window": w, "aggregate": "namespace"})
                cold.append(time.perf_counter() - t0)
                assert r.headers["X-Cache"] == "miss"
        cold.sort()
        print(
            f"uncached (one client, new window each time, aggregate=namespace): "
            f"p50 {cold[len(cold) // 2] * 1000:.0f} ms, max {cold[-1] * 1000:.0f} ms"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        drop_pg_database(name)


if __name__ == "__main__":
    main()
