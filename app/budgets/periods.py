"""Budget periods (monthly, weekly from Monday, quarterly) in whole UTC days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    key: str  # e.g. 2026-11, 2026-W48, 2026-Q4
    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def period_of(kind: str, day: date) -> Period:
    if kind == "monthly":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(f"{start:%Y-%m}", start, end)
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        iso = start.isocalendar()
        return Period(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=7))
    if kind == "quarterly":
        q = (day.month - 1) // 3
        start = date(day.year, 3 * q + 1, 1)
        end = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        return Period(f"{day.year}-Q{q + 1}", start, end)
    raise ValueError(f"unknown budget period {kind!r}: expected monthly, weekly or quarterly")
