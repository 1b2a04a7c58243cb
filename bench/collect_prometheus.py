"""Benchmark: hourly usage for 1,000 workloads x 1-3 replicas x 14 days at 1-minute
scrapes, collected from a real Prometheus.

Prints wall time, number of HTTP requests, this process's peak memory, and the
Prometheus server's own CPU seconds during the collection (read from /proc).
The TSDB is generated once (OpenMetrics -> ``promtool tsdb create-blocks-from
openmetrics``, one day at a time) and cached in ``--data-dir``; generation runs
in a child process so it does not count toward our peak memory.

    .venv/bin/python bench/collect_prometheus.py [--workloads 1000] [--days 14]

Data, the issue's scale (1,000 workloads x 14 days, about 2,600 pods and 160 million
samples): namespaces bench-00..09, Deployment wl-NNNN with replicas 1 + N % 3 (2,000
pods at any moment); 3 workloads in 10 roll out a new ReplicaSet once, at a time of
their own, so their pods are replaced (2,600 pods over 14 days); one container each;
CPU counter, memory working set and the two CFS period counters every 60 s;
kube_pod_owner / kube_replicaset_owner every 5 min. The collector runs as the
scheduler would: one window per day (its ``max_window``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OMEGA = 2 * math.pi / 86400


DATA_VERSION = 2
"""Bumped whenever the generated data changes, so a cached TSDB is regenerated."""
PERIODS_PER_S = 10.0  # CFS periods of 100 ms


@dataclass(frozen=True)
class Pod:
    workload: int
    namespace: str
    replicaset: str
    name: str
    start: int  # unix seconds, first sample
    end: int  # unix seconds, no sample at or after


def _rollout_at(i: int, days: int) -> int | None:
    """When workload ``i`` rolls out a new ReplicaSet (3 in 10 do, once), else None."""
    if i % 10 >= 3 or days < 3:
        return None
    span = (days - 2) * 86400
    return int(T0.timestamp()) + 86400 + ((i * 7919 * 60) % span)


def _pods(workloads: int, days: int = 14) -> list[Pod]:
    """Every pod with its lifetime: replicas 1 + i % 3; a rolled-out workload's pods are
    replaced by a new ReplicaSet's at its rollout time (2,000 pods at any moment, about
    2,600 over the window for 1,000 workloads)."""
    t0 = int(T0.timestamp())
    t_end = t0 + days * 86400 + 1
    out = []
    for i in range(workloads):
        ns = f"bench-{i % 10:02d}"
        roll = _rollout_at(i, days)
        sets = [(f"wl-{i:04d}-5d8f7b", t0, roll or t_end)]
        if roll is not None:
            sets.append((f"wl-{i:04d}-7c9e2a", roll, t_end))
        for rs, start, end in sets:
            for k in range(1 + i % 3):
                out.append(Pod(i, ns, rs, f"{rs}-{k:05d}", start, end))
    return out


def _write_series(f: Any, name: str, labels: str, values: Any, stamps: list[str], fmt: str) -> None:
    pre = f"{name}{labels} "
    f.write("".join(f"{pre}{v:{fmt}} {t}\n" for v, t in zip(values.tolist(), stamps, strict=True)))


def generate(data_dir: Path, workloads: int, days: int, scrape_s: int) -> None:
    import numpy as np

    from tests.support.prometheus_server import create_blocks

    pods = _pods(workloads, days)
    t0 = int(T0.timestamp())
    data_dir.mkdir(parents=True, exist_ok=True)
    for day in range(days):
        started = time.monotonic()
        om = data_dir / f"day-{day:02d}.om"
        day_ts = np.arange(t0 + day * 86400, t0 + (day + 1) * 86400, scrape_s, dtype=np.int64)
        if day == days - 1:  # close the last interval
            day_ts = np.append(day_ts, t0 + days * 86400)
        ksm_every = max(1, 300 // scrape_s)
        live = [(p, (day_ts >= p.start) & (day_ts < p.end)) for p in pods]
        live = [(p, m) for p, m in live if m.any()]
        with om.open("w") as f:
            f.write("# TYPE container_cpu_usage_seconds_total gauge\n")
            for p, m in live:
                ts = day_ts[m]
                rate = 0.05 + (p.workload % 50) / 100
                x, xs = (ts - t0).astype(np.float64), float(p.start - t0)
                i = p.workload
                counter = rate * (x - xs) - 0.5 * rate / OMEGA * (
                    np.cos(OMEGA * x + i) - math.cos(OMEGA * xs + i)
                )
                labels = f'{{namespace="{p.namespace}",pod="{p.name}",container="app"}}'
                _write_series(
                    f, "container_cpu_usage_seconds_total", labels, counter,
                    [str(t) for t in ts.tolist()], ".4f",
                )  # fmt: skip
            f.write("# TYPE container_memory_working_set_bytes gauge\n")
            for p, m in live:
                ts = day_ts[m]
                base = (128 + (p.workload % 20) * 32) * 2**20
                x = (ts - t0).astype(np.float64)
                mem = np.floor(base * (1 + 0.1 * np.sin(OMEGA * x + p.workload)))
                labels = f'{{namespace="{p.namespace}",pod="{p.name}",container="app"}}'
                _write_series(
                    f, "container_memory_working_set_bytes", labels, mem,
                    [str(t) for t in ts.tolist()], ".0f",
                )  # fmt: skip
            # CFS counters: 10 periods a second, 0-4.5% of them throttled
            for metric, share in (
                ("container_cpu_cfs_periods_total", None),
                ("container_cpu_cfs_throttled_periods_total", True),
            ):
                f.write(f"# TYPE {metric} gauge\n")
                for p, m in live:
                    ts = day_ts[m]
                    periods = (ts - p.start).astype(np.float64) * PERIODS_PER_S
                    if share:
                        periods = np.floor(periods * (p.workload % 10) * 0.005)
                    labels = f'{{namespace="{p.namespace}",pod="{p.name}",container="app"}}'
                    _write_series(f, metric, labels, periods, [str(t) for t in ts.tolist()], ".0f")
            f.write("# TYPE kube_pod_owner gauge\n")
            for p, m in live:
                ts = day_ts[m][::ksm_every]
                pre = (
                    f'kube_pod_owner{{namespace="{p.namespace}",pod="{p.name}",'
                    f'owner_kind="ReplicaSet",owner_name="{p.replicaset}",'
                    'owner_is_controller="true"} 1 '
                )
                f.write("".join(f"{pre}{t}\n" for t in ts.tolist()))
            f.write("# TYPE kube_replicaset_owner gauge\n")
            for ns, rs, wl in sorted({(p.namespace, p.replicaset, p.workload) for p, _ in live}):
                pre = (
                    f'kube_replicaset_owner{{namespace="{ns}",replicaset="{rs}",'
                    f'owner_kind="Deployment",owner_name="wl-{wl:04d}",'
                    'owner_is_controller="true"} 1 '
                )
                f.write("".join(f"{pre}{t}\n" for t in day_ts[::ksm_every].tolist()))
            f.write("# EOF\n")
        written = time.monotonic()
        create_blocks(om, data_dir, max_block_duration="24h")
        om.unlink()
        print(
            f"  day {day + 1}/{days}: text {written - started:.0f}s, promtool "
            f"{time.monotonic() - written:.0f}s",
            flush=True,
        )


def samples_in(workloads: int, days: int, scrape_s: int) -> int:
    """The samples the generated TSDB holds (usage and owner series)."""
    t0 = int(T0.timestamp())
    end = t0 + days * 86400
    total = 0
    for p in _pods(workloads, days):
        n = (min(p.end, end + 1) - p.start + scrape_s - 1) // scrape_s
        total += 4 * n + (n + 4) // 5
    return total


def collect(url: str, days: int, workloads: int, concurrency: int) -> dict[str, float]:
    from collectors.prometheus import (
        PrometheusCollector,
        PrometheusConnection,
        PrometheusUsageSource,
    )
    from collectors.records import TimeWindow

    source = PrometheusUsageSource(
        PrometheusConnection(url, timeout=300), cluster="bench", concurrency=concurrency
    )
    collector = PrometheusCollector(source)
    rows = requests = 0
    workload_names: set[str] = set()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    window = TimeWindow(T0, T0 + timedelta(days=days))
    for part in window.split(collector.max_window):
        batch = collector.collect(part)  # the ingest would write and drop each batch
        rows += len(batch.usage)
        requests += batch.requests_made
        workload_names.update(u.workload for u in batch.usage)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    our_cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    expected = workloads * 24 * days
    if rows != expected or len(workload_names) != workloads:
        raise SystemExit(
            f"wrong result: {rows} rows for {len(workload_names)} workloads, expected {expected}"
        )
    return {
        "wall_s": wall,
        "requests": requests,
        "rows": rows,
        "our_cpu_s": our_cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def per_workload_baseline(url: str, days: int, workloads: int, sample: int) -> dict[str, float]:
    """The per-workload query pattern of tools like KRR, on a sample of workloads:
    find the ReplicaSets, find the pods, then the CPU p95, memory max and data-point
    count over the whole period via subqueries, one set of queries per workload."""
    from collectors.prometheus import PrometheusClient, PrometheusConnection

    client = PrometheusClient(PrometheusConnection(url, timeout=300))
    at = T0 + timedelta(days=days)
    step = max(1, workloads // sample)
    picked = list(range(0, workloads, step))[:sample]
    started = time.monotonic()
    for i in picked:
        ns, wl = f"bench-{i % 10:02d}", f"wl-{i:04d}"
        rss = client.query(f'kube_replicaset_owner{{namespace="{ns}", owner_name="{wl}"}}', at)
        rs_re = "|".join(lbl["replicaset"] for lbl, _ in rss)
        pods = client.query(f'kube_pod_owner{{namespace="{ns}", owner_name=~"{rs_re}"}}', at)
        pod_re = "|".join(lbl["pod"] for lbl, _ in pods)
        sel = f'{{namespace="{ns}", pod=~"{pod_re}", container="app"}}'
        rng = f"[{days}d:1m]"
        client.query(
            "quantile_over_time(0.95, max by (container, pod) "
            f"(rate(container_cpu_usage_seconds_total{sel}[5m])){rng})",
            at,
        )
        client.query(
            "max_over_time(max by (container, pod) "
            f"(container_memory_working_set_bytes{sel}){rng})",
            at,
        )
        client.query(
            "count_over_time(max by (container, pod) "
            f"(container_cpu_usage_seconds_total{sel}){rng})",
            at,
        )
    return {
        "wall_s": time.monotonic() - started,
        "requests": client.requests_made,
        "n": len(picked),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", type=int, default=1000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--scrape-seconds", type=int, default=60)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/finops-bench-prometheus"))
    parser.add_argument(
        "--baseline-sample",
        type=int,
        default=0,
        help="also time the per-workload (KRR-like) query pattern on this many workloads",
    )
    parser.add_argument("--concurrency", type=int, default=1, help="queries in flight")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    key = {
        "workloads": args.workloads,
        "days": args.days,
        "scrape": args.scrape_seconds,
        "v": DATA_VERSION,
    }
    manifest = args.data_dir / "bench.json"

    if args.generate_only:
        generate(args.data_dir, args.workloads, args.days, args.scrape_seconds)
        manifest.write_text(json.dumps(key))
        return

    if not manifest.exists() or json.loads(manifest.read_text()) != key:
        import shutil

        shutil.rmtree(args.data_dir, ignore_errors=True)
        args.data_dir.mkdir(parents=True)
        pods = len(_pods(args.workloads, args.days))
        print(
            f"generating {args.workloads} workloads / {pods} pods x {args.days} days "
            f"(cached in {args.data_dir})"
        )
        started = time.monotonic()
        subprocess.run([sys.executable, __file__, "--generate-only", *sys.argv[1:]], check=True)
        print(f"generated in {time.monotonic() - started:.0f}s")

    from tests.support.prometheus_server import PrometheusServer

    server = PrometheusServer(
        args.data_dir,
        extra_args=["--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"],
    )
    try:
        time.sleep(5)  # let startup work (block loading, head init) finish
        cpu_before = server.cpu_seconds()
        result = collect(server.url, args.days, args.workloads, args.concurrency)
        result["prometheus_cpu_s"] = server.cpu_seconds() - cpu_before
        if args.baseline_sample:
            cpu_before = server.cpu_seconds()
            base = per_workload_baseline(
                server.url, args.days, args.workloads, args.baseline_sample
            )
            base["prometheus_cpu_s"] = server.cpu_seconds() - cpu_before
    finally:
        server.stop()
    pods = len(_pods(args.workloads, args.days))
    samples = samples_in(args.workloads, args.days, args.scrape_seconds)
    print(
        f"workloads={args.workloads} pods={pods} samples={samples / 1e6:.0f}M "
        f"days={args.days} scrape={args.scrape_seconds}s "
        f"concurrency={args.concurrency}\n"
        f"wall time        {result['wall_s']:.1f} s\n"
        f"HTTP requests    {result['requests']:.0f}\n"
        f"rows             {result['rows']:.0f} container-hours\n"
        f"our peak RSS     {result['peak_rss_mib']:.0f} MiB\n"
        f"our CPU          {result['our_cpu_s']:.1f} s\n"
        f"Prometheus CPU   {result['prometheus_cpu_s']:.1f} s"
    )
    if args.baseline_sample:
        scale = args.workloads / base["n"]
        print(
            f"per-workload pattern on {base['n']:.0f} workloads (x{scale:.0f} for all):\n"
            f"  wall time      {base['wall_s']:.1f} s (~{base['wall_s'] * scale:.0f} s)\n"
            f"  HTTP requests  {base['requests']:.0f} (~{base['requests'] * scale:.0f})\n"
            f"  Prometheus CPU {base['prometheus_cpu_s']:.1f} s "
            f"(~{base['prometheus_cpu_s'] * scale:.0f} s)"
        )


if __name__ == "__main__":
    main()
