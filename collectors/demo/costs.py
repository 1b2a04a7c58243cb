"""The demo's AWS bill, day by day, in the shape Cost Explorer returns it.

A day's bill is a list of ``BillItem``s: one AWS service, the workload whose cost tags
the resource carries (``None`` for untagged spend), whether it carries the cluster tag,
and its amortized and unblended amounts. ``cost_lines`` then emits the groupings of the
shared convention: by SERVICE alone, and by SERVICE and each configured tag key, with
untagged spend under ``tag_value=""``. Every grouping is built from the same items with
exact Decimal sums, so each adds up to the same total per service to the cent and
beyond.

Prices are approximate us-east-1 list prices. The Aurora cluster of reservation-api is
covered by a partial-upfront reservation, so its amortized cost (recurring fee plus the
upfront fee spread over the term) is above its unblended cost (recurring fee only);
everything else is on-demand and the two metrics agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from collectors.cost_tags import CostTag
from collectors.records import CostLine

EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
EKS = "Amazon Elastic Container Service for Kubernetes"
RDS = "Amazon Relational Database Service"
ELASTICACHE = "Amazon ElastiCache"
SQS = "Amazon Simple Queue Service"
ELB = "Amazon Elastic Load Balancing"
CLOUDWATCH = "AmazonCloudWatch"
S3 = "Amazon Simple Storage Service"

METRICS = ("AmortizedCost", "UnblendedCost")
_PLACES = Decimal("0.0000000001")
GB = 1e9


def money(value: float) -> Decimal:
    """A float amount as Cost Explorer would print it: a Decimal with 10 places."""
    return Decimal(repr(float(value))).quantize(_PLACES)


@dataclass(frozen=True)
class BillItem:
    aws_service: str
    owner: str | None  # workload whose cost tags the resource carries
    cluster_tagged: bool
    amortized: Decimal
    unblended: Decimal

    @classmethod
    def on_demand(
        cls, aws_service: str, owner: str | None, amount: float, cluster_tagged: bool = False
    ) -> BillItem:
        value = money(amount)
        return cls(aws_service, owner, cluster_tagged, value, value)


@dataclass(frozen=True)
class DayDrivers:
    """What one day's usage-dependent charges depend on."""

    node_cost: Decimal  # exact EC2 compute cost of the cluster's nodes
    node_hours: int
    requests: float  # HTTP requests through the gateway
    reservations: float  # requests reaching reservation-api
    messages: float  # SQS messages for reservation-worker


def daily_items(d: DayDrivers) -> list[BillItem]:
    """The day's bill. Each line says which price it applies, per day."""
    aurora_instances = 2 * 2.076 * 24  # db.r6g.4xlarge writer + reader
    aurora_other = 600 * 0.10 / 30.4 + d.reservations * 2 * 0.20 / 1e6  # storage + I/O
    reserved = BillItem(
        RDS,
        "reservation-api",
        False,
        money(aurora_instances * 0.62 + aurora_other),
        money(aurora_instances * 0.35 + aurora_other),
    )
    egress_gb = d.requests * 3e3 / GB
    return [
        BillItem(EC2_COMPUTE, None, True, d.node_cost, d.node_cost),
        BillItem.on_demand(EKS, None, 0.10 * 24),
        BillItem.on_demand(
            EC2_OTHER,
            None,
            d.node_hours * 100 * 0.08 / 730  # gp3 root volumes, 100 GiB per node
            + 3 * 0.045 * 24  # one NAT gateway per zone
            + d.requests * 2e3 / GB * 0.045  # NAT data processing
            + d.requests * 6e3 / GB * 0.02  # cross-zone transfer
            + egress_gb * 0.09,  # data transfer out to the internet
        ),
        reserved,
        BillItem.on_demand(RDS, "inventory-api", 2 * 0.519 * 24 + 200 * 0.23 / 30.4),
        BillItem.on_demand(ELASTICACHE, "inventory-api", 3 * 0.821 * 24),
        BillItem.on_demand(ELASTICACHE, "gateway-api", 2 * 0.149 * 24),
        BillItem.on_demand(SQS, "reservation-worker", d.messages * 3 * 0.40 / 1e6),
        BillItem.on_demand(ELB, "gateway-api", 0.0225 * 24 + d.requests / 400 / 3600 * 0.008),
        BillItem.on_demand(CLOUDWATCH, None, d.requests * 300 / GB * 0.50 + 150 * 0.30 / 30.4),
        BillItem.on_demand(S3, None, 20_000 * 0.023 / 30.4 + 0.40),
        BillItem.on_demand(S3, "finops-api", 50 * 0.023 / 30.4 + 0.02),
    ]


def tag_keys(cost_tags: Sequence[CostTag], cluster_tag_key: str) -> list[str]:
    """The AWS tag keys Cost Explorer is grouped by, in order, without duplicates."""
    keys: list[str] = []
    for key in [t.aws_tag for t in cost_tags] + [cluster_tag_key]:
        if key and key not in keys:
            keys.append(key)
    return keys


def _tag_value(
    item: BillItem,
    key: str,
    cost_tags: Sequence[CostTag],
    owner_tags: Mapping[str, Mapping[str, str]],
    cluster_tag_key: str,
    cluster: str,
) -> str:
    if key == cluster_tag_key and item.cluster_tagged:
        return cluster
    if item.owner is None:
        return ""
    tags = owner_tags[item.owner]
    for t in cost_tags:
        if t.aws_tag == key and tags.get(t.name):
            return tags[t.name]
    return ""


def cost_lines(
    day: date,
    items: Iterable[BillItem],
    *,
    account_id: str,
    cluster: str,
    cost_tags: Sequence[CostTag],
    cluster_tag_key: str,
    owner_tags: Mapping[str, Mapping[str, str]],
    estimated: bool,
) -> list[CostLine]:
    """All groupings of one day's items, for both metrics."""
    items = list(items)
    sums: dict[tuple[str, str, str, str], Decimal] = {}

    def add(service: str, key: str, value: str, metric: str, amount: Decimal) -> None:
        k = (service, key, value, metric)
        sums[k] = sums.get(k, Decimal(0)) + amount

    keys = tag_keys(cost_tags, cluster_tag_key)
    for item in items:
        amounts = {"AmortizedCost": item.amortized, "UnblendedCost": item.unblended}
        for metric in METRICS:
            add(item.aws_service, "", "", metric, amounts[metric])
            for key in keys:
                value = _tag_value(item, key, cost_tags, owner_tags, cluster_tag_key, cluster)
                add(item.aws_service, key, value, metric, amounts[metric])
    return [
        CostLine(day, account_id, service, key, value, metric, amount, "USD", estimated)
        for (service, key, value, metric), amount in sums.items()
    ]
