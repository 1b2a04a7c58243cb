from __future__ import annotations

from decimal import Decimal

from app.allocation.bill import EC2_COMPUTE, BillLine, decompose_day
from tests.unit.allocation.factories import bill_lines, example_resources

KEYS = ["eks:cluster-name", "Service", "Team", "Environment"]
DIMS = {"service": "Service", "team": "Team", "environment": "Environment"}
RDS = "Amazon Relational Database Service"
S3 = "Amazon Simple Storage Service"


def test_known_day_is_split_by_cluster_then_by_each_tag() -> None:
    bill = decompose_day(bill_lines(example_resources(), KEYS), "eks:cluster-name", DIMS)
    d = Decimal
    assert bill.has_bill and bill.total == d("160.0")
    assert bill.node_cost == {"tacos": d("80")}
    assert bill.overhead == {("tacos", "Amazon Elastic Kubernetes Service"): d("2.4")}
    ext = bill.external
    assert ext[("service", "reservation-api", RDS)] == d("30")
    assert ext[("service", "reservation-api", S3)] == d("1")
    assert ext[("service", "payment-sim-api", RDS)] == d("15")
    assert ext[("service", "", EC2_COMPUTE)] == d("20")
    assert ext[("service", "", RDS)] == d("5")
    assert ext[("team", "checkout", RDS)] == d("45")
    # Environment=prod is on the nodes too: only what the cluster leaves is counted.
    assert ext[("environment", "prod", EC2_COMPUTE)] == d("20")
    assert any("overlaps" in n for n in bill.notes)
    for dim in DIMS:
        assert bill.cluster_total() + bill.dimension_total(dim) == bill.total


def test_no_bill_lines_means_no_bill() -> None:
    bill = decompose_day([], "eks:cluster-name", DIMS)
    assert not bill.has_bill and bill.total == 0


def test_untagged_credit_lands_in_unallocated() -> None:
    lines = [
        BillLine(EC2_COMPUTE, "", "", Decimal("0")),
        BillLine(EC2_COMPUTE, "eks:cluster-name", "tacos", Decimal("10")),
        BillLine(EC2_COMPUTE, "eks:cluster-name", "", Decimal("-10")),
    ]
    bill = decompose_day(lines, "eks:cluster-name", {"service": "Service"})
    assert bill.node_cost == {"tacos": Decimal("10")}
    assert bill.external[("service", "", EC2_COMPUTE)] == Decimal("-10")
    assert bill.cluster_total() + bill.dimension_total("service") == 0


def test_inconsistent_groupings_are_noted_and_the_bill_still_wins() -> None:
    lines = [
        BillLine(RDS, "", "", Decimal("10"), estimated=True),
        BillLine(RDS, "eks:cluster-name", "", Decimal("12")),
        BillLine("Ghost Service", "Service", "x", Decimal("3")),
    ]
    bill = decompose_day(lines, "eks:cluster-name", {"service": "Service"})
    assert bill.estimated
    assert bill.dimension_total("service") == Decimal("10")
    assert any("Ghost Service" in n for n in bill.notes)
    assert any("add up to 12" in n for n in bill.notes)


def test_rounding_noise_between_groupings_is_absorbed_without_a_note() -> None:
    lines = [
        BillLine(RDS, "", "", Decimal("10.000001")),
        BillLine(RDS, "Service", "db", Decimal("6.000001")),
        BillLine(RDS, "Service", "api", Decimal("4.000001")),
    ]
    bill = decompose_day(lines, "eks:cluster-name", {"service": "Service"})
    assert bill.dimension_total("service") == Decimal("10.000001")
    assert ("service", "", RDS) not in bill.external
    assert bill.notes == []
