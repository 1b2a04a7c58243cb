"""Deliver alert texts to Slack through an incoming webhook (slack_sdk).

Everything that came from the cluster or the bill is escaped for Slack's mrkdwn
(``&``, ``<``, ``>``), so a label value cannot inject links or mentions. HTTP 429
is retried with ``Retry-After`` by slack_sdk's rate-limit handler; anything else
that is not a 200 "ok" is a delivery failure the outbox retries on the next run.
"""

from __future__ import annotations

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from app.errors import FinopsError


class SlackDeliveryError(FinopsError):
    """Slack did not accept a message."""


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackNotifier:
    def __init__(self, webhook_url: str, timeout: int = 10) -> None:
        self._client = WebhookClient(
            url=webhook_url,
            timeout=timeout,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
        )

    def send(self, text: str) -> None:
        try:
            resp = self._client.send(text=text, unfurl_links=False, unfurl_media=False)
        except Exception as exc:
            raise SlackDeliveryError(f"Slack webhook unreachable: {type(exc).__name__}") from exc
        if resp.status_code != 200:
            raise SlackDeliveryError(
                f"Slack webhook answered HTTP {resp.status_code}: {resp.body[:200]}"
            )
