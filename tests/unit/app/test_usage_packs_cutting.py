"""The pure half of usage packs: which days a window covers, what is left as rows, cuts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from app.usage.packs import (
    full_days,
    pack,
    plan_packs,
    uncovered_ranges,
    unpack,
)

D0 = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)
DAY = timedelta(days=1)


def d(i: int) -> date:
    return (D0 + i * DAY).date()


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (D0, D0 + 3 * DAY, [d(0), d(1), d(2)]),  # midnight to midnight: all three
        (D0 + H, D0 + 3 * DAY, [d(1), d(2)]),  # the first day begins before the window
        (D0, D0 + 3 * DAY - H, [d(0), d(1)]),  # the last day ends after it
        (D0 + H, D0 + DAY + H, []),  # a day long but across midnight: no full day
        (D0, D0 + DAY, [d(0)]),
        (D0 + DAY, D0, []),  # an empty window
        # another time zone's midnight is not a UTC day boundary
        # 23:00 at UTC-2 is 01:00 UTC the next day: that day is not full
        (datetime(2026, 11, 1, 23, tzinfo=timezone(timedelta(hours=-2))), D0 + 3 * DAY, [d(2)]),
    ],
)
def test_full_days(start: datetime, end: datetime, days: list[date]) -> None:
    assert full_days(start, end) == days


def test_uncovered_ranges_leave_out_exactly_the_packed_days() -> None:
    start, end = D0 + 5 * H, D0 + 4 * DAY + 7 * H
    assert uncovered_ranges(start, end, []) == [(start, end)]
    assert uncovered_ranges(start, end, [d(1), d(2), d(3)]) == [
        (start, D0 + DAY),
        (D0 + 4 * DAY, end),
    ]
    # a gap between packed days, and days that are not wholly inside are ignored
    assert uncovered_ranges(start, end, [d(3), d(1), d(0), d(4), d(9)]) == [
        (start, D0 + DAY),
        (D0 + 2 * DAY, D0 + 3 * DAY),
        (D0 + 4 * DAY, end),
    ]
    assert uncovered_ranges(D0, D0 + 2 * DAY, [d(0), d(1)]) == []


def _table(hours: list[int]) -> np.ndarray:
    t = np.array([(D0 + h * H).timestamp() for h in hours])
    return np.vstack([t, np.arange(len(hours), dtype=float), np.full(len(hours), np.nan)])


def test_plan_cuts_each_container_into_its_stale_days_only() -> None:
    key = (1, "ns", "Deployment", "w", "app")
    other = (1, "ns", "Deployment", "v", "app")
    hours = [*range(20, 24), *range(24, 30), *range(50, 53)]  # day 0, day 1, day 2 (a gap)
    plan = plan_packs({key: _table(hours), other: _table([30])}, {d(1): 7, d(2): 3}, 3)
    assert plan.versions == {d(1): 7, d(2): 3}
    got = {(p["workload"], p["day"]): p for p in plan.packs}
    assert set(got) == {("w", d(1)), ("w", d(2)), ("v", d(1))}  # day 0 was not stale
    day1 = unpack(got[("w", d(1))]["data"], got[("w", d(1))]["hours"], 3)
    np.testing.assert_array_equal(day1, _table(hours)[:, 4:10])  # NaN kept
    assert got[("w", d(2))]["hours"] == 3 and got[("w", d(2))]["cluster_id"] == 1


def test_a_stale_day_without_rows_is_planned_empty() -> None:
    plan = plan_packs({}, {d(5): 2}, 3)
    assert plan.versions == {d(5): 2} and plan.packs == []


def test_pack_round_trip_and_bad_blobs() -> None:
    table = _table([1, 2, 3])
    assert np.array_equal(unpack(pack(table), 3, 3), table, equal_nan=True)
    with pytest.raises(ValueError, match="usage pack of 72 bytes does not hold 3 x 4"):
        unpack(pack(table), 4, 3)
    with pytest.raises(ValueError, match="a usage table has 3 rows, expected 14"):
        plan_packs({(1, "a", "b", "c", "d"): table}, {d(0): 1}, 14)
