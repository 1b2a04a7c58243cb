"""Benchmark: rightsizing end to end from a real Prometheus, cold and warm.

Data: the collector benchmark's TSDB (``bench/collect_prometheus.py``: 1,000
Deployments x 1-3 replicas, 3 in 10 rolling out once: about 2,600 pods and 160 million
samples over 14 days at 1-minute scrapes, the issue's scale), generated once and cached
in ``--data-dir``.

* **cold**: an empty database → migrations → Prometheus usage backfilled day by day
  through the real ingest (``app.backfill``) → the workload inventory from
  kube-state-metrics → the rightsizing job stores its recommendations.
* **warm**: the weekly job on an up-to-date database. The scheduler's collectors
  keep the database current (every 15 minutes by default), so the weekly run only
  catches up the newest hour and then reads the database; it never re-reads 14 days
  of history from Prometheus (the per-workload tools' steady state does).

Prints wall time, Prometheus HTTP requests and Prometheus CPU seconds for each.

    .venv/bin/python bench/rightsizing_end_to_end.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_data(data_dir: Path, workloads: int, days: int) -> None:
    manifest = data_dir / "bench.json"
    from bench.collect_prometheus import DATA_VERSION

    key = {"workloads": workloads, "days": days, "scrape": 60, "v": DATA_VERSION}
    if manifest.exists() and json.loads(manifest.read_text()) == key:
        return
    print("generating the Prometheus data (about 15 minutes on 2 cores)...", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "collect_prometheus.py"),
            "--workloads",
            str(workloads),
            "--days",
            str(days),
            "--data-dir",
            str(data_dir),
            "--generate-only",
        ],
        check=True,
    )


def requests_since(sessions: object, run_id_floor: int) -> int:
    from sqlalchemy import func, select

    from app.db.models import CollectionRun

    with sessions() as s:  # type: ignore[operator]
        return int(
            s.scalar(
                select(func.coalesce(func.sum(CollectionRun.requests_made), 0)).where(
                    CollectionRun.id > run_id_floor
                )
            )
        )


def last_run_id(sessions: object) -> int:
    from sqlalchemy import func, select

    from app.db.models import CollectionRun

    with sessions() as s:  # type: ignore[operator]
        return int(s.scalar(select(func.coalesce(func.max(CollectionRun.id), 0))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", type=int, default=1000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/finops-bench-prometheus"))
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--warm-only",
        action="store_true",
        help="skip the cold run: --database-url already holds a cold run's database",
    )
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("app.recommendations.service").setLevel(logging.INFO)
    ensure_data(args.data_dir, args.workloads, args.days)

    from app.context import AppContext
    from app.recommendations.service import run_recommendations
    from app.scheduling.jobs import catch_up
    from app.settings import load_settings
    from app.sources import build_collectors
    from bench.collect_prometheus import T0
    from tests.support.prometheus_server import PrometheusServer

    tmp = Path(tempfile.mkdtemp(prefix="finops-bench-rs-"))
    db_url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    server = PrometheusServer(
        args.data_dir,
        extra_args=["--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"],
    )
    try:
        time.sleep(5)
        settings = load_settings(
            database_url=db_url,
            clusters=[
                {
                    "name": "bench",
                    "prometheus": {"url": server.url, "timeout_seconds": 300},
                    "kubernetes": {"mode": "prometheus"},
                }
            ],
            aws={"enabled": False},
        )
        ctx = AppContext.create(settings)
        end = T0 + timedelta(days=args.days)
        collectors = {c.source.split(":")[0]: c for c in build_collectors(settings, ctx.sessions)}

        if args.warm_only:
            if args.database_url is None:
                raise SystemExit("--warm-only needs --database-url of a cold run's database")
            cold = None
        else:
            cold = run_cold(ctx, collectors, server, T0, end)
        from sqlalchemy import func, select

        from app.recommendations.models import RecommendationRow, RecommendationRun

        # warm: the database is current up to one hour before the weekly run
        floor = last_run_id(ctx.sessions)
        cpu0, t0 = server.cpu_seconds(), time.monotonic()
        results = catch_up(ctx, collectors["prometheus"], end)  # watermark is at `end`
        run_id = run_recommendations(ctx.sessions, end=end)
        warm = {
            "wall_s": time.monotonic() - t0,
            "requests": requests_since(ctx.sessions, floor),
            "prometheus_cpu_s": server.cpu_seconds() - cpu0,
            "catch_up_windows": len(results),
        }
        with ctx.sessions() as s:
            n_rows = s.scalar(select(func.count()).where(RecommendationRow.run_id == run_id))
            n_ok = s.scalar(
                select(func.count()).where(
                    RecommendationRow.run_id == run_id, RecommendationRow.status == "recommended"
                )
            )
            assert s.get(RecommendationRun, run_id) is not None
        ctx.close()
    finally:
        server.stop()
    print(
        f"workloads={args.workloads} days={args.days} database={db_url.split(':')[0]} "
        f"recommendation rows={n_rows} (recommended: {n_ok})"
    )
    if cold is not None:
        print(
            f"cold: wall {cold['wall_s']:.1f} s (collection {cold['collect_s']:.1f} s), "
            f"{cold['requests']} Prometheus requests, "
            f"Prometheus CPU {cold['prometheus_cpu_s']:.1f} s"
        )
    print(
        f"warm: wall {warm['wall_s']:.1f} s, {warm['requests']} Prometheus requests, "
        f"Prometheus CPU {warm['prometheus_cpu_s']:.1f} s"
    )


def run_cold(
    ctx: Any, collectors: dict[str, Any], server: Any, t_start: datetime, end: datetime
) -> dict[str, float]:
    """An empty database to stored recommendations; returns the cold figures."""
    from app.backfill import backfill
    from app.db.migrate import upgrade
    from app.recommendations.service import run_recommendations
    from collectors.records import TimeWindow

    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    upgrade(ctx.engine)
    report = backfill(
        ctx.sessions, collectors["prometheus"], TimeWindow(t_start, end), timedelta(days=1)
    )
    inv = backfill(
        ctx.sessions, collectors["kubernetes"], TimeWindow(end - timedelta(hours=1), end)
    )
    if report.failed or inv.failed:
        raise SystemExit(f"collection failed: {[r.error for r in report.failed + inv.failed]}")
    t_collect = time.monotonic() - t0
    run_recommendations(ctx.sessions, end=end)
    return {
        "wall_s": time.monotonic() - t0,
        "collect_s": t_collect,
        "requests": requests_since(ctx.sessions, 0),
        "prometheus_cpu_s": server.cpu_seconds() - cpu0,
    }


if __name__ == "__main__":
    main()
