from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.allocation.errors import ParameterError
from app.allocation.window import DayWindow, parse_step, parse_window, split_steps

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("today", date(2026, 11, 26), date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 25), date(2026, 11, 26)),
        ("7d", date(2026, 11, 20), date(2026, 11, 27)),
        ("1w", date(2026, 11, 20), date(2026, 11, 27)),
        ("48h", date(2026, 11, 25), date(2026, 11, 27)),
        ("week", date(2026, 11, 22), date(2026, 11, 27)),
        ("lastweek", date(2026, 11, 15), date(2026, 11, 22)),
        ("month", date(2026, 11, 1), date(2026, 11, 27)),
        ("lastmonth", date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-11-01T00:00:00Z,2026-11-08T00:00:00Z", date(2026, 11, 1), date(2026, 11, 8)),
        ("2026-11-01T01:00:00+01:00,2026-11-02", date(2026, 11, 1), date(2026, 11, 2)),
        ("1793491200,1793577600", date(2026, 11, 1), date(2026, 11, 2)),
    ],
)
def test_windows_resolve_to_whole_days(text: str, start: date, end: date) -> None:
    assert parse_window(text, TODAY) == DayWindow(start, end)


def test_lastmonth_in_january_is_december() -> None:
    assert parse_window("lastmonth", date(2027, 1, 15)) == DayWindow(
        date(2026, 12, 1), date(2027, 1, 1)
    )


def test_week_on_a_sunday_is_just_today() -> None:
    sunday = date(2026, 11, 22)
    assert parse_window("week", sunday) == DayWindow(sunday, date(2026, 11, 23))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "required"),
        ("fortnight", "not a window"),
        ("0d", "at least one day"),
        ("5h", "multiple of 24"),
        ("99999d", "at most"),
        ("2026-11-02,2026-11-01", "after the start"),
        ("2026-11-01T10:00:00Z,2026-11-02T00:00:00Z", "not midnight UTC"),
        ("2026-11-01T00:00:00,2026-11-02T00:00:00", "no time zone"),
        ("2026-13-01,2026-11-02", "not an RFC 3339"),
        ("a,b,c", "two times"),
        ("1900-01-01,2026-01-01", "at most"),
    ],
)
def test_bad_windows_name_the_parameter(text: str, fragment: str) -> None:
    with pytest.raises(ParameterError, match=fragment) as info:
        parse_window(text, TODAY)
    assert info.value.parameter == "window"


def test_steps() -> None:
    assert parse_step(None) is None
    assert parse_step("1d") == 1
    assert parse_step("24h") == 1
    assert parse_step("2w") == 14
    assert parse_step("week") == "week"
    assert parse_step("month") == "month"
    for bad in ("0d", "1h", "1y", "soon"):
        with pytest.raises(ParameterError) as info:
            parse_step(bad)
        assert info.value.parameter == "step"


def test_split_steps_cover_the_window_without_gaps() -> None:
    w = DayWindow(date(2026, 10, 20), date(2026, 11, 12))
    for step in (1, 3, "week", "month"):
        parts = split_steps(w, step)
        assert parts[0].start == w.start and parts[-1].end == w.end
        assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    months = split_steps(w, "month")
    assert [p.start for p in months] == [date(2026, 10, 20), date(2026, 11, 1)]
    weeks = split_steps(w, "week")
    assert weeks[1].start == date(2026, 10, 25)  # a Sunday
    assert split_steps(w, None) == [w]
