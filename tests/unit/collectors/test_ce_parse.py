"""Cost Explorer page parsing (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from collectors.aws.ce_parse import parse_results
from collectors.aws.errors import CostExplorerResponseError
from collectors.records import CostLine


def page(groups: list[dict[str, object]], estimated: bool = True) -> list[dict[str, object]]:
    return [
        {
            "TimePeriod": {"Start": "2026-01-05", "End": "2026-01-06"},
            "Groups": groups,
            "Estimated": estimated,
        }
    ]


def grp(keys: list[str], amount: str) -> dict[str, object]:
    return {"Keys": keys, "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}


def test_untagged_and_tagged_values() -> None:
    lines = parse_results(
        page([grp(["EC2", "Team$"], "1.5"), grp(["EC2", "Team$payments"], "0.0000001")]),
        "123456789012",
        "Team",
        ["UnblendedCost"],
    )
    assert lines == [
        CostLine(
            date(2026, 1, 5),
            "123456789012",
            "EC2",
            "Team",
            "",
            "UnblendedCost",
            Decimal("1.5"),
            "USD",
            True,
        ),
        CostLine(
            date(2026, 1, 5),
            "123456789012",
            "EC2",
            "Team",
            "payments",
            "UnblendedCost",
            Decimal("0.0000001"),
            "USD",
            True,
        ),
    ]


def test_tag_value_may_contain_dollar() -> None:
    (line,) = parse_results(page([grp(["EC2", "Team$a$b"], "1")]), "1", "Team", ["UnblendedCost"])
    assert line.tag_value == "a$b"


@pytest.mark.parametrize(
    ("groups", "tag_key", "message"),
    [
        ([grp(["EC2", "Other$x"], "1")], "Team", "expected Team"),
        ([grp(["EC2"], "1")], "Team", "has keys"),
        ([grp(["EC2"], "NaN")], "", "has amount"),
        ([grp(["EC2"], "abc")], "", "has amount"),
        ([{"Keys": ["EC2"], "Metrics": {}}], "", "lacks metric UnblendedCost"),
    ],
)
def test_malformed_groups_are_rejected(
    groups: list[dict[str, object]], tag_key: str, message: str
) -> None:
    with pytest.raises(CostExplorerResponseError, match=message):
        parse_results(page(groups), "1", tag_key, ["UnblendedCost"])


def test_bad_time_period() -> None:
    with pytest.raises(CostExplorerResponseError, match="TimePeriod"):
        parse_results([{"Groups": []}], "1", "", ["UnblendedCost"])
