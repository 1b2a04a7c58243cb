"""Kubernetes quantities: parsing every spelling, writing the canonical one, rounding up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rightsizing.gitops.errors import QuantityError
from rightsizing.gitops.quantities import (
    format_cpu,
    format_memory,
    format_quantity,
    parse_quantity,
    rounded,
)

MI = 2**20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250m", Decimal("0.25")),
        ("1", Decimal(1)),
        (1, Decimal(1)),
        (0.5, Decimal("0.5")),
        ("0.5", Decimal("0.5")),
        (".5", Decimal("0.5")),
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("512Mi", Decimal(512 * MI)),
        ("1Gi", Decimal(2**30)),
        ("1.5Gi", Decimal(3 * 2**29)),
        ("128974848", Decimal(128974848)),
        ("129M", Decimal(129_000_000)),
        ("100k", Decimal(100_000)),
        ("10u", Decimal("0.00001")),
        (" 300Mi ", Decimal(300 * MI)),
    ],
)
def test_parse_every_spelling(text: object, expected: Decimal) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "bad", ["", "abc", "1.2.3", "5 Mi", "Mi", "1mi", "-1", None, True, [1], "1Qi", "0x10"]
)
def test_bad_quantities_are_refused_with_the_value_named(bad: object) -> None:
    with pytest.raises(QuantityError) as exc:
        parse_quantity(bad)
    assert "quantity" in str(exc.value) or "negative" in str(exc.value)


@pytest.mark.parametrize(
    ("cores", "text"),
    [
        ("0.25", "250m"),
        ("0.2501", "251m"),  # rounded up: never below the recommendation
        ("0.0001", "1m"),
        ("1", "1"),
        ("2.000", "2"),
        ("1.5", "1500m"),
        ("0.999", "999m"),
    ],
)
def test_cpu_is_written_in_millicores_rounded_up(cores: str, text: str) -> None:
    assert format_cpu(Decimal(cores)) == text
    assert parse_quantity(text) >= Decimal(cores)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (384 * MI, "384Mi"),
        (384 * MI + 1, "385Mi"),
        (2**30, "1Gi"),
        (3 * 2**30, "3Gi"),
        (1536 * MI, "1536Mi"),
        (1, "1Mi"),
    ],
)
def test_memory_is_written_in_mebibytes_rounded_up(size: int, text: str) -> None:
    assert format_memory(Decimal(size)) == text
    assert parse_quantity(text) >= size


def test_rounded_matches_what_is_written() -> None:
    for resource, value in (("cpu", Decimal("0.33333")), ("memory", Decimal(300 * MI + 17))):
        assert rounded(resource, value) == parse_quantity(format_quantity(resource, value))


@pytest.mark.parametrize("value", [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_non_positive_values_cannot_be_written(value: Decimal) -> None:
    with pytest.raises(QuantityError):
        format_cpu(value)
    with pytest.raises(QuantityError):
        format_memory(value)


def test_unknown_resource_is_an_error() -> None:
    with pytest.raises(QuantityError, match="unknown resource"):
        format_quantity("gpu", Decimal(1))
