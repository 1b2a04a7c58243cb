"""Windows, month-end forecast and top movers with exact numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import InvalidParameterError
from app.queries.finance import month_end_forecast, month_of, parse_window, share, top_movers

TODAY = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("7d", date(2026, 11, 4), date(2026, 11, 11)),
        ("30D", date(2026, 10, 12), date(2026, 11, 11)),
        ("mtd", date(2026, 11, 1), date(2026, 11, 11)),
        ("lastmonth", date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-02", date(2026, 2, 1), date(2026, 3, 1)),
        ("2026-01-05..2026-01-05", date(2026, 1, 5), date(2026, 1, 6)),
    ],
)
def test_parse_window(value: str, start: date, end: date) -> None:
    w = parse_window(value, TODAY)
    assert (w.start, w.end) == (start, end)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0d",
        "367d",
        "abc",
        "2026-13",
        "2026-02-30..2026-03-01",
        "2026-03-02..2026-03-01",
        "2024-01-01..2026-01-01",
        "7d; drop table",
    ],
)
def test_parse_window_rejects_bad_values_naming_the_parameter(value: str) -> None:
    with pytest.raises(InvalidParameterError) as err:
        parse_window(value, TODAY)
    assert err.value.parameter == "window"


def test_previous_window_has_the_same_length() -> None:
    w = parse_window("7d", TODAY).previous()
    assert (w.start, w.end) == (date(2026, 10, 28), date(2026, 11, 4))


def test_forecast_adds_the_trailing_week_average_for_each_remaining_day() -> None:
    month = month_of(TODAY)  # November: 30 days
    daily = [Decimal(10)] * 3 + [Decimal(20)] * 7  # 10 days, 170 so far
    # 170 + 20/day × 20 remaining days
    assert month_end_forecast(month, TODAY, daily) == Decimal("570.00")


def test_forecast_on_the_first_and_last_day() -> None:
    month = month_of(date(2026, 2, 1))
    assert month_end_forecast(month, date(2026, 2, 1), [Decimal("3.333")]) == Decimal("93.32")
    feb = [Decimal(1)] * 28
    assert month_end_forecast(month, date(2026, 2, 28), feb) == Decimal("28.00")


def test_forecast_refuses_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="expected 10 daily amounts"):
        month_end_forecast(month_of(TODAY), TODAY, [Decimal(1)])
    with pytest.raises(ValueError, match="outside"):
        month_end_forecast(month_of(TODAY), date(2026, 12, 1), [])


def test_top_movers_by_absolute_change_with_new_and_gone_groups() -> None:
    moves = top_movers(
        {"a": Decimal(100), "b": Decimal(50), "new": Decimal(30), "same": Decimal(5)},
        {"a": Decimal(90), "b": Decimal(100), "gone": Decimal(20), "same": Decimal(5)},
        top=3,
    )
    assert [(m.key, m.change) for m in moves] == [
        ("b", Decimal(-50)),
        ("new", Decimal(30)),
        ("gone", Decimal(-20)),
    ]
    assert moves[0].change_pct == -50.0
    assert moves[1].change_pct is None


def test_share_of_nothing_is_unknown() -> None:
    assert share(Decimal(1), Decimal(0)) is None
    assert share(Decimal(1), Decimal(4)) == 0.25


def test_chart_step_grows_with_the_window() -> None:
    from app.queries.spend import chart_step, step_name

    assert [chart_step(d) for d in (1, 45, 46, 200, 201, 366)] == [
        1,
        1,
        "week",
        "week",
        "month",
        "month",
    ]
    assert [step_name(s) for s in (1, "week", "month")] == ["day", "week", "month"]
