"""Budget periods, forecasts, threshold crossings and spend anomalies, with known answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.budgets.evaluate import BudgetStatus, crossings, forecast, spend_anomalies
from app.budgets.periods import period_of
from app.budgets.slack import escape


@pytest.mark.parametrize(
    ("kind", "day", "key", "start", "end"),
    [
        ("monthly", date(2026, 11, 26), "2026-11", date(2026, 11, 1), date(2026, 12, 1)),
        ("monthly", date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("monthly", date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 3, 1)),
        ("weekly", date(2026, 11, 26), "2026-W48", date(2026, 11, 23), date(2026, 11, 30)),
        ("weekly", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 4)),
        ("quarterly", date(2026, 11, 26), "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("quarterly", date(2026, 2, 1), "2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
    ],
)
def test_periods(kind: str, day: date, key: str, start: date, end: date) -> None:
    p = period_of(kind, day)
    assert (p.key, p.start, p.end) == (key, start, end)


def test_unknown_period() -> None:
    with pytest.raises(ValueError, match="unknown budget period"):
        period_of("yearly", date(2026, 1, 1))


def test_forecast_is_run_rate_over_complete_days() -> None:
    assert forecast(Decimal("250"), 10, 30) == Decimal("750.00")
    assert forecast(Decimal("0"), 0, 30) == Decimal("0")


def status(actual: str, fc: str, days: int = 10) -> BudgetStatus:
    return BudgetStatus(
        "b", "total", "2026-11", Decimal(1000), Decimal(actual), Decimal(fc), days, 30
    )


def test_crossings_actual_beats_forecast_and_each_threshold_once() -> None:
    got = crossings(status("850", "2550"), [100, 80, 80, 50])
    assert [(c.threshold, c.basis) for c in got] == [
        (50, "actual"),
        (80, "actual"),
        (100, "forecast"),
    ]
    assert status("850", "2550").actual_ratio == pytest.approx(0.85)


def test_no_forecast_alert_before_a_complete_day() -> None:
    assert crossings(status("10", "5000", days=0), [80, 100]) == []


def test_anomaly_needs_relative_and_absolute_change_and_history() -> None:
    base = [Decimal(100)] * 30
    daily = {
        "jump": [*base, Decimal(150)],  # +50 %, +$50
        "small": [Decimal(10)] * 30 + [Decimal(19)],  # +90 % but only +$9
        "flat": [*base, Decimal(110)],  # +10 %
        "new": [Decimal(0)] * 30 + [Decimal(40)],  # from nothing
        "short": [Decimal(1), Decimal(100)],  # not enough history
    }
    found = {a.service: a for a in spend_anomalies(daily, "2026-11-25")}
    assert set(found) == {"jump", "new"}
    assert found["jump"].change == pytest.approx(0.5)
    assert found["jump"].baseline == Decimal("100.00")


def test_slack_escaping() -> None:
    assert escape("<script>alert(1)</script> & <!channel>") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;"
    )
