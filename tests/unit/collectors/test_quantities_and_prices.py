"""Exact quantities, node capacity types and the fallback price table (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collectors.aws.fallback_prices import fallback_on_demand, us_east_1_table
from collectors.kubernetes.errors import KubernetesSpecError
from collectors.kubernetes.mapping import capacity_type
from collectors.kubernetes.quantities import quantity
from collectors.prometheus.queries import escape, exact_range, selector


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("100m", Decimal("0.1")),
        ("1", Decimal(1)),
        ("0.5", Decimal("0.5")),
        ("1Gi", Decimal(2**30)),
        ("1.5Gi", Decimal(1610612736)),
        ("1e3", Decimal(1000)),
        ("128974848", Decimal(128974848)),
        ("129M", Decimal(129_000_000)),
        (2, Decimal(2)),
    ],
)
def test_quantities_exact(raw: object, expected: Decimal) -> None:
    assert quantity(raw, "x") == expected


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "-1", "1Zi", True, None, "Infinity"])
def test_bad_quantities(raw: object) -> None:
    with pytest.raises(KubernetesSpecError, match=r"unparsable quantity .* at Deployment a/b"):
        quantity(raw, "Deployment a/b")


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"karpenter.sh/capacity-type": "spot"}, "spot"),
        ({"karpenter.sh/capacity-type": "on-demand"}, "on-demand"),
        ({"eks.amazonaws.com/capacityType": "SPOT"}, "spot"),
        ({"eks.amazonaws.com/capacityType": "ON_DEMAND"}, "on-demand"),
        ({"node.kubernetes.io/lifecycle": "spot"}, "spot"),
        ({}, "on-demand"),
    ],
)
def test_capacity_type(labels: dict[str, str], expected: str) -> None:
    assert capacity_type(labels) == expected


def test_fallback_table() -> None:
    assert us_east_1_table()["m6i.xlarge"] == Decimal("0.192")
    assert fallback_on_demand("m6i.xlarge", "us-east-1") == Decimal("0.1920")
    assert fallback_on_demand("m5.large", "ap-northeast-2") == Decimal("0.1180")
    assert fallback_on_demand("nope.large", "us-east-1") is None
    assert fallback_on_demand("m5.large", "mars-1") is None


def test_promql_escaping_and_ranges() -> None:
    assert escape('a"b\\c') == 'a\\"b\\\\c'
    assert selector('ns"x', "cluster", "prod") == '{namespace="ns\\"x", cluster="prod"}'
    assert selector(None, None, "prod") == "{}"
    assert exact_range(300, left_open=False) == "299999ms"
    assert exact_range(300, left_open=True) == "300s"
