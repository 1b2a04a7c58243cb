"""The NaN-aware row statistics against hand-computed answers and numpy's own."""

from __future__ import annotations

import math

import numpy as np
import pytest

from collectors.demo import rollup

NAN = math.nan


def test_percentiles_use_only_present_samples() -> None:
    rows = np.array(
        [
            [1.0, 2.0, 3.0, 4.0, NAN],  # 4 samples
            [10.0, NAN, NAN, NAN, NAN],  # 1 sample
            [5.0, 1.0, 4.0, 2.0, 3.0],  # 5 samples, unsorted
            [NAN, NAN, NAN, NAN, NAN],  # none
        ]
    )
    got = rollup.row_percentiles(rows, (0.0, 50.0, 95.0, 100.0))
    # Linear interpolation: position q*(n-1) in the sorted present samples.
    assert got[0].tolist() == pytest.approx([1.0, 2.5, 3.85, 4.0])
    assert got[1].tolist() == pytest.approx([10.0, 10.0, 10.0, 10.0])
    assert got[2].tolist() == pytest.approx([1.0, 3.0, 4.8, 5.0])
    assert np.isnan(got[3]).all()


def test_percentiles_match_numpy_on_random_ragged_rows() -> None:
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 1.0, (200, 48))
    keep = rng.integers(1, 49, 200)
    values[np.arange(48)[None, :] >= keep[:, None]] = NAN
    rng.permuted(values, axis=1, out=values)
    qs = (50.0, 90.0, 95.0, 99.0)
    got = rollup.row_percentiles(values, qs)
    want = np.nanpercentile(values, qs, axis=1).T
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_mean_max_and_counts_ignore_missing_samples() -> None:
    rows = np.array([[1.0, NAN, 3.0], [NAN, NAN, NAN], [-2.0, -1.0, NAN]])
    assert rollup.counts(rows).tolist() == [2, 0, 2]
    mean = rollup.row_mean(rows)
    assert mean[0] == 2.0
    assert np.isnan(mean[1])
    assert mean[2] == -1.5
    best = rollup.row_max(rows)
    assert best[0] == 3.0
    assert np.isnan(best[1])
    assert best[2] == -1.0


def test_rejects_bad_shapes_and_percentiles() -> None:
    with pytest.raises(ValueError, match="2-D"):
        rollup.row_percentiles(np.array([1.0, 2.0]), (50.0,))
    with pytest.raises(ValueError, match=r"outside 0\.\.100"):
        rollup.row_percentiles(np.array([[1.0, 2.0]]), (101.0,))
