"""Hourly prices of cluster nodes: config overrides, the AWS Pricing API, spot
price history, and the bundled fallback table, in that order.

:class:`NodePricer` is the callable the Kubernetes collector takes to fill
``NodeRecord.hourly_price``; :meth:`NodePricer.quote` also says where a price came
from. Prices are cached per instance type, capacity type and zone for the
pricer's life, so a cluster of 200 nodes of 5 types costs 5 lookups, not 200.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from collectors.aws.errors import PricingError
from collectors.aws.fallback_prices import fallback_on_demand
from collectors.records import NodeRecord

log = logging.getLogger(__name__)

PRICING_API_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
QuoteSource = Literal["override", "pricing-api", "spot-history", "fallback-table"]


@dataclass(frozen=True)
class PriceQuote:
    hourly: Decimal
    source: QuoteSource


@dataclass(frozen=True)
class PricingSource:
    """Where node prices come from.

    ``overrides`` keys, most specific first: ``"<type>/<capacity>"`` (e.g.
    ``"m6i.xlarge/spot"``) then ``"<type>"``; values are $/hour (a negotiated rate,
    a Savings Plan effective rate). ``strict``: raise when no price is found instead
    of leaving the node unpriced.
    """

    region: str
    pricing_api_region: str = "us-east-1"
    use_pricing_api: bool = True
    use_spot_history: bool = True
    overrides: Mapping[str, Decimal] = field(default_factory=dict)
    operating_system: str = "Linux"
    pricing_endpoint_url: str | None = None
    ec2_endpoint_url: str | None = None
    spot_lookback: timedelta = timedelta(hours=3)
    strict: bool = False

    def __post_init__(self) -> None:
        if self.pricing_api_region not in PRICING_API_REGIONS:
            raise ValueError(f"the Pricing API is served only in {', '.join(PRICING_API_REGIONS)}")
        for key, value in self.overrides.items():
            if not isinstance(value, Decimal) or value < 0:
                raise ValueError(f"override {key!r} must be a non-negative Decimal")


class NodePricer:
    """Callable ``NodeRecord -> Decimal | None``; see :meth:`quote`."""

    def __init__(self, config: PricingSource, session: boto3.Session | None = None):
        self.config = config
        self._session = session or boto3.Session()
        self._cache: dict[tuple[str, str, str], PriceQuote | None] = {}
        self._pricing: Any = None
        self._ec2: Any = None
        self.requests_made = 0

    def __call__(self, node: NodeRecord) -> Decimal | None:
        quote = self.quote(node.instance_type, node.capacity_type, node.zone)
        return quote.hourly if quote else None

    def quote(self, instance_type: str, capacity_type: str, zone: str = "") -> PriceQuote | None:
        key = (instance_type, capacity_type, zone if capacity_type == "spot" else "")
        if key not in self._cache:
            self._cache[key] = self._resolve(instance_type, capacity_type, zone)
        quote = self._cache[key]
        if quote is None and self.config.strict:
            raise PricingError(
                f"no price for {instance_type} ({capacity_type}) in {self.config.region}; "
                f"add an override such as {instance_type!r}: 0.123"
            )
        return quote

    def _resolve(self, instance_type: str, capacity_type: str, zone: str) -> PriceQuote | None:
        o = self.config.overrides
        for key in (f"{instance_type}/{capacity_type}", instance_type):
            if key in o:
                return PriceQuote(o[key], "override")
        if capacity_type == "spot" and self.config.use_spot_history:
            spot = self._spot_price(instance_type, zone)
            if spot is not None:
                return PriceQuote(spot, "spot-history")
        if self.config.use_pricing_api:
            api = self._on_demand_price(instance_type)
            if api is not None:
                return PriceQuote(api, "pricing-api")
        table = fallback_on_demand(instance_type, self.config.region)
        if table is not None:
            log.warning(
                "using the bundled approximate price for %s in %s",
                instance_type,
                self.config.region,
            )
            return PriceQuote(table, "fallback-table")
        log.warning("no price for %s (%s) in %s", instance_type, capacity_type, self.config.region)
        return None

    # -- AWS calls ---------------------------------------------------------------

    def _on_demand_price(self, instance_type: str) -> Decimal | None:
        if self._pricing is None:
            self._pricing = self._session.client(
                "pricing",
                region_name=self.config.pricing_api_region,
                endpoint_url=self.config.pricing_endpoint_url,
                config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
            )
        filters = [
            {"Type": "TERM_MATCH", "Field": name, "Value": value}
            for name, value in (
                ("instanceType", instance_type),
                ("regionCode", self.config.region),
                ("operatingSystem", self.config.operating_system),
                ("tenancy", "Shared"),
                ("preInstalledSw", "NA"),
                ("capacitystatus", "Used"),
            )
        ]
        self.requests_made += 1
        try:
            response = self._pricing.get_products(
                ServiceCode="AmazonEC2", Filters=filters, FormatVersion="aws_v1", MaxResults=10
            )
        except (ClientError, BotoCoreError) as exc:
            log.warning("Pricing API unavailable for %s: %s", instance_type, exc)
            return None
        prices = sorted({p for raw in response.get("PriceList", []) for p in _on_demand_usd(raw)})
        if len(prices) > 1:
            log.warning(
                "Pricing API returned several prices for %s: %s; using the lowest",
                instance_type,
                prices,
            )
        return prices[0] if prices else None

    def _spot_price(self, instance_type: str, zone: str) -> Decimal | None:
        if self._ec2 is None:
            self._ec2 = self._session.client(
                "ec2", region_name=self.config.region, endpoint_url=self.config.ec2_endpoint_url
            )
        kwargs: dict[str, Any] = {
            "InstanceTypes": [instance_type],
            "ProductDescriptions": ["Linux/UNIX"],
            "StartTime": datetime.now(UTC) - self.config.spot_lookback,
        }
        if zone:
            kwargs["Filters"] = [{"Name": "availability-zone", "Values": [zone]}]
        latest: tuple[datetime, Decimal] | None = None
        try:
            for page in self._ec2.get_paginator("describe_spot_price_history").paginate(**kwargs):
                self.requests_made += 1
                for entry in page.get("SpotPriceHistory", []):
                    when = entry.get("Timestamp") or datetime.min.replace(tzinfo=UTC)
                    price = Decimal(str(entry["SpotPrice"]))
                    if latest is None or when > latest[0]:
                        latest = (when, price)
        except (ClientError, BotoCoreError, KeyError, InvalidOperation) as exc:
            log.warning("spot price history unavailable for %s in %s: %s", instance_type, zone, exc)
            return None
        return latest[1] if latest else None


def _on_demand_usd(raw: str) -> list[Decimal]:
    """The hourly USD on-demand prices inside one PriceList JSON document."""
    try:
        doc = json.loads(raw)
        out = []
        for term in (doc.get("terms", {}).get("OnDemand") or {}).values():
            for dim in (term.get("priceDimensions") or {}).values():
                if dim.get("unit") in {"Hrs", "Hours"}:
                    usd = Decimal(str(dim["pricePerUnit"]["USD"]))
                    if usd > 0:
                        out.append(usd)
        return out
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation):
        log.warning("unreadable PriceList entry")
        return []
