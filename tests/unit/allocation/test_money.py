from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.allocation.money import distribute, distribute_micros, scale_exact, to_micros


def test_splits_a_cent_three_ways_exactly() -> None:
    parts = distribute(Decimal("0.01"), [1, 1, 1])
    assert sum(parts) == Decimal("0.01")
    assert sorted(parts) == [Decimal("0.003333"), Decimal("0.003333"), Decimal("0.003334")]


def test_proportional_split_with_known_answer() -> None:
    assert distribute(Decimal("100"), [3, 1, 0]) == [Decimal(75), Decimal(25), Decimal(0)]


def test_negative_totals_split_like_positive_ones() -> None:
    assert distribute(Decimal("-10"), [1, 1]) == [Decimal(-5), Decimal(-5)]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [float("nan")], [float("inf"), 1]])
def test_bad_weights_are_refused(weights: list[float]) -> None:
    with pytest.raises(ValueError, match="weights"):
        distribute_micros(100, weights)


def test_amount_too_large_to_split_exactly_is_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        distribute_micros(2**53, [1, 1])


@given(
    total=st.integers(min_value=-(10**13), max_value=10**13),
    weights=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50).filter(
        lambda w: sum(w) > 0
    ),
)
def test_parts_always_add_up_and_zero_weights_get_nothing(total: int, weights: list[float]) -> None:
    parts = distribute_micros(total, weights)
    assert int(parts.sum()) == total
    for w, p in zip(weights, parts, strict=True):
        if w == 0:
            assert p == 0


@given(
    target=st.decimals(min_value=-1000, max_value=1000, places=6),
    amounts=st.lists(
        st.decimals(min_value=-500, max_value=500, places=6), min_size=1, max_size=8
    ).filter(lambda a: sum(a) != 0),
)
def test_scale_exact_hits_the_target(target: Decimal, amounts: list[Decimal]) -> None:
    assert sum(scale_exact(target, amounts)) == target


def test_to_micros_rounds_half_even() -> None:
    assert to_micros(Decimal("0.0000005")) == 0
    assert to_micros(Decimal("0.0000015")) == 2
