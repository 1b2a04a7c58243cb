"""Node prices: overrides, the Pricing API wire format, spot history from moto, fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest

from collectors.aws import NodePricer, PriceQuote, PricingError, PricingSource
from collectors.records import NodeRecord
from tests.support.moto import AwsProxy, Fault, MotoServer, fake_aws_env


@pytest.fixture
def proxy(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsProxy]:
    for k, v in fake_aws_env().items():
        monkeypatch.setenv(k, v)
    p = AwsProxy(moto.url)
    yield p
    p.stop()


def price_list(instance_type: str, region: str, usd: str) -> str:
    """One PriceList entry in the Pricing API's aws_v1 shape."""
    return json.dumps(
        {
            "product": {
                "productFamily": "Compute Instance",
                "attributes": {
                    "instanceType": instance_type,
                    "regionCode": region,
                    "operatingSystem": "Linux",
                },
                "sku": "SKU123",
            },
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {
                    "SKU123.JRTCKXETXF": {
                        "priceDimensions": {
                            "SKU123.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "Hrs",
                                "pricePerUnit": {"USD": usd},
                                "description": f"$ {usd} per On Demand Linux {instance_type}",
                            }
                        },
                        "sku": "SKU123",
                        "offerTermCode": "JRTCKXETXF",
                    }
                }
            },
            "version": "20240101000000",
        }
    )


def pricer(proxy: AwsProxy, **kw: Any) -> NodePricer:
    source = PricingSource(
        region="eu-west-1", pricing_endpoint_url=proxy.url, ec2_endpoint_url=proxy.url, **kw
    )
    return NodePricer(source, session=boto3.Session())


def node(instance_type: str, capacity: str = "on-demand", zone: str = "eu-west-1a") -> NodeRecord:
    return NodeRecord(
        "c", f"n-{instance_type}", instance_type, capacity, zone, Decimal(4), Decimal(2**34)
    )


def test_pricing_api_on_demand(proxy: AwsProxy) -> None:
    proxy.responders["GetProducts"] = lambda body: {
        "FormatVersion": "aws_v1",
        "PriceList": [price_list("m6i.xlarge", "eu-west-1", "0.2140000000")],
    }
    p = pricer(proxy)
    assert p.quote("m6i.xlarge", "on-demand") == PriceQuote(Decimal("0.2140000000"), "pricing-api")
    assert p(node("m6i.xlarge")) == Decimal("0.2140000000")  # cached: still one request
    (call,) = proxy.calls
    assert call.target == "AWSPriceListService.GetProducts"
    assert call.body["ServiceCode"] == "AmazonEC2"
    assert {(f["Field"], f["Value"]) for f in call.body["Filters"]} == {
        ("instanceType", "m6i.xlarge"),
        ("regionCode", "eu-west-1"),
        ("operatingSystem", "Linux"),
        ("tenancy", "Shared"),
        ("preInstalledSw", "NA"),
        ("capacitystatus", "Used"),
    }


def test_pricing_api_down_falls_back_to_table(proxy: AwsProxy) -> None:
    proxy.faults.append(
        Fault("InternalErrorException", "boom", status=500, count=10, only_target="GetProducts")
    )
    quote = pricer(proxy).quote("m6i.xlarge", "on-demand")
    # us-east-1 list price 0.192 x eu-west-1 factor 1.115
    assert quote == PriceQuote(Decimal("0.2141"), "fallback-table")


def test_override_wins_without_requests(proxy: AwsProxy) -> None:
    p = pricer(
        proxy, overrides={"m6i.xlarge": Decimal("0.15"), "c6i.2xlarge/spot": Decimal("0.11")}
    )
    assert p.quote("m6i.xlarge", "on-demand") == PriceQuote(Decimal("0.15"), "override")
    assert p.quote("c6i.2xlarge", "spot") == PriceQuote(Decimal("0.11"), "override")
    assert proxy.calls == []


def test_spot_price_from_history(proxy: AwsProxy) -> None:
    quote = pricer(proxy).quote("m5.large", "spot", "eu-west-1a")
    # moto serves a constant spot price of 0.00001 for every offering it knows
    assert quote == PriceQuote(Decimal("0.00001"), "spot-history")
    (call,) = proxy.calls
    assert "DescribeSpotPriceHistory" in call.body.get("_raw", "")
    assert "availability-zone" in call.body["_raw"]
    assert "eu-west-1a" in call.body["_raw"]


def test_unknown_type_is_unpriced_or_strict_error(proxy: AwsProxy) -> None:
    proxy.responders["GetProducts"] = lambda body: {"FormatVersion": "aws_v1", "PriceList": []}
    assert pricer(proxy).quote("x9z.huge", "on-demand") is None
    with pytest.raises(
        PricingError, match=r"no price for x9z\.huge \(on-demand\) in eu-west-1; add an override"
    ):
        pricer(proxy, strict=True).quote("x9z.huge", "on-demand")


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="Pricing API is served only in"):
        PricingSource(region="eu-west-1", pricing_api_region="eu-west-1")
    with pytest.raises(ValueError, match="non-negative Decimal"):
        PricingSource(region="eu-west-1", overrides={"m5.large": 0.1})  # type: ignore[dict-item]
