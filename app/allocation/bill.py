"""Decompose one day's bill (Cost Explorer lines) into the parts allocation needs.

The cost-line convention (docs/allocation.md): grouping 1 (``tag_key == ""``) is the
bill per AWS service; every tag grouping (the cluster tag key, each cost tag's AWS
key) on its own adds up to the same bill, untagged spend having ``tag_value == ""``.
Cost Explorer gives these groupings as *marginals*: it never says which Service-tagged
dollars are also cluster-tagged. So per AWS service the day's bill ``B`` is split:

1. the cluster tag first: EC2 compute with ``cluster=c`` is cluster c's node cost
   (split over workloads and idle); other cluster-tagged spend (EKS fee, EBS, NAT,
   load balancers of the cluster) is cluster c's shared overhead;
2. the rest ``R = B - cluster`` per cost-tag dimension: tagged values are that
   value's out-of-cluster cost, the remainder is ``__unallocated__``. If a tag also
   covers cluster resources (say ``Environment=prod`` on the nodes), tagged spend
   exceeds ``R``; it is then scaled to ``R`` so nothing is counted twice.

Each dimension's view adds up to the bill exactly (Decimal), by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.allocation.money import scale_exact

EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"
ZERO = Decimal(0)


@dataclass(frozen=True)
class BillLine:
    """One cost line of the day and metric (accounts may repeat keys; they are summed)."""

    aws_service: str
    tag_key: str
    tag_value: str
    amount: Decimal
    estimated: bool = False


@dataclass
class DayBill:
    """The day's bill, split by cluster and by each cost-tag dimension."""

    has_bill: bool = False
    estimated: bool = False
    total: Decimal = ZERO
    node_cost: dict[str, Decimal] = field(default_factory=dict)
    overhead: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # (dimension, value, aws_service) -> amount; value "" is unallocated in that dimension
    external: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def cluster_total(self) -> Decimal:
        return sum(self.node_cost.values(), ZERO) + sum(self.overhead.values(), ZERO)

    def dimension_total(self, dimension: str) -> Decimal:
        return sum((a for (d, _v, _s), a in self.external.items() if d == dimension), ZERO)


NOISE = Decimal("0.01")  # stored lines are rounded to 1e-6 one by one; below a cent is noise


def _split_rest(
    rest: Decimal, tagged: Mapping[str, Decimal]
) -> tuple[dict[str, Decimal], Decimal, bool]:
    """(per-value amounts, unallocated, overlap worth a note?) for one dimension and service."""
    values = {v: a for v, a in tagged.items() if v != "" and a != 0}
    t = sum(values.values(), ZERO)
    if not values or t == 0:
        return {}, rest, False
    same_sign = (t > 0 and rest > 0) or (t < 0 and rest < 0)
    if same_sign and abs(t) <= abs(rest):
        return dict(values), rest - t, False
    if same_sign:
        names = sorted(values)
        scaled = scale_exact(rest, [values[v] for v in names])
        return dict(zip(names, scaled, strict=True)), ZERO, abs(t) - abs(rest) > NOISE
    # Nothing left after the cluster (or a refund): tagged spend was cluster spend.
    return {}, rest, abs(t) > NOISE


def decompose_day(
    lines: Iterable[BillLine],
    cluster_tag_key: str,
    dimensions: Mapping[str, str],
    compute_services: frozenset[str] = frozenset({EC2_COMPUTE}),
) -> DayBill:
    """Split one day's lines; ``dimensions`` maps cost-tag name to its AWS tag key."""
    bill: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_tag: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    out = DayBill()
    for line in lines:
        out.estimated = out.estimated or line.estimated
        if line.tag_key == "":
            out.has_bill = True
            bill[line.aws_service] += line.amount
        else:
            by_tag[(line.aws_service, line.tag_key)][line.tag_value] += line.amount
    out.total = sum(bill.values(), ZERO)
    orphans = sorted({s for s, _k in by_tag} - set(bill))
    if orphans and out.has_bill:
        out.notes.append(
            "tagged cost lines for services missing from the bill were ignored: "
            + ", ".join(orphans)
        )
    for service in sorted(bill):
        b = bill[service]
        clusters = by_tag.get((service, cluster_tag_key), {})
        taken = ZERO
        for cluster, amount in sorted(clusters.items()):
            if cluster == "" or amount == 0:
                continue
            taken += amount
            if service in compute_services:
                out.node_cost[cluster] = out.node_cost.get(cluster, ZERO) + amount
            else:
                out.overhead[(cluster, service)] = amount
        if clusters and sum(clusters.values(), ZERO) != b:
            out.notes.append(
                f"{service}: lines grouped by {cluster_tag_key} add up to "
                f"{sum(clusters.values(), ZERO)}, the bill says {b}"
            )
        rest = b - taken
        for dim, aws_tag in dimensions.items():
            values, unallocated, scaled = _split_rest(rest, by_tag.get((service, aws_tag), {}))
            if scaled:
                out.notes.append(
                    f"{service}: spend tagged {aws_tag} overlaps the cluster's; "
                    "scaled to what the cluster tag leaves"
                )
            for value, amount in values.items():
                out.external[(dim, value, service)] = amount
            if unallocated != 0:
                out.external[(dim, "", service)] = unallocated
    return out
