"""The bill follows the Cost Explorer convention and agrees with the cluster's records."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from collectors.cost_tags import CostTag
from collectors.demo import DemoCollector, costs
from collectors.records import Batch, CostLine, TimeWindow

TAG_KEYS = {"Service", "Team", "CostCenter", "Environment", "eks:cluster-name"}
CLUSTER_TAGGED_ONLY = {costs.EC2_COMPUTE}
UNTAGGED = {costs.EKS, costs.EC2_OTHER, costs.CLOUDWATCH}


def _by(
    lines: list[CostLine],
) -> dict[tuple[date, str, str, str], Decimal]:
    """(day, metric, service, tag_key) -> sum over tag values."""
    out: dict[tuple[date, str, str, str], Decimal] = defaultdict(Decimal)
    for c in lines:
        out[(c.day, c.metric, c.aws_service, c.tag_key)] += c.amount
    return out


def test_every_grouping_adds_up_to_the_service_total(full: Batch) -> None:
    sums = _by(full.costs)
    totals = {k: v for k, v in sums.items() if k[3] == ""}
    assert len(totals) == 30 * 2 * 9  # days × metrics × services
    for (day, metric, service, key), amount in sums.items():
        assert amount == totals[(day, metric, service, "")], (day, metric, service, key)
    keys_per_total = defaultdict(set)
    for day, metric, service, key in sums:
        keys_per_total[(day, metric, service)].add(key)
    assert all(keys == TAG_KEYS | {""} for keys in keys_per_total.values())


def test_lines_are_unique_by_natural_key_and_well_formed(full: Batch) -> None:
    keys = [
        (c.day, c.account_id, c.aws_service, c.tag_key, c.tag_value, c.metric) for c in full.costs
    ]
    assert len(keys) == len(set(keys))
    for c in full.costs:
        assert c.account_id == "123456789012"
        assert c.currency == "USD"
        assert c.metric in {"AmortizedCost", "UnblendedCost"}
        assert isinstance(c.amount, Decimal)
        assert c.amount > 0
        assert c.amount.as_tuple().exponent >= -10
        if c.tag_key == "":
            assert c.tag_value == ""


def test_ec2_compute_is_the_cluster_nodes_at_their_hourly_price(
    demo: DemoCollector, full: Batch
) -> None:
    sim = demo.simulation()
    prices = {n.name: n.hourly_price for n in full.nodes}
    assert prices == {n.name: n.group.hourly_price for n in sim.nodes}
    start = demo.full_window().start
    for c in full.costs:
        if c.aws_service != costs.EC2_COMPUTE or c.tag_key != "eks:cluster-name":
            continue
        assert c.tag_value == "tacos-demo"
        day = (c.day - start.date()).days
        node_hours = {
            n.name: n.hours_in(day * 24, day * 24 + 24)
            for n in sim.nodes
            if n.hours_in(day * 24, day * 24 + 24)
        }
        assert c.amount == sum(
            (prices[name] * hours for name, hours in node_hours.items()), Decimal(0)
        )
        # Nodes alive that day were all returned as node records.
        assert set(node_hours) <= set(prices)
    assert all(
        c.tag_value == ""
        for c in full.costs
        if c.aws_service == costs.EC2_COMPUTE and c.tag_key in {"Service", "Team"}
    )


def test_tagged_services_join_the_workloads_by_their_cost_tags(full: Batch) -> None:
    workload_tags = {w.name: w.cost_tags for w in full.workloads}
    services = {v for v in (t.get("service") for t in workload_tags.values()) if v}
    tagged: dict[str, set[str]] = defaultdict(set)
    for c in full.costs:
        if c.tag_key == "Service" and c.tag_value:
            assert c.tag_value in services
            tagged[c.aws_service].add(c.tag_value)
        if c.tag_key == "Team" and c.tag_value:
            assert c.tag_value in {"checkout", "catalog", "platform", "payments"}
    assert tagged == {
        costs.RDS: {"reservation-api", "inventory-api"},
        costs.ELASTICACHE: {"inventory-api", "gateway-api"},
        costs.SQS: {"reservation-worker"},
        costs.ELB: {"gateway-api"},
        costs.S3: {"finops-api"},
    }
    # The team on a tagged line is the team of the workload with that service tag.
    by_day_service = defaultdict(dict)
    for c in full.costs:
        if c.aws_service == costs.SQS and c.metric == "UnblendedCost" and c.tag_key:
            by_day_service[c.day][c.tag_key] = c.tag_value
    for tags in by_day_service.values():
        assert tags["Team"] == workload_tags["reservation-worker"]["team"] == "checkout"
        assert tags["CostCenter"] == "CC-1001"


def test_untagged_spend_exists(full: Batch) -> None:
    for c in full.costs:
        if c.aws_service in UNTAGGED:
            assert c.tag_value == ""
    s3_untagged = [
        c
        for c in full.costs
        if c.aws_service == costs.S3 and c.tag_key == "Service" and not c.tag_value
    ]
    assert s3_untagged, "an untagged S3 bucket"


def test_the_last_two_whole_days_are_estimated(full: Batch) -> None:
    days = sorted({c.day for c in full.costs})
    estimated = sorted({c.day for c in full.costs if c.estimated})
    assert estimated == days[-2:]
    assert estimated[-1] == date(2026, 2, 28)


def test_amortized_differs_from_unblended_only_for_the_reserved_database(full: Batch) -> None:
    totals = {(c.day, c.aws_service, c.metric): c.amount for c in full.costs if c.tag_key == ""}
    for (day, service, metric), amount in totals.items():
        if metric != "AmortizedCost":
            continue
        unblended = totals[(day, service, "UnblendedCost")]
        if service == costs.RDS:
            assert amount > unblended
        else:
            assert amount == unblended


@pytest.mark.parametrize("seed", [42, 1234])
def test_monthly_bill_is_realistic_for_the_platform(seed: int) -> None:
    demo = DemoCollector(seed=seed, end=datetime(2026, 3, 1, 13, tzinfo=UTC))
    lines = demo.collect(demo.full_window()).costs
    bill = sum(
        (c.amount for c in lines if c.tag_key == "" and c.metric == "UnblendedCost"), Decimal(0)
    )
    assert Decimal(10_000) < bill < Decimal(40_000)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    for c in lines:
        if c.tag_key == "" and c.metric == "UnblendedCost":
            by_service[c.aws_service] += c.amount
    assert by_service[costs.EC2_COMPUTE] > Decimal(800)
    assert by_service[costs.EKS] == Decimal("72.00")  # $0.10 an hour for 30 days


def test_custom_cost_tag_mapping_changes_the_grouping_keys() -> None:
    demo = DemoCollector(
        end=datetime(2026, 3, 1, 13, tzinfo=UTC),
        days=2,
        cost_tags=[CostTag("team", "team", "owner-team")],
        cluster_tag_key="kubernetes.io/cluster",
    )
    lines = demo.collect(demo.full_window()).costs
    assert {c.tag_key for c in lines} == {"", "owner-team", "kubernetes.io/cluster"}
    assert {c.tag_value for c in lines if c.tag_key == "kubernetes.io/cluster"} == {
        "",
        "tacos-demo",
    }
    workloads = demo.collect(demo.full_window()).workloads
    assert all(set(w.cost_tags) <= {"team"} for w in workloads)


def test_cost_lines_sum_known_items() -> None:
    tags = (CostTag("service", "app", "Service"), CostTag("team", "team", "Team"))
    items = [
        costs.BillItem(costs.RDS, "a", False, Decimal("1.5"), Decimal("1.0")),
        costs.BillItem(costs.RDS, "b", False, Decimal("2.25"), Decimal("2.25")),
        costs.BillItem(costs.RDS, None, False, Decimal("0.25"), Decimal("0.25")),
        costs.BillItem(costs.EC2_COMPUTE, None, True, Decimal("10"), Decimal("10")),
    ]
    lines = costs.cost_lines(
        date(2026, 1, 1),
        items,
        account_id="111122223333",
        cluster="c1",
        cost_tags=tags,
        cluster_tag_key="eks:cluster-name",
        owner_tags={"a": {"service": "a", "team": "t"}, "b": {"service": "b", "team": "t"}},
        estimated=True,
    )
    got = {(c.aws_service, c.tag_key, c.tag_value, c.metric): c.amount for c in lines}
    assert got[(costs.RDS, "", "", "AmortizedCost")] == Decimal("4.00")
    assert got[(costs.RDS, "", "", "UnblendedCost")] == Decimal("3.50")
    assert got[(costs.RDS, "Service", "a", "AmortizedCost")] == Decimal("1.5")
    assert got[(costs.RDS, "Service", "", "AmortizedCost")] == Decimal("0.25")
    assert got[(costs.RDS, "Team", "t", "AmortizedCost")] == Decimal("3.75")
    assert got[(costs.RDS, "eks:cluster-name", "", "UnblendedCost")] == Decimal("3.50")
    assert got[(costs.EC2_COMPUTE, "eks:cluster-name", "c1", "UnblendedCost")] == Decimal(10)
    assert got[(costs.EC2_COMPUTE, "Team", "", "UnblendedCost")] == Decimal(10)
    assert all(c.estimated and c.day == date(2026, 1, 1) for c in lines)
    assert len(lines) == 2 * (1 + 3 + 2 + 1) + 2 * 4  # RDS: "", 3 services, 2 teams, cluster


def test_money_keeps_ten_places() -> None:
    assert costs.money(1 / 3) == Decimal("0.3333333333")
    assert costs.money(2.4) == Decimal("2.4000000000")


def test_a_day_belongs_to_the_window_in_which_it_ends(demo: DemoCollector) -> None:
    start = datetime(2026, 2, 14, tzinfo=UTC)
    day = demo.collect(TimeWindow(start, start + timedelta(days=1)))
    assert {c.day for c in day.costs} == {start.date()}
    assert not demo.collect(TimeWindow(start, start + timedelta(hours=23))).costs
    late = demo.collect(TimeWindow(start + timedelta(hours=23), start + timedelta(hours=25)))
    assert {c.day for c in late.costs} == {start.date()}
