"""FOCUS 1.2 rows for a chargeback export, from the stored Cost Explorer lines.

One row per day, account, AWS service and value of the chosen dimension, with every
mandatory FOCUS column. Cost Explorer gives no list price or usage quantity at this
grouping: ``ListCost`` and ``ContractedCost`` repeat the billed amount and the
pricing columns are empty (null), which FOCUS allows for these charge rows.
"""

from __future__ import annotations

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
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodStart",
    "ChargePeriodEnd",
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
]

_CATEGORIES = {
    "Amazon Elastic Compute Cloud - Compute": "Compute",
    "EC2 - Other": "Compute",
    "Amazon Elastic Container Service for Kubernetes": "Compute",
    "Amazon Relational Database Service": "Databases",
    "Amazon ElastiCache": "Databases",
    "Amazon DynamoDB": "Databases",
    "Amazon Simple Storage Service": "Storage",
    "Amazon Elastic File System": "Storage",
    "Amazon Simple Queue Service": "Integration",
    "Amazon Simple Notification Service": "Integration",
    "Amazon Elastic Load Balancing": "Networking",
    "Amazon Virtual Private Cloud": "Networking",
    "Amazon CloudFront": "Networking",
    "AmazonCloudWatch": "Management and Governance",
}


@dataclass(frozen=True)
class ChargeLine:
    day: date
    account_id: str
    aws_service: str
    tag_key: str
    tag_value: str
    amount: Decimal
    currency: str


def _ts(d: date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def focus_rows(
    lines: Iterable[ChargeLine], period_start: date, period_end: date
) -> list[list[object]]:
    """Rows in ``FOCUS_COLUMNS`` order; amounts stay ``Decimal``."""
    out: list[list[object]] = []
    for ln in sorted(lines, key=lambda x: (x.day, x.account_id, x.aws_service, x.tag_value)):
        tags = {ln.tag_key: ln.tag_value} if ln.tag_value else {}
        label = f"{ln.tag_key}={ln.tag_value}" if ln.tag_value else f"untagged {ln.tag_key}"
        out.append(
            [
                ln.amount,
                ln.account_id,
                ln.account_id,
                ln.currency,
                _ts(period_start),
                _ts(period_end),
                "Usage",
                None,
                f"{ln.aws_service}, {label}",
                _ts(ln.day),
                _ts(ln.day + timedelta(days=1)),
                ln.amount,
                ln.amount,
                "Amazon Web Services",
                ln.amount,
                None,
                None,
                "AWS",
                "AWS",
                _CATEGORIES.get(ln.aws_service, "Other"),
                ln.aws_service,
                json.dumps(tags, sort_keys=True),
            ]
        )
    return out
