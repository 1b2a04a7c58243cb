"""The cluster-fleet benchmark's fleet builder: the docs' robustness checks depend on it."""

import numpy as np

from bench.rightsizing_cluster_fleets import cluster_fleet, decision_weekday, int_range
from rightsizing.evaluation import generate_prodlike


def test_ranges_are_inclusive():
    assert list(int_range("201-203")) == [201, 202, 203]
    assert list(int_range("4")) == [4]


def test_one_usage_only_fleet_with_unique_ids():
    fleet = cluster_fleet("prod-b", int_range("1-2"), 0, None)
    assert len(fleet) == 160
    assert len({s.series_id for s in fleet}) == 160
    assert all(s.current.cpu_request is None for s in fleet)


def test_offset_moves_the_decisions_to_the_next_weekday():
    # prod-b starts on a Wednesday 09:10, so its first decision is a Wednesday
    assert decision_weekday(cluster_fleet("prod-b", int_range("1"), 0, None)) == "Wed"
    assert decision_weekday(cluster_fleet("prod-b", int_range("1"), 1, None)) == "Thu"
    assert decision_weekday(cluster_fleet("prod-a", int_range("1"), 3, None)) == "Sun"


def test_level_shift_scales_cpu_from_that_day_on_only():
    plain = cluster_fleet("prod-a", int_range("1"), 0, None)
    shifted = cluster_fleet("prod-a", int_range("1"), 0, (5.5, 0.6))
    start = min(float(s.times_s[0]) for s in plain) + 5.5 * 86400.0
    for a, b in zip(plain, shifted, strict=True):
        after = a.times_s >= start
        np.testing.assert_allclose(b.cpu[after], a.cpu[after] * 0.6)
        np.testing.assert_array_equal(b.cpu[~after], a.cpu[~after])
        np.testing.assert_array_equal(b.memory, a.memory)


def test_longer_traces_windows_and_current_requests():
    """--days regenerates the fleet that long, --current keeps each container's own
    requests (matched by id, not by position), and the window moves the first decision."""
    long = cluster_fleet("prod-b", int_range("1"), 0, None, days=28)
    assert max(float(s.times_s[-1] - s.times_s[0]) for s in long) > 27 * 86400.0
    assert decision_weekday(long, 14.0) == "Wed"  # prod-b starts on a Wednesday
    with_current = cluster_fleet("prod-b", int_range("1-2"), 0, None, current=True)
    own = {
        f"{s.series_id}/{seed}": s.current
        for seed in (1, 2)
        for s in generate_prodlike("prod-b", seed)
    }
    assert all(s.current == own[s.series_id] for s in with_current)
    assert all(s.current.cpu_request is not None for s in with_current)
