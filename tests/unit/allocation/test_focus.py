from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from app.allocation.focus import FOCUS_COLUMNS, CostRow, focus_csv, focus_rows, service_category

RDS = "Amazon Relational Database Service"
EC2 = "Amazon Elastic Compute Cloud - Compute"
ACC = "123456789012"


def row(day: int, service: str, key: str, value: str, metric: str, amount: str) -> CostRow:
    return CostRow(
        date(2026, 11, day), ACC, service, key, value, metric, Decimal(amount), "USD", False
    )


def test_rows_split_by_service_tag_and_join_both_metrics() -> None:
    rows = [
        row(2, RDS, "", "", "UnblendedCost", "50"),
        row(2, RDS, "", "", "AmortizedCost", "40"),
        row(2, RDS, "Service", "reservation-api", "UnblendedCost", "30"),
        row(2, RDS, "Service", "", "UnblendedCost", "20"),
        row(2, RDS, "Service", "reservation-api", "AmortizedCost", "24"),
        row(2, RDS, "Service", "", "AmortizedCost", "16"),
        row(2, RDS, "Team", "checkout", "UnblendedCost", "50"),  # another grouping: ignored
        row(3, EC2, "", "", "UnblendedCost", "-5"),  # no Service grouping this day: bill line
        row(1, EC2, "", "", "UnblendedCost", "0"),  # nothing to report
        CostRow(date(2026, 12, 1), ACC, EC2, "", "", "UnblendedCost", Decimal(9), "USD", False),
    ]
    out = focus_rows(rows, date(2026, 11, 1), "Service")
    assert len(out) == 3
    tagged = next(r for r in out if r["Tags"] != "{}" and r["ServiceName"] == RDS)
    assert json.loads(tagged["Tags"]) == {"Service": "reservation-api"}
    assert (tagged["BilledCost"], tagged["EffectiveCost"]) == ("30.000000", "24.000000")
    assert tagged["ServiceCategory"] == "Databases"
    assert tagged["BillingPeriodStart"] == "2026-11-01T00:00:00Z"
    assert tagged["BillingPeriodEnd"] == "2026-12-01T00:00:00Z"
    assert tagged["ChargePeriodStart"] == "2026-11-02T00:00:00Z"
    credit = next(r for r in out if r["ServiceName"] == EC2)
    assert credit["ChargeCategory"] == "Credit" and credit["EffectiveCost"] == "-5.000000"
    billed = sum(Decimal(r["BilledCost"]) for r in out)
    assert billed == Decimal(45)  # 50 of RDS and the -5 credit, nothing from December


def test_csv_has_every_mandatory_focus_column() -> None:
    text = focus_csv(
        focus_rows([row(2, RDS, "", "", "UnblendedCost", "1")], date(2026, 11, 1), "Service")
    )
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == FOCUS_COLUMNS
    for col in ("BilledCost", "ChargeCategory", "ServiceName", "Provider", "Tags"):
        assert col in FOCUS_COLUMNS
    assert len(list(reader)) == 1


def test_service_categories() -> None:
    assert service_category(EC2) == "Compute"
    assert service_category("Amazon Simple Queue Service") == "Integration"
    assert service_category("Amazon ElastiCache") == "Databases"
    assert service_category("Something New") == "Other"
