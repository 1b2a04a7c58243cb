"""Money as finance writes it, and the recommendations table's order."""

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from app.queries.recommendations_view import sort_rows
from app.web.templating import money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (Decimal("48.22"), "$48.22"),
        (1234567.891, "$1,234,567.89"),
        (Decimal("-2.33"), "−$2.33"),
        (-1500.0, "−$1,500.00"),
        (Decimal("-0.004"), "$0.00"),  # rounds to zero: no sign
        (0, "$0.00"),
    ],
)
def test_money(value: Any, text: str) -> None:
    assert money(value) == text


def _row(name: str, saving: str | None, confidence: float | None, status: str) -> Any:
    return SimpleNamespace(
        namespace="tacos",
        workload=name,
        container=name,
        monthly_saving=None if saving is None else Decimal(saving),
        confidence=confidence,
        status=status,
    )


ROWS = [
    _row("a", "34.41", 0.73, "recommended"),
    _row("b", None, None, "no_recommendation"),
    _row("c", "-2.33", 0.87, "recommended"),
    _row("d", "-0.85", 0.64, "recommended"),
    _row("e", None, None, "no_recommendation"),
    _row("f", "16.48", 0.88, "recommended"),
]


def _names(rows: list[Any]) -> list[str]:
    return [r.workload for r in rows]


def test_rows_without_a_saving_come_after_every_saving_both_ways() -> None:
    assert _names(sort_rows(list(ROWS), "-saving")) == ["a", "f", "d", "c", "b", "e"]
    assert _names(sort_rows(list(ROWS), "saving")) == ["c", "d", "f", "a", "b", "e"]
    assert _names(sort_rows(list(ROWS), "-confidence")) == ["f", "c", "a", "d", "b", "e"]
    assert _names(sort_rows(list(ROWS), "confidence")) == ["d", "a", "c", "f", "b", "e"]


def test_name_and_status_orders() -> None:
    assert _names(sort_rows(list(ROWS), "workload")) == ["a", "b", "c", "d", "e", "f"]
    assert _names(sort_rows(list(ROWS), "-workload")) == ["f", "e", "d", "c", "b", "a"]
    assert _names(sort_rows(list(ROWS), "status")) == ["b", "e", "a", "c", "d", "f"]
