"""The Cost Explorer collector against moto_server, asserting the exact requests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from collectors.aws import (
    AwsCredentialsError,
    CostExplorerCollector,
    CostExplorerResponseError,
    CostExplorerSource,
    CostExplorerThrottled,
)
from collectors.records import Collector, CostLine, TimeWindow
from tests.support.moto import AwsProxy, Fault, MotoServer, fake_aws_env

DAY = date(2026, 1, 5)
WINDOW = TimeWindow.of_days(DAY, DAY)
EC2 = "Amazon Elastic Compute Cloud - Compute"
RDS = "Amazon Relational Database Service"


@pytest.fixture
def proxy(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsProxy]:
    moto.reset()
    for k, v in fake_aws_env().items():
        monkeypatch.setenv(k, v)
    p = AwsProxy(moto.url)
    yield p
    p.stop()


def group(keys: list[str], amortized: str, unblended: str) -> dict[str, Any]:
    return {
        "Keys": keys,
        "Metrics": {
            "AmortizedCost": {"Amount": amortized, "Unit": "USD"},
            "UnblendedCost": {"Amount": unblended, "Unit": "USD"},
        },
    }


def result(
    groups: list[dict[str, Any]], day: date = DAY, estimated: bool = False, token: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {
                    "Start": day.isoformat(),
                    "End": (day + timedelta(days=1)).isoformat(),
                },
                "Total": {},
                "Groups": groups,
                "Estimated": estimated,
            }
        ],
        "DimensionValueAttributes": [],
    }
    if token:
        out["NextPageToken"] = token
    return out


BY_SERVICE = result([group([EC2], "100.00", "110.00"), group([RDS], "40.25", "40.25")])
BY_SERVICE_TAG = result(
    [
        group([EC2, "Service$"], "100.00", "110.00"),
        group([RDS, "Service$inventory-api"], "40.25", "40.25"),
    ]
)
BY_CLUSTER = result(
    [
        group([EC2, "eks:cluster-name$tacos-prod"], "80.10", "88.00"),
        group([EC2, "eks:cluster-name$"], "19.90", "22.00"),
        group([RDS, "eks:cluster-name$"], "40.25", "40.25"),
    ]
)


def make(proxy: AwsProxy, **kw: Any) -> CostExplorerCollector:
    kw.setdefault("tag_keys", ("Service", "eks:cluster-name"))
    kw.setdefault("restate_days", 0)
    kw.setdefault("max_attempts", 3)
    kw.setdefault("retry_mode", "standard")
    source = CostExplorerSource(endpoint_url=proxy.url, **kw)
    return CostExplorerCollector(source, session=boto3.Session(), today=lambda: date(2026, 1, 10))


def request(
    group_by: list[dict[str, str]], start: date = DAY, token: str = "", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "TimePeriod": {"Start": start.isoformat(), "End": (DAY + timedelta(days=1)).isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["AmortizedCost", "UnblendedCost"],
        "GroupBy": group_by,
        **extra,
    }
    if token:
        body["NextPageToken"] = token
    return body


SERVICE = {"Type": "DIMENSION", "Key": "SERVICE"}


def ce_bodies(proxy: AwsProxy) -> list[dict[str, Any]]:
    return [c.body for c in proxy.calls if c.target.endswith("GetCostAndUsage")]


def total(lines: list[CostLine], tag_key: str, metric: str) -> Decimal:
    return sum((c.amount for c in lines if c.tag_key == tag_key and c.metric == metric), Decimal(0))


def test_groupings_add_up_and_requests_are_exact(moto: MotoServer, proxy: AwsProxy) -> None:
    moto.queue_cost_and_usage(BY_SERVICE, BY_SERVICE_TAG, BY_CLUSTER)
    col = make(proxy)
    assert isinstance(col, Collector)
    batch = col.collect(WINDOW)
    assert proxy.targets() == [
        "",
        "GetCostAndUsage",
        "GetCostAndUsage",
        "GetCostAndUsage",
    ]  # STS first
    assert ce_bodies(proxy) == [
        request([SERVICE]),
        request([SERVICE, {"Type": "TAG", "Key": "Service"}]),
        request([SERVICE, {"Type": "TAG", "Key": "eks:cluster-name"}]),
    ]
    assert batch.requests_made == 3
    assert len(batch.costs) == 2 * (2 + 2 + 3)
    for metric, bill in (
        ("AmortizedCost", Decimal("140.25")),
        ("UnblendedCost", Decimal("150.25")),
    ):
        assert total(batch.costs, "", metric) == bill
        assert total(batch.costs, "Service", metric) == bill
        assert total(batch.costs, "eks:cluster-name", metric) == bill
    assert (
        CostLine(
            DAY,
            "123456789012",
            EC2,
            "eks:cluster-name",
            "tacos-prod",
            "AmortizedCost",
            Decimal("80.10"),
        )
        in batch.costs
    )
    assert (
        CostLine(DAY, "123456789012", EC2, "Service", "", "UnblendedCost", Decimal("110.00"))
        in batch.costs
    )


def test_every_paid_request_is_logged(
    moto: MotoServer, proxy: AwsProxy, caplog: pytest.LogCaptureFixture
) -> None:
    moto.queue_cost_and_usage(BY_SERVICE, BY_SERVICE_TAG, BY_CLUSTER)
    col = make(proxy)
    with caplog.at_level(logging.INFO, logger="collectors.aws.cost_explorer"):
        col.collect(WINDOW)
    paid = [r.getMessage() for r in caplog.records if "paid request #" in r.getMessage()]
    assert len(paid) == 3
    assert paid[2].endswith("by SERVICE, TAG eks:cluster-name page 1")
    assert any("at least 3 requests ($0.03)" in r.getMessage() for r in caplog.records)
    assert "3 paid requests ($0.03)" in caplog.text
    assert col.paid_requests_total == 3


def test_pages_are_followed(moto: MotoServer, proxy: AwsProxy) -> None:
    page1 = result([group([EC2], "100.00", "110.00")], token="page-2-token")
    page2 = result([group([RDS], "40.25", "40.25")])
    moto.queue_cost_and_usage(page1, page2)
    batch = make(proxy, tag_keys=()).collect(WINDOW)
    assert ce_bodies(proxy) == [request([SERVICE]), request([SERVICE], token="page-2-token")]
    assert total(batch.costs, "", "AmortizedCost") == Decimal("140.25")
    assert batch.requests_made == 2


def test_missing_page_fails_then_catches_up(
    moto: MotoServer, proxy: AwsProxy, caplog: pytest.LogCaptureFixture
) -> None:
    moto.queue_cost_and_usage(result([group([EC2], "100.00", "110.00")], token="page-2-token"))
    col = make(proxy, tag_keys=())
    with (
        caplog.at_level(logging.ERROR),
        pytest.raises(CostExplorerResponseError, match="page 2 came back without results"),
    ):
        col.collect(WINDOW)
    assert "cost explorer collection failed" in caplog.text
    moto.queue_cost_and_usage(result([group([RDS], "40.25", "40.25")]))
    assert total(col.collect(WINDOW).costs, "", "AmortizedCost") == Decimal("140.25")


def test_missing_day_is_an_error(moto: MotoServer, proxy: AwsProxy) -> None:
    moto.queue_cost_and_usage(BY_SERVICE)
    col = make(proxy, tag_keys=(), restate_days=1)  # asks for Jan 4 and 5, gets only Jan 5
    with pytest.raises(CostExplorerResponseError, match="no results for 2026-01-04"):
        col.collect(WINDOW)


def test_throttling_is_retried(moto: MotoServer, proxy: AwsProxy) -> None:
    moto.queue_cost_and_usage(BY_SERVICE)
    proxy.faults.append(
        Fault("LimitExceededException", "Rate exceeded", count=2, only_target="GetCostAndUsage")
    )
    batch = make(proxy, tag_keys=(), max_attempts=3).collect(WINDOW)
    assert proxy.targets().count("GetCostAndUsage") == 3  # two throttled attempts, then success
    assert batch.requests_made == 1
    assert total(batch.costs, "", "AmortizedCost") == Decimal("140.25")


def test_persistent_throttling_fails_clearly(moto: MotoServer, proxy: AwsProxy) -> None:
    proxy.faults.append(
        Fault("LimitExceededException", "Rate exceeded", count=10, only_target="GetCostAndUsage")
    )
    with pytest.raises(
        CostExplorerThrottled,
        match=r"page 1: throttled by Cost Explorer \(LimitExceededException\) after 2 attempts",
    ):
        make(proxy, tag_keys=(), max_attempts=2).collect(WINDOW)


def test_expired_credentials(moto: MotoServer, proxy: AwsProxy) -> None:
    proxy.faults.append(
        Fault("ExpiredToken", "The security token included in the request is expired", status=403)
    )
    with pytest.raises(
        AwsCredentialsError, match=r"sts:GetCallerIdentity: the AWS credentials have expired"
    ):
        make(proxy).collect(WINDOW)
    proxy.faults.append(Fault("ExpiredTokenException", "expired", only_target="GetCostAndUsage"))
    with pytest.raises(
        AwsCredentialsError,
        match=r"GetCostAndUsage account \d+ by SERVICE page 1: the AWS credentials have expired",
    ):
        make(proxy).collect(WINDOW)


def test_no_credentials(proxy: AwsProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AwsCredentialsError, match="no AWS credentials found"):
        make(proxy, accounts=("111122223333",)).collect(WINDOW)


def test_linked_accounts_are_filtered(moto: MotoServer, proxy: AwsProxy) -> None:
    moto.queue_cost_and_usage(BY_SERVICE, BY_SERVICE)
    batch = make(proxy, tag_keys=(), accounts=("111122223333", "444455556666")).collect(WINDOW)
    assert proxy.targets() == ["GetCostAndUsage", "GetCostAndUsage"]  # no STS call
    filters = [b["Filter"] for b in ce_bodies(proxy)]
    assert filters == [
        {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["111122223333"]}},
        {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["444455556666"]}},
    ]
    assert {c.account_id for c in batch.costs} == {"111122223333", "444455556666"}


def test_recent_and_estimated_days_are_refetched(moto: MotoServer, proxy: AwsProxy) -> None:
    days = [DAY - timedelta(days=i) for i in range(10, -1, -1)]
    moto.queue_cost_and_usage(
        {
            "ResultsByTime": [
                r
                for d in days
                for r in result(
                    [group([EC2], "1", "1")], day=d, estimated=d >= DAY - timedelta(days=1)
                )["ResultsByTime"]
            ]
        }
    )
    source = CostExplorerSource(endpoint_url=proxy.url, tag_keys=(), restate_days=2)
    col = CostExplorerCollector(
        source,
        session=boto3.Session(),
        estimated_days=lambda: [DAY - timedelta(days=10), DAY - timedelta(days=500)],
        today=lambda: DAY,
    )
    batch = col.collect(WINDOW)
    # Two restated days, and the still-estimated day 10 days back; not the one past the lookback.
    assert ce_bodies(proxy)[0]["TimePeriod"] == {"Start": "2025-12-26", "End": "2026-01-06"}
    assert {c.day for c in batch.costs if c.estimated} == {DAY, DAY - timedelta(days=1)}


def test_malformed_amount_is_rejected(moto: MotoServer, proxy: AwsProxy) -> None:
    moto.queue_cost_and_usage(result([group([EC2], "12,5", "1")]))
    with pytest.raises(CostExplorerResponseError, match=r"has amount"):
        make(proxy, tag_keys=()).collect(WINDOW)


def test_plan_for_a_13_month_backfill() -> None:
    col = CostExplorerCollector(
        CostExplorerSource(accounts=("111122223333",)),
        session=boto3.Session(region_name="us-east-1"),
    )
    backfill = TimeWindow.of_days(date(2025, 1, 1), date(2026, 1, 31))
    windows = backfill.split(col.max_window)
    plans = [col.plan(w) for w in windows]
    assert len(windows) == 13
    assert sum(p.min_requests for p in plans) == 13 * 6
    assert sum((p.min_cost for p in plans), Decimal(0)) == Decimal("0.78")
    assert (
        plans[0]
        .describe()
        .startswith("Cost Explorer 2024-12-29..2025-01-31: at least 6 requests ($0.06)")
    )
