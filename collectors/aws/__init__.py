"""AWS sources: Cost Explorer daily costs, and EC2 node prices (Pricing API, spot history,
bundled fallback table, config overrides)."""

from collectors.aws.cost_explorer import (
    CostExplorerCollector,
    CostExplorerSource,
    RequestPlan,
)
from collectors.aws.errors import (
    AwsCredentialsError,
    AwsError,
    CostExplorerResponseError,
    CostExplorerThrottled,
    PricingError,
)
from collectors.aws.pricing import NodePricer, PriceQuote, PricingSource

__all__ = [
    "AwsCredentialsError",
    "AwsError",
    "CostExplorerCollector",
    "CostExplorerResponseError",
    "CostExplorerSource",
    "CostExplorerThrottled",
    "NodePricer",
    "PriceQuote",
    "PricingError",
    "PricingSource",
    "RequestPlan",
]
