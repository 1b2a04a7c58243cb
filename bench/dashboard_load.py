"""Benchmark: the overview page and the allocation API under 32 concurrent clients.

One year of data for 1,000 workloads on PostgreSQL: seeds a private database (the
allocation write path, ``allocate_day`` + ``store_day`` for each day, with the day's
bill also stored as Cost Explorer lines), creates a viewer token, starts the real
app (auth on, one uvicorn process) on 127.0.0.1, then runs each endpoint with
``--clients`` threads of ``--requests`` requests, the trivial ``/healthz`` of the
same app first as the floor. Prints p50/p95/max, errors and throughput, then
drops the database.

Usage: .venv/bin/python -m bench.dashboard_load [--workloads 1000] [--days 365]
       [--clients 32] [--requests 15]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import insert, text

from app.allocation.daily import allocate_day
from app.allocation.store import store_day
from app.db.migrate import upgrade
from app.db.models import Cluster, CollectionRun, CostLineRow, Workload
from app.db.session import make_engine, make_session_factory, transaction
from app.web.auth.roles import Role
from app.web.auth.tokens import create_token
from bench.allocation_seed import TEAMS, bill, cluster_day, keys
from tests.support.components import free_port
from tests.support.databases import create_pg_database, drop_pg_database

SERVER = """
import uvicorn
from app.context import AppContext
from app.settings import load_settings
from app.web.app import create_app
ctx = AppContext.create(load_settings())
uvicorn.run(create_app(ctx), host="127.0.0.1", port={port}, log_level="warning", access_log=False)
"""
ACCOUNT = "123456789012"


def seed(url: str, n: int, days: int, last: date) -> tuple[float, str]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    first = last - timedelta(days=days - 1)
    with transaction(sessions) as s:
        cluster = Cluster(name="bench")
        s.add(cluster)
        s.flush()
        s.execute(
            insert(Workload),
            [
                {
                    "cluster_id": cluster.id,
                    "namespace": k.namespace,
                    "kind": k.kind,
                    "name": k.workload,
                    "replicas": 2,
                    "labels": {"app.kubernetes.io/name": k.workload, "team": TEAMS[i % 5]},
                    "annotations": {},
                    "cost_tags": {"service": k.workload, "team": TEAMS[i % 5]},
                    "autoscalers": [],
                    "first_seen": now,
                    "last_seen": now,
                }
                for i, k in enumerate(keys(n))
            ],
        )
        token = create_token(s, Role.VIEWER, "bench").raw
    profiles = [cluster_day(n, seed) for seed in range(7)]
    for d in range(days):
        day = first + timedelta(days=d)
        ci = profiles[d % 7]
        node_cost = Decimal(str(round(float(ci.capacity.price.sum()), 6)))
        lines = bill(n, day, node_cost)
        result = allocate_day(
            day,
            "AmortizedCost",
            lines,
            {"bench": ci},
            cluster_tag_key="eks:cluster-name",
            dimensions={"service": "Service", "team": "Team"},
            ratio=3.0,
        )
        with transaction(sessions) as s:
            store_day(s, result)
            s.execute(
                insert(CostLineRow),
                [
                    {
                        "day": day,
                        "account_id": ACCOUNT,
                        "aws_service": ln.aws_service,
                        "tag_key": ln.tag_key,
                        "tag_value": ln.tag_value,
                        "metric": "AmortizedCost",
                        "amount": ln.amount,
                        "currency": "USD",
                        "estimated": False,
                    }
                    for ln in lines
                ],
            )
    with transaction(sessions) as s:
        start = datetime(last.year, last.month, last.day, tzinfo=UTC)
        s.add(
            CollectionRun(
                source="aws_costs",
                window_start=start,
                window_end=start + timedelta(days=1),
                started_at=now,
                finished_at=now,
                duration_seconds=1.0,
                rows=0,
                requests_made=1,
                status="success",
            )
        )
    with engine.connect() as conn:  # steady state: autovacuum would have analysed
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0, token


def run(
    base: str, path: str, headers: dict[str, str], clients: int, requests: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=120, headers=headers) as c:
            for _ in range(requests):
                t0 = time.perf_counter()
                try:
                    ok = c.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - t0)
                bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()

    def q(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "n": len(latencies),
        "p50": q(0.50),
        "p95": q(0.95),
        "max": latencies[-1] * 1000,
        "errors": errors,
        "rps": len(latencies) / wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=15, help="per client and endpoint")
    args = ap.parse_args()
    last = datetime.now(UTC).date() - timedelta(days=1)
    url, name = create_pg_database()
    server: subprocess.Popen[bytes] | None = None
    try:
        seconds, token = seed(url, args.workloads, args.days, last)
        print(f"seeded {args.workloads} workloads x {args.days} days in {seconds:.1f} s")
        port = free_port()
        env = {**os.environ, "FINOPS_DATABASE_URL": url, "FINOPS_SCHEDULER_ENABLED": "false"}
        env.pop("FINOPS_CONFIG", None)
        server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port)], env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {token}"}
        targets = [
            ("floor: GET /healthz", "/healthz", {}),
            ("overview page, 30 days", "/?window=30d", auth),
            (
                "allocation API, 30 days by service",
                "/api/v1/allocation?window=30d&aggregate=service",
                auth,
            ),
        ]
        with httpx.Client(base_url=base, timeout=120, headers=auth) as c:
            cold = {}
            for label, path, _h in targets[1:]:
                t0 = time.perf_counter()
                r = c.get(path)
                cold[label] = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
        print(
            f"\n{args.clients} clients x {args.requests} requests per endpoint, one uvicorn process\n"
        )
        print(
            "| endpoint | requests | p50 ms | p95 ms | max ms | errors | req/s | first (uncached) ms |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for label, path, headers in targets:
            r = run(base, path, headers, args.clients, args.requests)
            first = f"{cold[label]:.0f}" if label in cold else "—"
            print(
                f"| {label} | {r['n']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} "
                f"| {r['errors']:.0f} | {r['rps']:.1f} | {first} |"
            )
        windows = ["7d", "90d", "mtd", "lastmonth", "365d"]
        cold_pages = []
        with httpx.Client(base_url=base, timeout=120, headers=auth) as c:
            for w in windows:
                t0 = time.perf_counter()
                assert c.get(f"/?window={w}").status_code == 200
                cold_pages.append(((time.perf_counter() - t0) * 1000, w))
        print(
            "\nuncached overview, one client: "
            + ", ".join(f"{w} {ms:.0f} ms" for ms, w in cold_pages)
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        drop_pg_database(name)


if __name__ == "__main__":
    main()
