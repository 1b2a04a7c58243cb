"""The fleet price's bisection searches each row's choice only between its choices at
the bracket's two ends. It must choose exactly what the full search over every
candidate chooses, ties included, and find the same price."""

import numpy as np
import pytest

from rightsizing.strategies.fleet_price import LEVELS, _bisect, cheapest


def _candidate_rows(rng: np.random.Generator, rows: int, ties: bool) -> tuple:
    """Rows as ``cost_candidates`` makes them: requests ascending, exceedance descending
    (from 0.4 down to 0), with runs of equal values where samples repeat."""
    steps = rng.exponential(1.0, (rows, LEVELS)) * rng.uniform(0.01, 2.0, (rows, 1))
    if ties:
        steps[rng.random((rows, LEVELS)) < 0.4] = 0.0
    c = np.cumsum(steps, axis=1)
    drops = rng.exponential(1.0, (rows, LEVELS))
    if ties:
        drops[steps == 0.0] = 0.0
    e = 0.4 * (1.0 - np.cumsum(drops, axis=1) / drops.sum(axis=1, keepdims=True))
    return c, np.maximum(e, 0.0)


def _full(c: np.ndarray, e: np.ndarray, price: float) -> np.ndarray:
    return np.argmin(c + price * e, axis=1)


@pytest.mark.parametrize("ties", [False, True])
def test_bounded_choice_is_the_full_search(ties: bool) -> None:
    rng = np.random.default_rng(7)
    c, e = _candidate_rows(rng, 400, ties)
    prices = np.sort(10.0 ** rng.uniform(-4, 4, 60))
    for lo_price, mid, hi_price in zip(prices[:-2], prices[1:-1], prices[2:], strict=True):
        low, high = _full(c, e, lo_price), _full(c, e, hi_price)
        assert np.all(low <= high)  # a higher price never chooses a cheaper candidate
        np.testing.assert_array_equal(cheapest(c, e, mid, low, high), _full(c, e, mid))


def test_without_bounds_it_is_the_full_search() -> None:
    c, e = _candidate_rows(np.random.default_rng(3), 50, True)
    np.testing.assert_array_equal(cheapest(c, e, 2.5, None, None), _full(c, e, 2.5))


def test_settled_rows_keep_their_choice_and_the_rest_are_searched() -> None:
    c = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    e = np.array([[0.5, 0.1, 0.0], [0.5, 0.1, 0.0]])
    # row 0 is settled at column 1; row 1 may be 0..2 and at price 10 chooses column 1
    got = cheapest(c, e, 10.0, np.array([1, 0]), np.array([1, 2]))
    np.testing.assert_array_equal(got, [1, 1])


def _plain_bisect(c: np.ndarray, e: np.ndarray, target: float) -> float:
    """The search as it was before bounds: every step over every candidate."""
    rows = np.arange(c.shape[0])

    def share(price: float) -> float:
        return float(e[rows, _full(c, e, price)].mean())

    lo, hi = -6.0, 6.0
    if share(10.0**hi) > target:
        return float(10.0**hi)
    if share(10.0**lo) <= target:
        return float(10.0**lo)
    for _ in range(32):
        mid = (lo + hi) / 2
        if share(10.0**mid) <= target:
            hi = mid
        else:
            lo = mid
    return float(10.0**hi)


@pytest.mark.parametrize("target", [0.0, 0.01, 0.05, 0.2, 0.5])
def test_the_bisection_finds_the_price_of_the_full_search(target: float) -> None:
    c, e = _candidate_rows(np.random.default_rng(11), 300, True)
    rows = np.arange(c.shape[0])
    calls: list[bool] = []

    def share_at(price: float, low: tuple | None, high: tuple | None) -> tuple:
        calls.append(low is not None)
        chosen = cheapest(
            c, e, price, None if low is None else low[0], None if high is None else high[0]
        )
        return float(e[rows, chosen].mean()), (chosen,)

    price, share = _bisect(share_at, target)
    assert price == _plain_bisect(c, e, target)
    assert share == float(e[rows, _full(c, e, price)].mean())
    if 0.0 < target < 0.4:  # bracketed: every step after the two ends is bounded
        assert calls[:2] == [False, False] and all(calls[2:]) and len(calls) == 34
