"""Every way reading AWS costs and prices can fail, in one place.

All derive from :class:`collectors.records.CollectorError`. Messages name the API
call and the AWS error code, never credentials.
"""

from __future__ import annotations

from collectors.records import CollectorError


class AwsError(CollectorError):
    """Base class of the AWS sources' errors."""


class AwsCredentialsError(AwsError):
    """No credentials, or they expired or were rejected."""


class CostExplorerThrottled(AwsError):
    """``LimitExceededException`` persisted through every retry."""


class CostExplorerResponseError(AwsError):
    """An answer was incomplete (a missing day or page) or not of the documented shape."""


class PricingError(AwsError):
    """A price could not be found or read."""
