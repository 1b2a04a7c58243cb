"""The bundled on-demand price table, for when the Pricing API is out of reach.

Exact us-east-1 list prices ship as CSV; other regions apply a regional factor
(the ratio of that region's m5.large price to us-east-1's, which tracks the
general-purpose families within a few percent). Quotes from this table are marked
``fallback-table`` so reports can say they are approximate.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib import resources

REGION_FACTORS: dict[str, Decimal] = {
    "us-east-1": Decimal("1"),
    "us-east-2": Decimal("1"),
    "us-west-2": Decimal("1"),
    "us-west-1": Decimal("1.167"),
    "ca-central-1": Decimal("1.115"),
    "eu-west-1": Decimal("1.115"),
    "eu-west-2": Decimal("1.156"),
    "eu-west-3": Decimal("1.167"),
    "eu-central-1": Decimal("1.198"),
    "eu-north-1": Decimal("1.063"),
    "ap-south-1": Decimal("1.052"),
    "ap-northeast-1": Decimal("1.292"),
    "ap-northeast-2": Decimal("1.229"),
    "ap-southeast-1": Decimal("1.25"),
    "ap-southeast-2": Decimal("1.25"),
    "sa-east-1": Decimal("1.594"),
}


@cache
def us_east_1_table() -> dict[str, Decimal]:
    text = resources.files("collectors.aws").joinpath("ec2_on_demand_us_east_1.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["instance_type"]: Decimal(row["usd_per_hour"]) for row in rows}


def fallback_on_demand(instance_type: str, region: str) -> Decimal | None:
    """Approximate on-demand $/hour, or ``None`` for an unknown type or region."""
    base = us_east_1_table().get(instance_type)
    factor = REGION_FACTORS.get(region)
    if base is None or factor is None:
        return None
    return (base * factor).quantize(Decimal("0.0001"))
