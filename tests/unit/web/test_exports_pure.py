"""CSV cells, FOCUS rows and pagination."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from app.queries.csv_export import cell, to_csv
from app.queries.focus import FOCUS_COLUMNS, ChargeLine, focus_rows
from app.queries.paging import paginate


def test_csv_neutralises_formulas_but_keeps_numbers() -> None:
    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("-12.5") == "-12.5"
    assert cell(Decimal("1.100000")) == "1.100000"
    assert cell(None) == ""
    text = to_csv(["a", "b"], [["x,y", '<script>"q"</script>']])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["x,y", '<script>"q"</script>']]


def test_focus_rows_have_every_mandatory_column_and_exact_amounts() -> None:
    lines = [
        ChargeLine(
            date(2026, 11, 2),
            "123456789012",
            "Amazon Relational Database Service",
            "Team",
            "checkout",
            Decimal("1.234567"),
            "USD",
        ),
        ChargeLine(
            date(2026, 11, 1),
            "123456789012",
            "Amazon Simple Queue Service",
            "Team",
            "",
            Decimal("0.5"),
            "USD",
        ),
    ]
    rows = focus_rows(lines, date(2026, 11, 1), date(2026, 12, 1))
    assert len(rows) == 2
    first = dict(zip(FOCUS_COLUMNS, rows[0], strict=True))
    assert first["ChargePeriodStart"] == "2026-11-01T00:00:00Z"  # sorted by day
    assert first["ChargePeriodEnd"] == "2026-11-02T00:00:00Z"
    assert first["BillingPeriodEnd"] == "2026-12-01T00:00:00Z"
    assert first["ServiceCategory"] == "Integration"
    assert json.loads(str(first["Tags"])) == {}
    second = dict(zip(FOCUS_COLUMNS, rows[1], strict=True))
    assert second["BilledCost"] == Decimal("1.234567") == second["EffectiveCost"]
    assert second["ServiceCategory"] == "Databases"
    assert json.loads(str(second["Tags"])) == {"Team": "checkout"}
    for col in (
        "BilledCost",
        "BillingAccountId",
        "BillingCurrency",
        "ChargeCategory",
        "Provider",
        "ServiceName",
    ):
        assert second[col] not in (None, "")


def test_paginate_bounds() -> None:
    rows = list(range(120))
    p = paginate(rows, 3, 50)
    assert (p.items[0], len(p.items), p.pages, p.first_index, p.last_index) == (
        100,
        20,
        3,
        101,
        120,
    )
    assert paginate(rows, 99, 50).page == 3  # past the end shows the last page
    assert paginate(rows, 0, 0).per_page == 1
    empty = paginate([], 1, 50)
    assert (empty.pages, empty.first_index, empty.total) == (1, 0, 0)
