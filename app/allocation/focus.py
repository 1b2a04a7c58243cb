"""FOCUS 1.2 rows from the stored Cost Explorer lines, for finance tools.

One row per day, linked account, AWS service and ``Service`` tag value (the
convention's service-tag grouping adds up to the bill, so the rows do too; a day
without that grouping falls back to the bill grouping with no tag). Both metrics
join on that key: ``BilledCost`` is UnblendedCost (what the invoice charges),
``EffectiveCost`` is AmortizedCost (commitments spread as AWS spreads them).
Cost Explorer's daily groupings carry no list prices or pricing quantities, so
``ListCost`` and ``ContractedCost`` equal ``BilledCost`` and ``PricingQuantity`` /
``PricingUnit`` are empty (nullable in FOCUS); docs/allocation.md says so.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

FOCUS_COLUMNS = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuer",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "Provider",
    "Publisher",
    "ServiceCategory",
    "ServiceName",
    "Tags",
    "x_Estimated",
]
AWS = "Amazon Web Services"

_CATEGORIES = [
    ("Compute", ("Elastic Compute Cloud - Compute", "Lambda", "Fargate", "EC2 Container")),
    ("Databases", ("Relational Database", "DynamoDB", "ElastiCache", "DocumentDB", "Aurora")),
    ("Storage", ("Simple Storage", "Elastic Block Store", "EFS", "Elastic File System", "Backup")),
    (
        "Networking",
        ("Elastic Load Balancing", "CloudFront", "Route 53", "Virtual Private Cloud", "VPC"),
    ),
    ("Integration", ("Simple Queue", "Simple Notification", "EventBridge", "Step Functions")),
    ("Management and Governance", ("CloudWatch", "CloudTrail", "Config", "Cost Explorer")),
    ("Security", ("Key Management", "Secrets Manager", "WAF", "GuardDuty", "Shield")),
    ("Analytics", ("Athena", "Kinesis", "Glue", "Redshift", "OpenSearch")),
    ("Compute", ("Kubernetes", "EC2 - Other", "Elastic Container")),
]


def service_category(aws_service: str) -> str:
    for category, needles in _CATEGORIES:
        if any(n in aws_service for n in needles):
            return category
    return "Other"


@dataclass(frozen=True)
class CostRow:
    day: date
    account_id: str
    aws_service: str
    tag_key: str
    tag_value: str
    metric: str
    amount: Decimal
    currency: str
    estimated: bool


def _month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def focus_rows(source: Iterable[CostRow], month: date, service_tag: str) -> list[dict[str, str]]:
    """FOCUS rows of ``month``; see the module doc for how each column is filled."""
    start, end = _month_bounds(month)
    cells: dict[tuple[date, str, str, str], dict[str, Decimal]] = {}
    est: dict[tuple[date, str, str, str], bool] = {}
    currency: dict[tuple[date, str, str, str], str] = {}
    rows = list(source)
    tagged = {
        (r.day, r.account_id, r.aws_service, r.metric) for r in rows if r.tag_key == service_tag
    }
    for r in rows:
        if not (start <= r.day < end) or r.metric not in {"AmortizedCost", "UnblendedCost"}:
            continue
        if r.tag_key == service_tag:
            value = r.tag_value
        elif r.tag_key == "" and (r.day, r.account_id, r.aws_service, r.metric) not in tagged:
            value = ""
        else:
            continue
        key = (r.day, r.account_id, r.aws_service, value)
        cell = cells.setdefault(key, {})
        cell[r.metric] = cell.get(r.metric, Decimal(0)) + r.amount
        est[key] = est.get(key, False) or r.estimated
        currency[key] = r.currency
    out = []
    for key in sorted(cells):
        day, account, service, value = key
        cell = cells[key]
        billed = cell.get("UnblendedCost", cell.get("AmortizedCost", Decimal(0)))
        effective = cell.get("AmortizedCost", billed)
        if billed == 0 and effective == 0:
            continue
        credit = billed < 0 or (billed == 0 and effective < 0)
        out.append(
            {
                "BilledCost": f"{billed:.6f}",
                "BillingAccountId": account,
                "BillingAccountName": account,
                "BillingCurrency": currency[key],
                "BillingPeriodEnd": f"{end.isoformat()}T00:00:00Z",
                "BillingPeriodStart": f"{start.isoformat()}T00:00:00Z",
                "ChargeCategory": "Credit" if credit else "Usage",
                "ChargeClass": "",
                "ChargeDescription": f"{service} {'credit' if credit else 'usage'} on {day}",
                "ChargePeriodEnd": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
                "ChargePeriodStart": f"{day.isoformat()}T00:00:00Z",
                "ContractedCost": f"{billed:.6f}",
                "EffectiveCost": f"{effective:.6f}",
                "InvoiceIssuer": AWS,
                "ListCost": f"{billed:.6f}",
                "PricingQuantity": "",
                "PricingUnit": "",
                "Provider": AWS,
                "Publisher": AWS,
                "ServiceCategory": service_category(service),
                "ServiceName": service,
                "Tags": json.dumps({service_tag: value} if value else {}, sort_keys=True),
                "x_Estimated": "true" if est[key] else "false",
            }
        )
    return out


def focus_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FOCUS_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()
