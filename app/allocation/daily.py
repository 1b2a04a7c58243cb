"""Allocate one day: the bill's parts plus each cluster's compute split, as stored rows.

Pure: inputs in (the day's cost lines, each cluster's container-hours and node
capacity), rows out. The rows of a day always add up to the bill when there is one:
container costs + idle + cluster overhead + out-of-cluster + unallocated == bill,
to the micro-dollar, which ``allocate_day`` checks before returning. Without a bill
(Cost Explorer not in yet) node prices give an estimate, and the day says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.allocation.bill import BillLine, DayBill, decompose_day
from app.allocation.compute import Capacity, ContainerHours, allocate_cluster_day
from app.allocation.errors import InputDataError

ZERO = Decimal(0)
IDLE = "__idle__"
UNALLOCATED = "__unallocated__"
SHARED = "__shared__"


@dataclass(frozen=True)
class ContainerKey:
    namespace: str
    kind: str
    workload: str
    container: str


@dataclass
class ClusterInputs:
    keys: list[ContainerKey]
    rows: ContainerHours
    capacity: Capacity = field(default_factory=Capacity)


@dataclass
class AllocationItem:
    """One stored row: a container's day, a cluster's idle, or a cluster overhead line."""

    cluster: str
    category: str  # "workload" | "idle" | "overhead"
    namespace: str = ""
    kind: str = ""
    workload: str = ""
    container: str = ""
    aws_service: str = ""
    cpu_core_hours: float = 0.0
    cpu_request_core_hours: float = 0.0
    cpu_usage_core_hours: float = 0.0
    ram_gib_hours: float = 0.0
    ram_request_gib_hours: float = 0.0
    ram_usage_gib_hours: float = 0.0
    cpu_cost: Decimal = ZERO
    ram_cost: Decimal = ZERO
    other_cost: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.cpu_cost + self.ram_cost + self.other_cost


@dataclass(frozen=True)
class ExternalItem:
    """Out-of-cluster spend of one cost-tag value (``""`` = unallocated) and AWS service."""

    dimension: str
    value: str
    aws_service: str
    amount: Decimal


@dataclass
class DayAllocation:
    day: date
    metric: str
    status: str  # reconciled | estimated | no_bill
    cost_source: str  # bill | node_prices | none
    bill_total: Decimal | None
    items: list[AllocationItem]
    external: list[ExternalItem]
    notes: list[str]

    def part(self, category: str) -> Decimal:
        return sum((i.cost for i in self.items if i.category == category), ZERO)

    def external_total(self, dimension: str, *, unallocated: bool) -> Decimal:
        return sum(
            (
                e.amount
                for e in self.external
                if e.dimension == dimension and (e.value == "") == unallocated
            ),
            ZERO,
        )


def _cluster_items(
    cluster: str, inputs: ClusterInputs | None, node_cost: Decimal, ratio: float
) -> list[AllocationItem]:
    if inputs is None:
        inputs = ClusterInputs([], ContainerHours.empty())
    res = allocate_cluster_day(len(inputs.keys), inputs.rows, inputs.capacity, node_cost, ratio)
    items = [
        AllocationItem(
            cluster=cluster,
            category="workload",
            namespace=k.namespace,
            kind=k.kind,
            workload=k.workload,
            container=k.container,
            cpu_core_hours=float(res.cpu_core_hours[i]),
            cpu_request_core_hours=float(res.cpu_request_core_hours[i]),
            cpu_usage_core_hours=float(res.cpu_usage_core_hours[i]),
            ram_gib_hours=float(res.ram_gib_hours[i]),
            ram_request_gib_hours=float(res.ram_request_gib_hours[i]),
            ram_usage_gib_hours=float(res.ram_usage_gib_hours[i]),
            cpu_cost=res.cpu_cost[i],
            ram_cost=res.ram_cost[i],
        )
        for i, k in enumerate(inputs.keys)
    ]
    items.append(
        AllocationItem(
            cluster=cluster,
            category="idle",
            workload=IDLE,
            cpu_cost=res.idle_cpu_cost,
            ram_cost=res.idle_ram_cost,
        )
    )
    return items


def allocate_day(
    day: date,
    metric: str,
    lines: list[BillLine],
    clusters: Mapping[str, ClusterInputs],
    *,
    cluster_tag_key: str,
    dimensions: Mapping[str, str],
    ratio: float,
) -> DayAllocation:
    """Allocate one day; ``dimensions`` maps cost-tag names to AWS tag keys."""
    bill: DayBill = decompose_day(lines, cluster_tag_key, dimensions)
    notes = list(bill.notes)
    items: list[AllocationItem] = []
    names = sorted(set(clusters) | set(bill.node_cost) | {c for c, _s in bill.overhead})
    source = "bill" if bill.has_bill else "none"
    for name in names:
        inputs = clusters.get(name)
        if bill.has_bill:
            cost = bill.node_cost.get(name, ZERO)
            if cost == 0 and inputs is not None and inputs.rows.pod_hours.size:
                notes.append(
                    f"cluster {name}: no EC2 compute tagged {cluster_tag_key}={name} "
                    "in the bill; its workloads cost nothing this day"
                )
        else:
            cost = inputs.capacity.estimate() if inputs is not None else ZERO
            if cost != 0:
                source = "node_prices"
        if (inputs is None or not inputs.keys) and cost != 0:
            notes.append(f"cluster {name}: no usage data; its node cost is all idle")
        items.extend(_cluster_items(name, inputs, cost, ratio))
    for (cluster, service), amount in sorted(bill.overhead.items()):
        items.append(
            AllocationItem(
                cluster=cluster,
                category="overhead",
                workload=SHARED,
                aws_service=service,
                other_cost=amount,
            )
        )
    external = [
        ExternalItem(dimension=d, value=v, aws_service=s, amount=a)
        for (d, v, s), a in sorted(bill.external.items())
    ]
    if bill.has_bill:
        status = "estimated" if bill.estimated else "reconciled"
        parts = sum((i.cost for i in items), ZERO)
        for dim in dimensions:
            got = parts + sum((e.amount for e in external if e.dimension == dim), ZERO)
            if got != bill.total:  # a bug, never an input problem: refuse to store it
                raise InputDataError(
                    f"{day}: allocation for {dim} adds up to {got}, the bill is {bill.total}"
                )
    else:
        status = "no_bill"
        notes.append("no Cost Explorer bill for this day yet: node prices are an estimate")
    return DayAllocation(
        day=day,
        metric=metric,
        status=status,
        cost_source=source,
        bill_total=bill.total if bill.has_bill else None,
        items=items,
        external=external,
        notes=notes,
    )
