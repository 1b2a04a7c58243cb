"""Benchmark: the overview page and the allocation API under 32 concurrent clients.

One year of data for 1,000 workloads on PostgreSQL: seeds a private database (the
allocation write path, ``allocate_day`` + ``store_day`` for each day, with the day's
bill also stored as Cost Explorer lines), creates a viewer token, starts the real
app (auth on, ``--workers`` uvicorn processes, one per core by default, as
``finops serve --workers``) on 127.0.0.1, times one uncached request per endpoint,
lets every worker compute its views in a short untimed run, then loads each endpoint
with ``--clients`` concurrent keep-alive connections for ``--seconds``, the trivial
``/healthz`` of the same app first as the floor. Prints p50/p95/max, errors and
throughput, then drops the database.

Usage: .venv/bin/python -m bench.dashboard_load [--workloads 1000] [--days 365]
       [--clients 32] [--seconds 15] [--workers N] [--client wrk|python]
       [--keep | --database-url URL]

The load comes from wrk (Debian package ``wrk``) when it is installed: a C client
takes little of the two shared cores, so the figures are the server's. Without it,
Python threads are used and say so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
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

WRK_SCRIPT = """
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50),
    latency:percentile(95), latency.max, summary.duration))
end
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


def run_threads(
    base: str, path: str, token: str | None, clients: int, seconds: float
) -> dict[str, float]:
    """Fallback client when wrk is missing: Python threads (the GIL makes this client
    itself a bottleneck at 32 clients on 2 cores, so its figures are pessimistic)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=120, headers=headers) as c:
            while time.perf_counter() < deadline:
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


def run_wrk(
    base: str, path: str, token: str | None, clients: int, seconds: float
) -> dict[str, float]:
    """wrk (C, epoll, keep-alive): two client threads, ``clients`` connections. The
    token goes through the environment, never the command line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{clients}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "30s",
                "-s",
                script,
                base + path,
            ],
            env={**os.environ, "BENCH_TOKEN": token or ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    n, sock_err, status_err, p50, p95, mx, dur_us = (int(x) for x in line.split()[1:])
    return {
        "n": n,
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "max": mx / 1000,
        "errors": sock_err + status_err,
        "rps": n / (dur_us / 1e6),
    }


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "FINOPS_DATABASE_URL": url, "FINOPS_SCHEDULER_ENABLED": "false"}
    env.pop("FINOPS_CONFIG", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.web.asgi:create",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 30 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=15, help="per endpoint")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes"
    )
    ap.add_argument(
        "--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python"
    )
    ap.add_argument("--database-url", help="reuse a database seeded by an earlier --keep run")
    ap.add_argument("--keep", action="store_true", help="keep the seeded database, print its URL")
    args = ap.parse_args()
    last = datetime.now(UTC).date() - timedelta(days=1)
    name: str | None = None
    if args.database_url:
        url = args.database_url
        engine = make_engine(url)
        with transaction(make_session_factory(engine)) as s:
            token = create_token(s, Role.VIEWER, "bench").raw
        engine.dispose()
    else:
        url, name = create_pg_database()
    server: subprocess.Popen[bytes] | None = None
    try:
        if name is not None:
            seconds, token = seed(url, args.workloads, args.days, last)
            print(f"seeded {args.workloads} workloads x {args.days} days in {seconds:.1f} s")
        server, base = start_server(url, args.workers)
        targets = [
            ("floor: GET /healthz", "/healthz", None),
            ("overview page, 30 days", "/?window=30d", token),
            (
                "allocation API, 30 days by service",
                "/api/v1/allocation?window=30d&aggregate=service",
                token,
            ),
        ]
        auth = {"Authorization": f"Bearer {token}"}
        cold: dict[str, float] = {}
        sizes: dict[str, int] = {}
        with httpx.Client(base_url=base, timeout=120, headers=auth) as c:
            for label, path, _t in targets[1:]:
                t0 = time.perf_counter()
                r = c.get(path)
                cold[label] = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
                sizes[label] = len(r.content)
        runner = run_wrk if args.client == "wrk" else run_threads
        # Each worker process has its own caches: a short untimed run under the same
        # load lets every one of them compute its views once (the "first" column).
        for label, path, tok in targets[1:]:
            runner(base, path, tok, args.clients, 2 + 2 * cold[label] / 1000)
        print(
            f"\n{args.clients} clients ({args.client}) x {args.seconds:.0f} s per endpoint, "
            f"{args.workers} uvicorn worker(s), {os.cpu_count()} cores shared with the client\n"
        )
        print(
            "| endpoint | requests | p50 ms | p95 ms | max ms | errors | req/s | answer kB "
            "| first (uncached) ms |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for label, path, tok in targets:
            r = runner(base, path, tok, args.clients, args.seconds)
            first = f"{cold[label]:.0f}" if label in cold else "—"
            size = f"{sizes[label] / 1000:.0f}" if label in sizes else "—"
            print(
                f"| {label} | {r['n']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} "
                f"| {r['errors']:.0f} | {r['rps']:.1f} | {size} | {first} |"
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
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if name is not None:
            if args.keep:
                print(f"\nkept the database: --database-url {url}")
            else:
                drop_pg_database(name)


if __name__ == "__main__":
    main()
