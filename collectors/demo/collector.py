"""``DemoCollector``: the simulated cluster behind the same interface as the real sources.

The whole span is simulated once, on first use, and cached; ``collect`` only cuts the
window out of it. That is what makes the output independent of how a caller splits
its windows: an hour belongs to the window containing its start, and a day's cost
lines to the window containing the day's end (so windows on midnight boundaries get
exactly their whole days). Snapshot records (namespaces, workloads, quotas, nodes) are
returned with every window that touches the span, stamped with the time they came
into being, so collecting a window twice, or in pieces, upserts the same rows.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from collectors.cost_tags import CostTag, resolve_cost_tags
from collectors.demo import costs
from collectors.demo.errors import DemoConfigError, DemoError
from collectors.demo.simulation import Simulation, simulate
from collectors.demo.topology import (
    DEFAULT_CLUSTER_TAG_KEY,
    DEFAULT_COST_TAGS,
    NAMESPACE_LABELS,
    QUOTAS,
    WORKLOADS,
)
from collectors.demo.traffic import STEPS_PER_HOUR, Timeline
from collectors.records import (
    Batch,
    CostLine,
    NamespaceRecord,
    ResourceQuotaRecord,
    TimeWindow,
    WorkloadRecord,
)

MAX_DAYS = 92
_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,99}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _current_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _check_end(end: datetime | None) -> datetime:
    if end is None:
        return _current_hour()
    if not isinstance(end, datetime):
        raise DemoConfigError(f"end must be a datetime, got {type(end).__name__}")
    if end.tzinfo is None or end.utcoffset() != timedelta(0):
        raise DemoConfigError(f"end must be a timezone-aware UTC datetime, got {end!r}")
    if (end.minute, end.second, end.microsecond) != (0, 0, 0):
        raise DemoConfigError(f"end must be on a whole hour, got {end.isoformat()}")
    return end.astimezone(UTC)


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DemoConfigError(f"{what} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise DemoConfigError(f"{what} must be between {low} and {high}, got {value}")
    return value


def _check_tags(cost_tags: Sequence[CostTag] | None) -> tuple[CostTag, ...]:
    if cost_tags is None:
        return DEFAULT_COST_TAGS
    tags = tuple(cost_tags)
    if not tags or not all(isinstance(t, CostTag) for t in tags):
        raise DemoConfigError("cost_tags must be a non-empty sequence of CostTag")
    names = [t.name for t in tags]
    if len(set(names)) != len(names):
        raise DemoConfigError(f"cost tag names must be unique, got {names}")
    if not all(t.name and t.label and t.aws_tag for t in tags):
        raise DemoConfigError("every cost tag needs a name, a label and an aws_tag")
    return tags


class DemoCollector:
    """A simulated EKS cluster running Traffic Tacos; see the package docstring."""

    source = "demo"

    def __init__(
        self,
        seed: int = 42,
        end: datetime | None = None,
        days: int = 30,
        cluster: str = "tacos-demo",
        account_id: str = "123456789012",
        *,
        cost_tags: Sequence[CostTag] | None = None,
        cluster_tag_key: str = DEFAULT_CLUSTER_TAG_KEY,
    ) -> None:
        self.seed = _check_int(seed, "seed", 0, 2**63 - 1)
        self.days = _check_int(days, "days", 1, MAX_DAYS)
        self.end = _check_end(end)
        if not isinstance(cluster, str) or not _CLUSTER_NAME.fullmatch(cluster):
            raise DemoConfigError(
                f"cluster must be an EKS cluster name (letters, digits, - and _), got {cluster!r}"
            )
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            raise DemoConfigError(f"account_id must be 12 digits, got {account_id!r}")
        if not isinstance(cluster_tag_key, str) or not cluster_tag_key.strip():
            raise DemoConfigError("cluster_tag_key must be a non-empty string")
        self.cluster = cluster
        self.account_id = account_id
        self.cost_tags = _check_tags(cost_tags)
        self.cluster_tag_key = cluster_tag_key
        self.timeline = Timeline.ending_at(self.end, self.days)
        self._simulation: Simulation | None = None
        self._lock = threading.Lock()

    def full_window(self) -> TimeWindow:
        """The window holding every record of the demo."""
        return TimeWindow(self.timeline.start, self.timeline.end)

    def simulation(self) -> Simulation:
        """The simulated span, computed on first use and then reused."""
        with self._lock:
            if self._simulation is None:
                try:
                    self._simulation = simulate(self.seed, self.end, self.days)
                except (ValueError, ArithmeticError) as exc:
                    raise DemoError(f"the demo cluster could not be simulated: {exc}") from exc
            return self._simulation

    def collect(self, window: TimeWindow) -> Batch:
        """The records of ``window`` clipped to the span; an empty batch outside it.

        Every natural key occurs once per batch, except ``WorkloadRecord``s: a workload
        whose spec changed inside the window appears once per spec, in ``observed_at``
        order, so that ingest can write both rows of its spec history.
        """
        if not isinstance(window, TimeWindow):
            raise DemoError(f"collect() needs a TimeWindow, got {type(window).__name__}")
        tl = self.timeline
        if window.end <= tl.start or window.start >= tl.end:
            return Batch()
        sim = self.simulation()
        batch = self._snapshot(sim, window)
        first, stop = tl.hour_index(window.start), tl.hour_index(window.end)
        for series in sim.usage:
            batch.usage.extend(series.records(self.cluster, tl.start, first, stop))
        batch.costs = self._costs(sim, window)
        return batch

    def workload_cost_tags(self) -> dict[str, dict[str, str]]:
        """Resolved cost tags per workload name (pod-template labels, then namespace labels)."""
        return {
            w.name: resolve_cost_tags(self.cost_tags, w.labels, NAMESPACE_LABELS[w.namespace])
            for w in WORKLOADS
        }

    def _snapshot(self, sim: Simulation, window: TimeWindow) -> Batch:
        tl = self.timeline
        batch = Batch()
        for ns, labels in NAMESPACE_LABELS.items():
            full = {"kubernetes.io/metadata.name": ns, **labels}
            batch.namespaces.append(NamespaceRecord(self.cluster, ns, full))
        for ns, hard in QUOTAS.items():
            batch.quotas.append(ResourceQuotaRecord(self.cluster, ns, f"{ns}-quota", dict(hard)))
        tags = self.workload_cost_tags()
        for w in WORKLOADS:
            versions = w.spec_versions(tl.whole_days)
            for i, (first, containers) in enumerate(versions):
                since = tl.hour_at(first)
                until = tl.hour_at(versions[i + 1][0]) if i + 1 < len(versions) else tl.end
                if not (since < window.end and window.start < until):
                    continue
                batch.workloads.append(
                    WorkloadRecord(
                        cluster=self.cluster,
                        namespace=w.namespace,
                        kind=w.kind,
                        name=w.name,
                        observed_at=since,
                        replicas=int(sim.replicas[w.name][first * STEPS_PER_HOUR]),
                        labels=dict(w.labels),
                        annotations=dict(w.annotations),
                        cost_tags=tags[w.name],
                        containers=tuple(c.spec() for c in containers),
                        autoscalers=w.autoscalers(),
                    )
                )
        for node in sim.nodes:
            born = tl.start + timedelta(hours=node.first_hour)
            gone = tl.start + timedelta(hours=node.end_hour)
            if born < window.end and window.start < gone:
                batch.nodes.append(node.record(self.cluster, tl.start))
        return batch

    def _costs(self, sim: Simulation, window: TimeWindow) -> list[CostLine]:
        owner_tags = self.workload_cost_tags()
        out: list[CostLine] = []
        for day, items in sim.bill.items():
            day_end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
            if not window.start < day_end <= window.end:
                continue
            out.extend(
                costs.cost_lines(
                    day,
                    items,
                    account_id=self.account_id,
                    cluster=self.cluster,
                    cost_tags=self.cost_tags,
                    cluster_tag_key=self.cluster_tag_key,
                    owner_tags=owner_tags,
                    estimated=sim.estimated(day),
                )
            )
        return out
