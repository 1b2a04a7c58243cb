"""The collector contract: arguments, windows, determinism and split-invariance."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.cost_tags import CostTag
from collectors.demo import DemoCollector, DemoConfigError, DemoError
from collectors.records import Batch, Collector, CollectorError, TimeWindow

DEMO_END = datetime(2026, 3, 1, 13, tzinfo=UTC)  # the same end as conftest.demo


def _snapshots(batch: Batch) -> dict[str, set[object]]:
    """Snapshot records as sets: they are repeated with every window and upserted by key."""
    return {
        "namespaces": {
            (n.cluster, n.name, tuple(sorted(n.labels.items()))) for n in batch.namespaces
        },
        "workloads": {repr(w) for w in batch.workloads},
        "quotas": {repr(q) for q in batch.quotas},
        "nodes": set(batch.nodes),
    }


def _combined(demo: DemoCollector, cuts: list[datetime]) -> Batch:
    out = Batch()
    for start, end in itertools.pairwise(cuts):
        out.extend(demo.collect(TimeWindow(start, end)))
    return out


def test_is_a_collector_named_demo(demo: DemoCollector) -> None:
    assert isinstance(demo, Collector)
    assert demo.source == "demo"


def test_full_window_starts_at_midnight_and_ends_at_end(demo: DemoCollector) -> None:
    w = demo.full_window()
    assert w.end == DEMO_END
    assert w.start == datetime(2026, 1, 30, tzinfo=UTC)  # midnight of end - 30 days
    assert len(w.hours()) == 30 * 24 + 13


def test_end_defaults_to_the_current_hour() -> None:
    before = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    demo = DemoCollector()
    after = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert demo.end in {before, after}
    assert demo.full_window().end == demo.end


def test_same_seed_and_end_give_identical_records(full: Batch) -> None:
    again = DemoCollector(seed=42, end=DEMO_END)
    batch = again.collect(again.full_window())
    assert batch.usage == full.usage
    assert batch.costs == full.costs
    assert batch.nodes == full.nodes
    assert repr(batch.workloads) == repr(full.workloads)


def test_another_seed_gives_other_usage_but_the_same_cluster(full: Batch) -> None:
    other = DemoCollector(seed=7, end=DEMO_END)
    batch = other.collect(other.full_window())
    assert [u.cpu_p95 for u in batch.usage[:50]] != [u.cpu_p95 for u in full.usage[:50]]
    assert {(w.namespace, w.name) for w in batch.workloads} == {
        (w.namespace, w.name) for w in full.workloads
    }


@pytest.mark.parametrize(
    "cuts_after_start",
    [
        [timedelta(days=10)],  # midnight
        [timedelta(days=3, hours=7), timedelta(days=17, hours=23)],  # mid-day hour boundaries
        [timedelta(days=5, minutes=30), timedelta(days=5, hours=1, minutes=10)],  # mid-hour
        [timedelta(hours=h) for h in range(1, 30 * 24, 97)],  # many small windows
    ],
    ids=["midnight", "hours", "mid-hour", "many"],
)
def test_split_windows_give_the_same_records(
    demo: DemoCollector, full: Batch, cuts_after_start: list[timedelta]
) -> None:
    w = demo.full_window()
    cuts = [w.start, *(w.start + c for c in cuts_after_start), w.end]
    parts = _combined(demo, cuts)
    assert Counter(parts.usage) == Counter(full.usage)
    assert Counter(parts.costs) == Counter(full.costs)
    assert _snapshots(parts) == _snapshots(full)


def test_midnight_windows_get_exactly_their_whole_days(demo: DemoCollector) -> None:
    start = datetime(2026, 2, 10, tzinfo=UTC)
    batch = demo.collect(TimeWindow(start, start + timedelta(days=3)))
    days = {c.day for c in batch.costs}
    assert days == {start.date() + timedelta(days=i) for i in range(3)}
    assert {u.hour for u in batch.usage} == set(
        TimeWindow(start, start + timedelta(days=3)).hours()
    )


def test_the_current_partial_day_has_usage_but_no_costs(full: Batch) -> None:
    today = DEMO_END.date()
    assert any(u.hour.date() == today for u in full.usage)
    assert all(c.day < today for c in full.costs)
    assert len({c.day for c in full.costs}) == 30


def test_window_outside_the_span_is_empty(demo: DemoCollector) -> None:
    w = demo.full_window()
    before = demo.collect(TimeWindow(w.start - timedelta(days=5), w.start))
    after = demo.collect(TimeWindow(w.end, w.end + timedelta(days=1)))
    assert len(before) == 0
    assert len(after) == 0


def test_window_overlapping_the_span_is_clipped(demo: DemoCollector, full: Batch) -> None:
    w = demo.full_window()
    batch = demo.collect(TimeWindow(w.start - timedelta(days=3), w.end + timedelta(days=3)))
    assert batch.usage == full.usage
    assert Counter(batch.costs) == Counter(full.costs)
    assert min(u.hour for u in batch.usage) == w.start
    assert max(u.hour for u in batch.usage) == w.end - timedelta(hours=1)


def test_collect_rejects_anything_but_a_window(demo: DemoCollector) -> None:
    bad: Any = (DEMO_END - timedelta(days=1), DEMO_END)
    with pytest.raises(DemoError, match="needs a TimeWindow, got tuple") as err:
        demo.collect(bad)
    assert isinstance(err.value, CollectorError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed must be between 0"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"seed": True}, "seed must be an integer"),
        ({"seed": "42"}, "seed must be an integer"),
        ({"days": 0}, "days must be between 1 and 92"),
        ({"days": 93}, "days must be between 1 and 92"),
        ({"days": None}, "days must be an integer"),
        ({"end": datetime(2026, 3, 1, 13)}, "timezone-aware UTC"),
        ({"end": datetime(2026, 3, 1, 13, tzinfo=timezone(timedelta(hours=9)))}, "UTC"),
        ({"end": datetime(2026, 3, 1, 13, 30, tzinfo=UTC)}, "whole hour"),
        ({"end": "2026-03-01T13:00:00Z"}, "end must be a datetime"),
        ({"cluster": ""}, "cluster must be an EKS cluster name"),
        ({"cluster": "tacos demo"}, "cluster must be an EKS cluster name"),
        ({"cluster": "-tacos"}, "cluster must be an EKS cluster name"),
        ({"account_id": "12345"}, "account_id must be 12 digits"),
        ({"account_id": 123456789012}, "account_id must be 12 digits"),
        ({"cost_tags": []}, "non-empty sequence of CostTag"),
        ({"cost_tags": [CostTag("team", "team", "Team")] * 2}, "must be unique"),
        ({"cost_tags": [CostTag("team", "", "Team")]}, "needs a name, a label and an aws_tag"),
        ({"cluster_tag_key": " "}, "cluster_tag_key must be a non-empty string"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(
    kwargs: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"end": DEMO_END, **kwargs}
    with pytest.raises(DemoConfigError, match=message) as err:
        DemoCollector(**args)
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, CollectorError)


def test_a_short_span_still_has_the_whole_story() -> None:
    demo = DemoCollector(seed=3, end=DEMO_END, days=2)
    batch = demo.collect(demo.full_window())
    assert len({c.day for c in batch.costs}) == 2
    assert max(u.pods for u in batch.usage if u.workload == "gateway-api") > 30  # the spike


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=(30 * 24 + 12) * 60), max_size=6, unique=True)
)
def test_any_split_gives_the_same_records(
    demo: DemoCollector, full: Batch, cuts: list[int]
) -> None:
    w = demo.full_window()
    points = [w.start, *(w.start + timedelta(minutes=m) for m in sorted(cuts)), w.end]
    parts = _combined(demo, points)
    assert Counter(parts.usage) == Counter(full.usage)
    assert Counter(parts.costs) == Counter(full.costs)
    assert _snapshots(parts) == _snapshots(full)
