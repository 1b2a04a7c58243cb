import numpy as np
import pytest

from rightsizing.quantiles import DecayingHistogram, recency_weights, weighted_quantile


def test_weighted_quantile_of_1_to_100_is_the_observed_value():
    v = np.arange(1, 101, dtype=float)
    w = np.ones_like(v)
    assert weighted_quantile(v, w, 0.95) == 95.0
    assert weighted_quantile(v, w, 0.5) == 50.0
    assert weighted_quantile(v, w, 1.0) == 100.0
    assert weighted_quantile(v, w, 0.0) == 1.0


def test_weights_shift_the_quantile():
    v = np.array([1.0, 2.0, 3.0])
    # 3 carries 90% of the weight: the median is 3
    assert weighted_quantile(v, np.array([0.05, 0.05, 0.9]), 0.5) == 3.0
    assert weighted_quantile(v, np.array([0.9, 0.05, 0.05]), 0.5) == 1.0


@pytest.mark.parametrize(
    ("values", "weights", "q", "message"),
    [
        (np.array([]), np.array([]), 0.5, "empty"),
        (np.array([1.0]), np.array([1.0]), 1.5, "within"),
        (np.array([1.0, 2.0]), np.array([0.0, 0.0]), 0.5, "zero"),
    ],
)
def test_weighted_quantile_rejects_bad_input(values, weights, q, message):
    with pytest.raises(ValueError, match=message):
        weighted_quantile(values, weights, q)


def test_recency_weights_halve_per_half_life():
    w = recency_weights(np.array([0.0, 3600.0, 7200.0]), 7200.0, 3600.0)
    assert w.tolist() == [0.25, 0.5, 1.0]


def test_histogram_buckets_grow_five_percent_and_percentile_is_bucket_end():
    h = DecayingHistogram(1000.0, 0.01)
    assert h.starts[0] == 0.0
    assert h.starts[1] == pytest.approx(0.01)
    assert h.starts[2] == pytest.approx(0.01 + 0.0105)
    h.add(np.array([0.015]), np.array([1.0]))  # falls in bucket 1 [0.01, 0.0205)
    assert h.percentile(0.9) == pytest.approx(0.0205)


def test_histogram_percentile_follows_weights():
    h = DecayingHistogram(1000.0, 0.01)
    h.add(np.array([0.1]), np.array([1.0]))
    h.add(np.array([1.0]), np.array([9.0]))
    # the answer is the end of the value's bucket: above it by less than one 5% step
    assert 0.1 < h.percentile(0.05) <= 0.1 * 1.05 + 0.01
    assert 1.0 < h.percentile(0.5) <= 1.0 * 1.05 + 0.01
    empty = DecayingHistogram(1000.0, 0.01)
    assert empty.percentile(0.9) == 0.0


def test_histogram_rejects_bad_bounds():
    with pytest.raises(ValueError, match="bounds"):
        DecayingHistogram(1.0, 0.0)
