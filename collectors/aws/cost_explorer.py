"""The AWS Cost Explorer collector: daily costs per service and per cost tag.

For each day it emits, per configured account, one grouping by AWS service alone
(the bill) and one grouping by service and tag for each configured tag key; each
grouping on its own adds up to the day's bill (``Key$`` is kept as untagged).
Every ``GetCostAndUsage`` page costs $0.01, so requests are planned, counted and
logged: the daily run makes ``accounts x (1 + tag keys)`` requests plus extra
pages, and a backfill can say up front what it will cost (:meth:`plan`).

Cost Explorer revises recent days (``Estimated: true``) for up to a few days. Each
run therefore re-fetches ``restate_days`` days before its window, and any older
day the caller still holds as estimated (``estimated_days`` callback), so an
estimated amount is replaced by the final one; the ingest upserts by natural key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from collectors.aws.ce_parse import days_returned, parse_results
from collectors.aws.errors import (
    AwsCredentialsError,
    AwsError,
    CostExplorerResponseError,
    CostExplorerThrottled,
)
from collectors.records import Batch, CostLine, TimeWindow

log = logging.getLogger(__name__)

PRICE_PER_REQUEST = Decimal("0.01")
MAX_PAGES = 1000
DEFAULT_TAG_KEYS = ("Service", "Team", "CostCenter", "Environment", "eks:cluster-name")
CREDENTIAL_ERRORS = {
    "ExpiredTokenException": "the AWS credentials have expired; refresh the session or role",
    "ExpiredToken": "the AWS credentials have expired; refresh the session or role",
    "UnrecognizedClientException": "the AWS access key is not recognised",
    "InvalidClientTokenId": "the AWS access key is not recognised",
    "InvalidSignatureException": "the AWS secret key does not match the access key",
    "AccessDeniedException": "access denied: grant ce:GetCostAndUsage to the finops role",
}


@dataclass(frozen=True)
class CostExplorerSource:
    """What to read from Cost Explorer.

    ``accounts`` empty: the caller's own account (one request set); otherwise one
    ``LINKED_ACCOUNT`` filter per account. ``endpoint_url`` points tests at moto.
    ``max_window`` is the largest window the scheduler should hand one run.
    """

    region: str = "us-east-1"
    accounts: tuple[str, ...] = ()
    tag_keys: tuple[str, ...] = DEFAULT_TAG_KEYS
    metrics: tuple[str, ...] = ("AmortizedCost", "UnblendedCost")
    endpoint_url: str | None = None
    profile: str | None = None
    max_attempts: int = 6
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    restate_days: int = 3
    max_window: timedelta = timedelta(days=31)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    estimated_lookback: timedelta = field(default=timedelta(days=62))

    def __post_init__(self) -> None:
        if not self.metrics:
            raise ValueError("at least one Cost Explorer metric is required")
        if len(set(self.tag_keys)) != len(self.tag_keys) or "" in self.tag_keys:
            raise ValueError("tag_keys must be distinct and non-empty")
        if any(not (a.isdigit() and len(a) == 12) for a in self.accounts):
            raise ValueError("accounts must be 12-digit AWS account ids")
        if self.retry_mode not in {"standard", "adaptive"}:
            raise ValueError("retry_mode must be standard or adaptive")


@dataclass(frozen=True)
class RequestPlan:
    """What a window will cost before any request is made (pages may add more)."""

    first_day: date
    end_day: date  # exclusive
    request_sets: int  # accounts x groupings
    min_requests: int

    @property
    def min_cost(self) -> Decimal:
        return self.min_requests * PRICE_PER_REQUEST

    def describe(self) -> str:
        return (
            f"Cost Explorer {self.first_day}..{self.end_day - timedelta(days=1)}: at least "
            f"{self.min_requests} requests (${self.min_cost}), more if results span pages"
        )


class CostExplorerCollector:
    """Implements the ``Collector`` protocol for AWS Cost Explorer."""

    source = "aws_cost_explorer"

    def __init__(
        self,
        config: CostExplorerSource,
        session: boto3.Session | None = None,
        estimated_days: Callable[[], Iterable[date]] | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ):
        self.config = config
        self._session = session or boto3.Session(profile_name=config.profile)
        self._estimated_days = estimated_days
        self._today = today
        self.paid_requests_total = 0
        self._account: str | None = None
        self._client: Any = None

    @property
    def max_window(self) -> timedelta:
        return self.config.max_window

    def plan(self, window: TimeWindow) -> RequestPlan:
        first, end = self._fetch_range(window)
        sets = max(1, len(self.config.accounts)) * (1 + len(self.config.tag_keys))
        return RequestPlan(first, end, sets, sets)

    def collect(self, window: TimeWindow) -> Batch:
        plan = self.plan(window)
        log.info("%s", plan.describe())
        batch = Batch()
        before = self.paid_requests_total
        try:
            accounts = self.config.accounts or (self._caller_account(),)
            for account in accounts:
                for tag_key in ("", *self.config.tag_keys):
                    batch.costs.extend(self._grouping(plan, account, tag_key))
        except AwsError:
            log.error("cost explorer collection failed for [%s, %s)", plan.first_day, plan.end_day)
            raise
        finally:
            batch.requests_made = self.paid_requests_total - before
        log.info(
            "cost explorer: %d cost lines in %d paid requests ($%s)",
            len(batch.costs),
            batch.requests_made,
            batch.requests_made * PRICE_PER_REQUEST,
        )
        return batch

    # -- internals ---------------------------------------------------------------

    def _fetch_range(self, window: TimeWindow) -> tuple[date, date]:
        days = window.days()
        first = days[0] - timedelta(days=self.config.restate_days)
        if self._estimated_days is not None:
            floor = days[0] - self.config.estimated_lookback
            pending = [d for d in self._estimated_days() if floor <= d < first]
            if pending:
                first = min(pending)
        return first, days[-1] + timedelta(days=1)

    def _ce(self) -> Any:
        if self._client is None:
            self._client = self._session.client(
                "ce",
                region_name=self.config.region,
                endpoint_url=self.config.endpoint_url,
                config=Config(
                    retries={
                        "mode": self.config.retry_mode,
                        "total_max_attempts": self.config.max_attempts,
                    },
                    connect_timeout=self.config.connect_timeout,
                    read_timeout=self.config.read_timeout,
                ),
            )
        return self._client

    def _caller_account(self) -> str:
        if self._account is None:
            sts = self._session.client(
                "sts", region_name=self.config.region, endpoint_url=self.config.endpoint_url
            )
            try:
                self._account = str(sts.get_caller_identity()["Account"])
            except (ClientError, BotoCoreError) as exc:
                raise _error(exc, "sts:GetCallerIdentity") from exc
        return self._account

    def _grouping(self, plan: RequestPlan, account: str, tag_key: str) -> list[CostLine]:
        request: dict[str, Any] = {
            "TimePeriod": {"Start": plan.first_day.isoformat(), "End": plan.end_day.isoformat()},
            "Granularity": "DAILY",
            "Metrics": list(self.config.metrics),
            "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        if tag_key:
            request["GroupBy"].append({"Type": "TAG", "Key": tag_key})
        if self.config.accounts:
            request["Filter"] = {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}}
        what = (
            f"GetCostAndUsage account {account} by SERVICE{', TAG ' + tag_key if tag_key else ''}"
        )
        lines: list[CostLine] = []
        seen: set[date] = set()
        token: str | None = None
        for page in range(1, MAX_PAGES + 1):
            if token:
                request["NextPageToken"] = token
            self.paid_requests_total += 1
            log.info(
                "cost explorer paid request #%d: %s page %d", self.paid_requests_total, what, page
            )
            try:
                response = self._ce().get_cost_and_usage(**request)
            except (ClientError, BotoCoreError) as exc:
                raise _error(exc, f"{what} page {page}") from exc
            results = response.get("ResultsByTime")
            if not isinstance(results, list) or (page > 1 and not results):
                raise CostExplorerResponseError(f"{what}: page {page} came back without results")
            lines.extend(parse_results(results, account, tag_key, self.config.metrics))
            seen |= days_returned(results)
            token = response.get("NextPageToken") or None
            if not token:
                break
        else:
            raise CostExplorerResponseError(f"{what}: more than {MAX_PAGES} pages")
        expected = _days(plan.first_day, min(plan.end_day, self._today() + timedelta(days=1)))
        missing = sorted(expected - seen)
        if missing:
            raise CostExplorerResponseError(
                f"{what}: no results for {', '.join(d.isoformat() for d in missing[:5])}"
                f"{' …' if len(missing) > 5 else ''}"
            )
        return lines


def _days(first: date, end: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((end - first).days)}


def _error(exc: Exception, what: str) -> AwsError:
    if isinstance(exc, NoCredentialsError):
        return AwsCredentialsError(
            f"{what}: no AWS credentials found (environment, profile, or IAM role)"
        )
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        if code in CREDENTIAL_ERRORS:
            return AwsCredentialsError(f"{what}: {CREDENTIAL_ERRORS[code]} ({code}, HTTP {status})")
        if code in {"LimitExceededException", "ThrottlingException"}:
            attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            return CostExplorerThrottled(
                f"{what}: throttled by Cost Explorer ({code}) after {int(attempts) + 1} attempts"
            )
        if code == "InvalidNextTokenException":
            return CostExplorerResponseError(f"{what}: the page token was rejected ({code})")
        message = str(exc.response.get("Error", {}).get("Message", ""))
        return AwsError(f"{what}: {code} (HTTP {status}): {message}")
    return AwsError(f"{what}: cannot reach AWS: {type(exc).__name__}: {exc}")
