"""Allocation windows and steps, written the way OpenCost's API writes them.

Allocation is stored per UTC day (the bill's own granularity), so every window
resolves to whole UTC days ``[start, end)``. Accepted forms:

- ``today``, ``yesterday``; ``week`` (week to date, weeks start on Sunday as in
  OpenCost) and ``lastweek``; ``month`` (month to date) and ``lastmonth``;
- ``Nd`` / ``Nw`` / ``Nh``: today plus the previous days (OpenCost: "the past 7 days"
  is the whole of today and the six days before); hours must be whole days;
- a pair ``a,b`` of RFC 3339 times, ``YYYY-MM-DD`` dates or Unix seconds, each at
  midnight UTC, ``b`` exclusive.

Anything else raises ``ParameterError`` naming the parameter, with the accepted forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.allocation.errors import ParameterError

MAX_DAYS = 3660  # ten years: a bound on work per request, far beyond any real question
_DURATION = re.compile(r"^(\d{1,6})([dwh])$")
_FORMS = "today, yesterday, week, lastweek, month, lastmonth, Nd, Nw, a,b (RFC 3339 pair)"


@dataclass(frozen=True, order=True)
class DayWindow:
    """Whole UTC days ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} must be after start {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def label(self) -> str:
        return f"{self.start.isoformat()}T00:00:00Z,{self.end.isoformat()}T00:00:00Z"

    def as_json(self) -> dict[str, str]:
        return {"start": f"{self.start.isoformat()}T00:00:00Z", "end": f"{self.end}T00:00:00Z"}


def _first_of_month(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _bounded(window: DayWindow, parameter: str) -> DayWindow:
    if window.days > MAX_DAYS:
        raise ParameterError(parameter, f"window spans {window.days} days; at most {MAX_DAYS}")
    return window


def _parse_point(text: str, parameter: str) -> date:
    """One end of a pair, which must fall on midnight UTC."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{9,11}", text):
            t = datetime.fromtimestamp(int(text), tz=UTC)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        else:
            t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if t.tzinfo is None:
                raise ParameterError(
                    parameter, f"{text!r} has no time zone: write Z or an offset (RFC 3339)"
                )
    except (ValueError, OverflowError) as exc:
        raise ParameterError(
            parameter, f"{text!r} is not an RFC 3339 time, a YYYY-MM-DD date or Unix seconds"
        ) from exc
    t = t.astimezone(UTC)
    if (t.hour, t.minute, t.second, t.microsecond) != (0, 0, 0, 0):
        raise ParameterError(
            parameter,
            f"{text!r} is not midnight UTC: allocation is daily, so windows are whole UTC days",
        )
    return t.date()


def parse_window(text: str, today: date, parameter: str = "window") -> DayWindow:
    """Resolve an OpenCost-style window string relative to ``today`` (a UTC date)."""
    raw = (text or "").strip().lower()
    if not raw:
        raise ParameterError(parameter, f"a window is required; accepted forms: {_FORMS}")
    tomorrow = today + timedelta(days=1)
    if raw == "today":
        return DayWindow(today, tomorrow)
    if raw == "yesterday":
        return DayWindow(today - timedelta(days=1), today)
    if raw in {"week", "lastweek"}:
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        if raw == "week":
            return DayWindow(sunday, tomorrow)
        return DayWindow(sunday - timedelta(days=7), sunday)
    if raw == "month":
        return DayWindow(_first_of_month(today), tomorrow)
    if raw == "lastmonth":
        first = _first_of_month(today)
        return DayWindow(_first_of_month(first - timedelta(days=1)), first)
    m = _DURATION.match(raw)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if unit == "h":
            if n % 24:
                raise ParameterError(
                    parameter, f"{text!r}: allocation is daily, so hours must be a multiple of 24"
                )
            n //= 24
        elif unit == "w":
            n *= 7
        if n < 1:
            raise ParameterError(parameter, f"{text!r}: a window covers at least one day")
        if n > MAX_DAYS:
            raise ParameterError(parameter, f"{text!r} spans {n} days; at most {MAX_DAYS}")
        return DayWindow(tomorrow - timedelta(days=n), tomorrow)
    if "," in raw:
        parts = text.split(",")
        if len(parts) != 2:
            raise ParameterError(parameter, f"{text!r}: a pair is two times separated by a comma")
        start, end = (_parse_point(p, parameter) for p in parts)
        if end <= start:
            raise ParameterError(parameter, f"{text!r}: the end must be after the start")
        return _bounded(DayWindow(start, end), parameter)
    raise ParameterError(parameter, f"{text!r} is not a window; accepted forms: {_FORMS}")


def parse_step(text: str | None, parameter: str = "step") -> str | int | None:
    """``None`` (one set for the whole window), a number of days, ``"week"`` or ``"month"``."""
    if text is None or text.strip() == "":
        return None
    raw = text.strip().lower()
    if raw in {"day", "daily"}:
        return 1
    if raw in {"week", "weekly"}:
        return "week"
    if raw in {"month", "monthly"}:
        return "month"
    m = _DURATION.match(raw)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if unit == "h":
            if n % 24 or n == 0:
                raise ParameterError(parameter, f"{text!r}: steps are whole days (24h, 48h, ...)")
            return n // 24
        days = n * (7 if unit == "w" else 1)
        if days < 1 or days > MAX_DAYS:
            raise ParameterError(parameter, f"{text!r}: a step is 1 to {MAX_DAYS} days")
        return days
    raise ParameterError(parameter, f"{text!r} is not a step; use 1d, Nd, 1w, day, week or month")


def split_steps(window: DayWindow, step: str | int | None) -> list[DayWindow]:
    """Consecutive sub-windows: fixed days from the start, or calendar weeks/months."""
    if step is None:
        return [window]
    out: list[DayWindow] = []
    t = window.start
    while t < window.end:
        if step == "month":
            nxt = _next_month(t)
        elif step == "week":
            nxt = t + timedelta(days=7 - (t.weekday() + 1) % 7)
        else:
            assert isinstance(step, int)
            nxt = t + timedelta(days=step)
        nxt = min(nxt, window.end)
        out.append(DayWindow(t, nxt))
        t = nxt
    return out
