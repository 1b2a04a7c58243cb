"""Query-time arithmetic: share idle and shared costs, attach out-of-cluster costs, group.

Stored rows are the raw daily allocation; these options are applied per step at
query time, as OpenCost does (so changing ``idle`` or ``shared`` needs no recompute):

- ``idle=share``: each cluster's idle is spread over its workloads in proportion to
  their cost; ``separate`` keeps it as ``__idle__``.
- ``shared=even|weighted``: workloads of the cluster's shared namespaces
  (kube-system, monitoring, finops) and the cluster overhead (EKS fee, EBS, ...) are
  spread over the other workloads of the cluster, equally or in proportion to
  cost; ``none`` keeps the shared namespaces as themselves and the overhead as ``__shared__``.
- out-of-cluster spend: grouped by a cost tag, each value's tagged AWS spend joins
  that value and untagged spend is ``__unallocated__``; grouped any other way, a
  service's tagged spend joins the workloads carrying that service tag (by cost),
  or ``__external__`` when no workload carries it.

Every split is exact (``money.distribute``), so a step's rows add up to its parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.allocation.daily import IDLE, SHARED, UNALLOCATED
from app.allocation.errors import ParameterError
from app.allocation.money import distribute

ZERO = Decimal(0)
EXTERNAL = "__external__"
BASIC = ("cluster", "namespace", "workload", "container")


@dataclass
class Line:
    """One in-cluster row of a step: a container or workload, a cluster's idle or overhead."""

    cluster: str
    category: str  # workload | idle | overhead
    namespace: str = ""
    kind: str = ""
    workload: str = ""
    container: str = ""
    cpu_core_hours: float = 0.0
    cpu_request_core_hours: float = 0.0
    cpu_usage_core_hours: float = 0.0
    ram_gib_hours: float = 0.0
    ram_request_gib_hours: float = 0.0
    ram_usage_gib_hours: float = 0.0
    cpu_cost: Decimal = ZERO
    ram_cost: Decimal = ZERO
    other_cost: Decimal = ZERO
    idle_cost: Decimal = ZERO
    shared_cost: Decimal = ZERO
    external_cost: Decimal = ZERO

    @property
    def own_cost(self) -> Decimal:
        return self.cpu_cost + self.ram_cost + self.other_cost

    @property
    def total(self) -> Decimal:
        return self.own_cost + self.idle_cost + self.shared_cost + self.external_cost


@dataclass(frozen=True)
class WorkloadMeta:
    labels: Mapping[str, str]
    cost_tags: Mapping[str, str]


@dataclass
class Options:
    aggregate: str = "namespace"
    idle: str = "separate"  # separate | share
    shared: str = "weighted"  # even | weighted | none
    shared_namespaces: Mapping[str, frozenset[str]] = field(default_factory=dict)
    default_shared: frozenset[str] = frozenset()  # for clusters not in the configuration

    def shared_in(self, cluster: str) -> frozenset[str]:
        return self.shared_namespaces.get(cluster, self.default_shared)


@dataclass
class Group:
    name: str
    lines: int = 0
    cpu_core_hours: float = 0.0
    cpu_request_core_hours: float = 0.0
    cpu_usage_core_hours: float = 0.0
    ram_gib_hours: float = 0.0
    ram_request_gib_hours: float = 0.0
    ram_usage_gib_hours: float = 0.0
    cpu_cost: Decimal = ZERO
    ram_cost: Decimal = ZERO
    other_cost: Decimal = ZERO
    idle_cost: Decimal = ZERO
    shared_cost: Decimal = ZERO
    external_cost: Decimal = ZERO
    external_by_service: dict[str, Decimal] = field(default_factory=dict)  # the "why"

    @property
    def total(self) -> Decimal:
        return (
            self.cpu_cost
            + self.ram_cost
            + self.other_cost
            + self.idle_cost
            + self.shared_cost
            + self.external_cost
        )

    def efficiency(self) -> tuple[float | None, float | None, float | None]:
        """CPU and memory usage/request, and their cost-weighted total (OpenCost's)."""
        cpu = (
            self.cpu_usage_core_hours / self.cpu_request_core_hours
            if self.cpu_request_core_hours > 0
            else None
        )
        ram = (
            self.ram_usage_gib_hours / self.ram_request_gib_hours
            if self.ram_request_gib_hours > 0
            else None
        )
        weights = [(e, float(c)) for e, c in ((cpu, self.cpu_cost), (ram, self.ram_cost)) if e]
        total_w = sum(w for _e, w in weights)
        total = sum(e * w for e, w in weights) / total_w if total_w > 0 else None
        return cpu, ram, total


def validate_aggregate(aggregate: str, cost_tags: Iterable[str]) -> str:
    a = aggregate.strip()
    if a in BASIC or a in set(cost_tags):
        return a
    if a.startswith("label:") and len(a) > len("label:"):
        return a
    allowed = ", ".join([*BASIC, *sorted(cost_tags), "label:NAME"])
    raise ParameterError("aggregate", f"{aggregate!r} is not one of {allowed}")


def _spread(amount: Decimal, recipients: list[Line], weights: list[float], attr: str) -> bool:
    """Add ``amount`` to ``attr`` of recipients by weights (equal when all zero)."""
    if not recipients or amount == 0:
        return not recipients and amount != 0
    if sum(weights) <= 0:
        weights = [1.0] * len(recipients)
    for line, part in zip(recipients, distribute(amount, weights), strict=True):
        setattr(line, attr, getattr(line, attr) + part)
    return False


def share_in_cluster(lines: list[Line], opts: Options) -> list[Line]:
    """Apply idle and shared options; returns the lines that remain (spread ones drop out)."""
    by_cluster: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_cluster[line.cluster].append(line)
    out: list[Line] = []
    for cluster, group in by_cluster.items():
        shared_ns = opts.shared_in(cluster)
        workloads = [g for g in group if g.category == "workload"]
        idle = [g for g in group if g.category == "idle"]
        overhead = [g for g in group if g.category == "overhead"]
        kept_idle = idle
        if opts.idle == "share":
            amount = sum((i.own_cost for i in idle), ZERO)
            weights = [float(w.own_cost) for w in workloads]
            if not _spread(amount, workloads, weights, "idle_cost") and workloads:
                kept_idle = []
        if opts.shared == "none":
            out.extend(workloads + kept_idle + overhead)
            continue
        shared = [w for w in workloads if w.namespace in shared_ns]
        others = [w for w in workloads if w.namespace not in shared_ns]
        pool = sum((s.total for s in shared), ZERO) + sum((o.own_cost for o in overhead), ZERO)
        weights = [1.0] * len(others) if opts.shared == "even" else [float(o.total) for o in others]
        if others and pool != 0:
            _spread(pool, others, weights, "shared_cost")
            out.extend(others + kept_idle)
        elif others:
            out.extend(others + kept_idle)
        else:  # nobody to carry it: keep the shared cost visible
            out.extend(shared + kept_idle + overhead)
    return out


def attach_external(
    lines: list[Line],
    external: Mapping[str, Decimal],
    service_of: Callable[[Line], str | None],
) -> dict[str, Decimal]:
    """Spread each service's out-of-cluster cost over its workloads; return what is left."""
    carriers: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.category == "workload":
            svc = service_of(line)
            if svc:
                carriers[svc].append(line)
    left: dict[str, Decimal] = {}
    for value, amount in external.items():
        recipients = carriers.get(value, []) if value else []
        if recipients:
            _spread(amount, recipients, [float(r.own_cost) for r in recipients], "external_cost")
        else:
            key = UNALLOCATED if value == "" else EXTERNAL
            left[key] = left.get(key, ZERO) + amount
    return left


def line_key(line: Line, aggregate: str, meta: WorkloadMeta | None) -> str:
    if line.category == "idle":
        return IDLE
    if line.category == "overhead":
        return SHARED
    if aggregate == "cluster":
        return line.cluster
    if aggregate == "namespace":
        return line.namespace
    if aggregate == "workload":
        return f"{line.namespace}/{line.workload}"
    if aggregate == "container":
        return f"{line.namespace}/{line.workload}/{line.container}"
    if aggregate.startswith("label:"):
        value = meta.labels.get(aggregate[len("label:") :]) if meta else None
    else:
        value = meta.cost_tags.get(aggregate) if meta else None
    return value or UNALLOCATED


def group_lines(
    lines: Iterable[Line],
    aggregate: str,
    meta_of: Callable[[Line], WorkloadMeta | None],
    external: Mapping[str, Decimal],
    external_detail: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> list[Group]:
    """Fold lines (and leftover external amounts by name, with their AWS services) into
    groups, biggest first."""
    groups: dict[str, Group] = {}
    for line in lines:
        name = line_key(line, aggregate, meta_of(line))
        g = groups.get(name) or groups.setdefault(name, Group(name))
        g.lines += 1
        for attr in (
            "cpu_core_hours",
            "cpu_request_core_hours",
            "cpu_usage_core_hours",
            "ram_gib_hours",
            "ram_request_gib_hours",
            "ram_usage_gib_hours",
        ):
            setattr(g, attr, getattr(g, attr) + getattr(line, attr))
        for attr in ("cpu_cost", "ram_cost", "other_cost", "idle_cost", "shared_cost"):
            setattr(g, attr, getattr(g, attr) + getattr(line, attr))
        g.external_cost += line.external_cost
    for name, amount in external.items():
        g = groups.get(name) or groups.setdefault(name, Group(name))
        g.external_cost += amount
        for service, part in (external_detail or {}).get(name, {}).items():
            g.external_by_service[service] = g.external_by_service.get(service, ZERO) + part
    return sorted(groups.values(), key=lambda g: (-g.total, g.name))
