"""Row-wise statistics over samples where some slots are empty (NaN).

An hour of one container is a row of ``12 × max_pods`` slots; a slot is NaN when that
pod did not exist at that step. ``numpy.nanpercentile`` does this too but is slow on
thousands of rows; sorting once and interpolating by each row's own count is exact
(numpy's default "linear" method) and vectorised.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def counts(values: FloatArray) -> IntArray:
    """Number of present (non-NaN) samples per row."""
    return np.asarray((~np.isnan(values)).sum(axis=1), dtype=np.int64)


def row_percentiles(values: FloatArray, qs: tuple[float, ...]) -> FloatArray:
    """Percentiles (``qs`` in 0..100) of each row's present samples; NaN for empty rows.

    Returns an array of shape ``(rows, len(qs))``.
    """
    if values.ndim != 2:
        raise ValueError("values must be a 2-D array of rows")
    ordered = np.sort(values, axis=1)  # NaN sorts last
    n = counts(values)
    out = np.full((values.shape[0], len(qs)), np.nan)
    has = n > 0
    if not has.any():
        return out
    rows = ordered[has]
    last = (n[has] - 1).astype(np.float64)
    for j, q in enumerate(qs):
        if not 0.0 <= q <= 100.0:
            raise ValueError(f"percentile {q} is outside 0..100")
        pos = last * (q / 100.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.ceil(pos).astype(np.int64)
        v_lo = np.take_along_axis(rows, lo[:, None], axis=1)[:, 0]
        v_hi = np.take_along_axis(rows, hi[:, None], axis=1)[:, 0]
        out[has, j] = v_lo + (v_hi - v_lo) * (pos - lo)
    return out


def row_mean(values: FloatArray) -> FloatArray:
    n = counts(values)
    total = np.where(np.isnan(values), 0.0, values).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(n > 0, total / np.maximum(n, 1), np.nan), dtype=np.float64)


def row_max(values: FloatArray) -> FloatArray:
    filled = np.where(np.isnan(values), -np.inf, values)
    best = filled.max(axis=1)
    return np.asarray(np.where(np.isfinite(best), best, np.nan), dtype=np.float64)
