"""Crontab day-of-week semantics: 1 is Monday, 0 and 7 are Sunday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.scheduling.cron import crontab_trigger


def next_fire(expr: str, after: datetime) -> datetime:
    t = crontab_trigger(expr).get_next_fire_time(None, after)
    assert t is not None
    return t.astimezone(UTC)


def test_monday_means_monday() -> None:
    # 2026-11-26 is a Thursday.
    fired = next_fire("0 6 * * 1", datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert fired == datetime(2026, 11, 30, 6, tzinfo=UTC)
    assert fired.weekday() == 0


@pytest.mark.parametrize("dow", ["0", "7", "sun"])
def test_sunday_spellings(dow: str) -> None:
    fired = next_fire(f"30 2 * * {dow}", datetime(2026, 11, 26, tzinfo=UTC))
    assert fired == datetime(2026, 11, 29, 2, 30, tzinfo=UTC)


def test_ranges_and_steps() -> None:
    fired = next_fire("*/15 * * * 1-5", datetime(2026, 11, 28, 10, tzinfo=UTC))  # Saturday
    assert fired == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_bad_expressions() -> None:
    with pytest.raises(ValueError, match="expected 5 cron fields"):
        crontab_trigger("* * *")
    with pytest.raises(ValueError, match="out of range"):
        crontab_trigger("0 0 * * 9")
