"""Client-side ``sum by`` / ``max by (namespace, pod, container)`` of raw range answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from collectors.prometheus.client import Series
from collectors.prometheus.combine import combine


def s(labels: dict[str, str], points: dict[int, float]) -> Series:
    ts = np.array(sorted(points), dtype=np.int64)
    return Series(labels, ts, np.array([points[t] for t in sorted(points)], dtype=np.float64))


POD = {"namespace": "tacos", "pod": "gateway-api-1", "container": "app"}


def test_single_series_keeps_its_samples_and_only_the_key_labels() -> None:
    raw = s({**POD, "id": "/kubepods/a", "image": "x:1", "instance": "n1"}, {300: 0.5, 600: 0.7})
    (out,) = combine([raw], "sum")
    assert out.labels == POD
    assert out.timestamps.tolist() == [300, 600]
    assert out.values.tolist() == [0.5, 0.7]


def test_sum_adds_values_at_equal_timestamps_over_the_union_of_times() -> None:
    # A container restarted in place: the old cgroup's series ends, the new one starts,
    # and both have a rate at 600 (the step that spans the restart).
    old = s({**POD, "id": "/a"}, {300: 0.25, 600: 0.125})
    new = s({**POD, "id": "/b"}, {600: 0.5, 900: 0.75})
    (out,) = combine([old, new], "sum")
    assert out.timestamps.tolist() == [300, 600, 900]
    assert out.values.tolist() == [0.25, 0.625, 0.75]
    assert out.timestamps.dtype == np.int64


def test_max_takes_the_larger_value_and_ignores_nan_like_promql() -> None:
    a = s({**POD, "id": "/a"}, {300: 100.0, 600: math.nan, 900: math.nan})
    b = s({**POD, "id": "/b"}, {300: 50.0, 600: 80.0})
    (out,) = combine([a, b], "max")
    assert out.timestamps.tolist() == [300, 600, 900]
    assert out.values[:2].tolist() == [100.0, 80.0]
    assert math.isnan(out.values[2])  # only NaN there: still a sample (the pod was scraped)


def test_sum_propagates_nan_like_promql() -> None:
    a = s({**POD, "cpu": "cpu00"}, {300: math.nan})
    b = s({**POD, "cpu": "cpu01"}, {300: 0.5})
    (out,) = combine([a, b], "sum")
    assert math.isnan(out.values[0])


@pytest.mark.parametrize("how", ["sum", "max"])
def test_different_containers_pods_and_namespaces_stay_apart(how: str) -> None:
    others = [
        {**POD, "container": "sidecar"},
        {**POD, "pod": "gateway-api-2"},
        {**POD, "namespace": "other"},
    ]
    series = [s(POD, {300: 1.0})] + [s(labels, {300: 2.0}) for labels in others]
    out = combine(series, how)  # type: ignore[arg-type]
    assert sorted(tuple(sorted(o.labels.items())) for o in out) == sorted(
        tuple(sorted(labels.items())) for labels in [POD, *others]
    )
    assert all(o.values.tolist() == [1.0 if o.labels == POD else 2.0] for o in out)


def test_missing_key_labels_are_left_out_not_set_empty() -> None:
    (out,) = combine([s({"pod": "p", "container": "c"}, {300: 1.0})], "sum")
    assert out.labels == {"pod": "p", "container": "c"}


def test_no_series() -> None:
    assert combine([], "sum") == []
