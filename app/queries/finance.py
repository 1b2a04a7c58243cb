"""Pure finance arithmetic for the pages: windows, month-end forecast, top movers.

No database here, so each rule is tested with exact numbers.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.errors import InvalidParameterError

ZERO = Decimal(0)
CENT = Decimal("0.01")
FORECAST_TRAILING_DAYS = 7
_RELATIVE = re.compile(r"^(\d{1,3})d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WINDOW_HELP = "use 7d, 30d, 90d (up to 366d), mtd, lastmonth, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"


@dataclass(frozen=True)
class Window:
    """Days ``start`` ≤ day < ``end``; ``label`` is what the user asked for."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Window:
        """The period of equal length just before, for comparisons."""
        return Window(self.start - timedelta(days=self.days), self.start, f"before {self.label}")


def month_of(day: date) -> Window:
    first = day.replace(day=1)
    last = calendar.monthrange(day.year, day.month)[1]
    return Window(first, first + timedelta(days=last), f"{day:%Y-%m}")


def parse_window(value: str, today: date) -> Window:
    """A window ending with ``today`` (inclusive) or an explicit range, or a 422 error."""
    v = value.strip().lower()
    end = today + timedelta(days=1)
    if m := _RELATIVE.match(v):
        n = int(m.group(1))
        if not 1 <= n <= 366:
            raise InvalidParameterError("window", f"{value!r} is out of range; {WINDOW_HELP}")
        return Window(end - timedelta(days=n), end, v)
    if v == "mtd":
        return Window(today.replace(day=1), end, v)
    if v == "lastmonth":
        prev = month_of(today.replace(day=1) - timedelta(days=1))
        return Window(prev.start, prev.end, v)
    if m := _MONTH.match(v):
        try:
            return month_of(date(int(m.group(1)), int(m.group(2)), 1))
        except ValueError:
            raise InvalidParameterError("window", f"{value!r} is not a month") from None
    if m := _RANGE.match(v):
        try:
            a, b = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            raise InvalidParameterError("window", f"{value!r} has an invalid date") from None
        if b < a:
            raise InvalidParameterError("window", f"{value!r} ends before it starts")
        if (b - a).days > 366:
            raise InvalidParameterError("window", f"{value!r} is longer than 366 days")
        return Window(a, b + timedelta(days=1), v)
    raise InvalidParameterError("window", f"cannot read {value!r}; {WINDOW_HELP}")


def month_end_forecast(month: Window, as_of: date, daily: Sequence[Decimal]) -> Decimal:
    """Spend to date plus the trailing-7-day daily average for each remaining day.

    ``daily`` holds the month's days from its first up to ``as_of`` inclusive. A
    recent average follows a trend better than the month's average and is simpler to
    explain than a fitted model; with no data yet the forecast is zero.
    """
    if not month.start <= as_of < month.end:
        raise ValueError(f"{as_of} is outside {month.label}")
    elapsed = (as_of - month.start).days + 1
    if len(daily) != elapsed:
        raise ValueError(f"expected {elapsed} daily amounts, got {len(daily)}")
    to_date = sum(daily, ZERO)
    recent = list(daily[-FORECAST_TRAILING_DAYS:])
    if not recent:
        return ZERO
    rate = sum(recent, ZERO) / len(recent)
    remaining = (month.end - as_of).days - 1
    return (to_date + rate * remaining).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Movement:
    key: str
    previous: Decimal
    current: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if self.previous == 0 else float(self.change / self.previous * 100)


def top_movers(
    current: Mapping[str, Decimal], previous: Mapping[str, Decimal], top: int = 5
) -> list[Movement]:
    """The ``top`` groups with the largest absolute change; ties by name for stable output."""
    keys = set(current) | set(previous)
    moves = [Movement(k, previous.get(k, ZERO), current.get(k, ZERO)) for k in keys]
    moves = [m for m in moves if m.change != 0]
    moves.sort(key=lambda m: (-abs(m.change), m.key))
    return moves[:top]


def share(part: Decimal, whole: Decimal) -> float | None:
    return None if whole == 0 else float(part / whole)
