"""The Prometheus usage collector: hourly usage per workload container.

For each namespace and each chunk of the window it sends six range queries (CPU
rate, memory peak, throttled and total CFS periods, restarts, OOM flag) and one
series-index lookup for pod ownership, then rolls the per-pod 5-minute samples
up in numpy. A 14-day window of 1,000 workloads costs a few dozen requests, where
tools that query per workload send thousands.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from collectors.prometheus.client import PrometheusClient
from collectors.prometheus.combine import combine
from collectors.prometheus.connection import PrometheusConnection
from collectors.prometheus.errors import PrometheusError
from collectors.prometheus.ownership import OwnerIndex
from collectors.prometheus.queries import UsageQueries
from collectors.prometheus.rollup import NamespaceSamples, rollup
from collectors.records import Batch, ContainerUsageHour, TimeWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrometheusUsageSource:
    """What to collect from one cluster's Prometheus.

    ``namespaces`` empty means every namespace (one query set for all of them).
    ``chunk`` bounds each query's time span (and so the size of each answer);
    ``max_window`` is the largest window the scheduler should hand to one run,
    so a backfill commits in pieces and can resume. ``concurrency`` bounds the
    queries in flight at once (1 = strictly sequential).
    """

    connection: PrometheusConnection
    cluster: str
    namespaces: tuple[str, ...] = ()
    step: timedelta = timedelta(minutes=5)
    chunk: timedelta = timedelta(days=1)
    max_window: timedelta = timedelta(days=1)
    extra_owner_kinds: frozenset[str] = field(default_factory=frozenset)
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= 8:
            raise ValueError("concurrency must be in 1..8")
        step_s = self.step.total_seconds()
        if step_s <= 0 or 3600 % step_s != 0:
            raise ValueError("step must divide one hour (e.g. 1m, 5m, 15m)")
        if self.chunk < timedelta(hours=1) or self.chunk.total_seconds() % 3600:
            raise ValueError("chunk must be a whole number of hours")
        if not self.cluster:
            raise ValueError("cluster name must not be empty")


class PrometheusCollector:
    """Implements the ``Collector`` protocol for Prometheus usage."""

    source = "prometheus"

    def __init__(self, config: PrometheusUsageSource, client: PrometheusClient | None = None):
        self.config = config
        self.client = client or PrometheusClient(config.connection)
        self._left_open: bool | None = None

    @property
    def max_window(self) -> timedelta:
        return self.config.max_window

    def collect(self, window: TimeWindow) -> Batch:
        """Every complete hour of ``window``; the window must start and end on whole hours."""
        for edge in (window.start, window.end):
            if edge.minute or edge.second or edge.microsecond:
                raise ValueError(
                    f"Prometheus windows must start and end on whole hours, got {edge}"
                )
        before = self.client.requests_made
        batch = Batch()
        namespaces: list[str | None] = list(self.config.namespaces) or [None]
        try:
            left_open = self._range_semantics()
            for chunk in window.split(self.config.chunk):
                for namespace in namespaces:
                    batch.usage.extend(self._collect_chunk(namespace, chunk, left_open))
        except PrometheusError:
            log.error(
                "prometheus collection failed for %s [%s, %s)",
                self.config.cluster,
                window.start,
                window.end,
            )
            raise
        finally:
            batch.requests_made = self.client.requests_made - before
        log.info(
            "prometheus: %d container-hours for %s [%s, %s) in %d requests",
            len(batch.usage),
            self.config.cluster,
            window.start,
            window.end,
            batch.requests_made,
        )
        return batch

    def _range_semantics(self) -> bool:
        if self._left_open is None:
            version = self.client.build_version()
            major = version.split(".", 1)[0]
            self._left_open = major.isdigit() and int(major) >= 3
        return self._left_open

    def _collect_chunk(
        self, namespace: str | None, chunk: TimeWindow, left_open: bool
    ) -> list[ContainerUsageHour]:
        step_s = int(self.config.step.total_seconds())
        conn = self.config.connection
        q = UsageQueries(namespace, conn.cluster_label, self.config.cluster, step_s, left_open)
        first, last = chunk.start + self.config.step, chunk.end
        first_hour = chunk.start + timedelta(hours=1)
        step, hour = self.config.step, timedelta(hours=1)
        # Up to `concurrency` queries in flight: our JSON decoding overlaps the
        # server's evaluation, and Prometheus never sees more than that many at once.
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            qr = self.client.query_range
            futures = {
                "cpu": pool.submit(qr, q.cpu(), first, last, step),
                "memory": pool.submit(qr, q.memory(), first, last, step),
                "throttled": pool.submit(qr, q.throttled(), first_hour, last, hour),
                "periods": pool.submit(qr, q.periods(), first_hour, last, hour),
                "restarts": pool.submit(qr, q.restarts(), first_hour, last, hour),
                "oom_flag": pool.submit(qr, q.oom_flag(), first_hour, last, hour),
            }
            owners_future = pool.submit(
                self.client.series, q.owner_matchers(), chunk.start, chunk.end
            )
            # .result() re-raises the first failure; the pool waits for the rest.
            results = {k: f.result() for k, f in futures.items()}
            owners = owners_future.result()
        results["cpu"] = combine(results["cpu"], "sum")
        results["memory"] = combine(results["memory"], "max")
        samples = NamespaceSamples(**results)
        out: list[ContainerUsageHour] = []
        # Without a namespace filter, ownership and rollup still go per namespace.
        by_ns: dict[str, NamespaceSamples] = {}
        for attr in ("cpu", "memory", "throttled", "periods", "restarts", "oom_flag"):
            for s in getattr(samples, attr):
                ns = s.labels.get("namespace", namespace or "")
                getattr(by_ns.setdefault(ns, NamespaceSamples([], [])), attr).append(s)
        for ns, ns_samples in sorted(by_ns.items()):
            index = OwnerIndex.from_series(
                (o for o in owners if o.get("namespace") == ns), self.config.extra_owner_kinds
            )
            out.extend(
                rollup(
                    self.config.cluster,
                    ns,
                    ns_samples,
                    partial(index.workload_of, ns),
                    step_s,
                    chunk.hours(),
                )
            )
        return out
