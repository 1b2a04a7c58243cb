"""Budget alerts end to end: demo data → allocation → outbox → Slack (real slack_sdk)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.allocation.store import allocate_days
from app.budgets.job import budget_statuses, run_budget_job
from app.budgets.models import AlertEvent
from app.budgets.slack import SlackNotifier
from app.ingest import run_collector
from app.settings import Settings, load_settings
from collectors.demo import DemoCollector
from tests.support.slack_server import SlackWebhookServer


@pytest.fixture
def slack() -> Iterator[SlackWebhookServer]:
    server = SlackWebhookServer()
    yield server
    server.stop()


def settings_with(budgets: list[dict[str, object]]) -> Settings:
    return load_settings(budgets=budgets, clusters=[{"name": "tacos-demo"}])


def mid_period(end: datetime) -> datetime:
    """A Thursday noon at least a day before ``end`` and not in a month's first three days.

    Why: the demo data ends at the real "now", and budgets are per period. Run on a
    Monday (or the 1st), a weekly (monthly) period has no complete day yet and next to
    no spend, so the same assertions would fail one day a week. Evaluating at a fixed
    point of the week and month inside the data makes the tests mean the same every day.
    """
    ref = (end - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    while ref.weekday() != 3 or ref.day <= 3:
        ref -= timedelta(days=1)
    return ref


@pytest.fixture
def demo_now(sessions: sessionmaker[Session]) -> datetime:
    """20 days of demo data, allocated; returns a mid-week, mid-month time inside them
    (``mid_period``: at most 14 days before the data's end)."""
    collector = DemoCollector(days=20)
    window = collector.full_window()
    for part in window.split(timedelta(days=3)):
        assert run_collector(sessions, collector, part).ok
    allocate_days(sessions, settings_with([]), window.start.date(), window.end.date())
    return mid_period(window.end)


@pytest.mark.parametrize(
    "end",
    [datetime(2026, 12, 7, 0, 30, tzinfo=UTC), datetime(2026, 10, 2, 23, 0, tzinfo=UTC)],
)
def test_the_reference_time_is_mid_week_and_mid_month(end: datetime) -> None:
    ref = mid_period(end)
    assert ref.weekday() == 3 and ref.day > 3
    assert timedelta(days=1) <= end - ref <= timedelta(days=15)


def test_alerts_are_sent_once_and_escaped(
    sessions: sessionmaker[Session], demo_now: datetime, slack: SlackWebhookServer
) -> None:
    settings = settings_with(
        [
            {"name": "tacos-total", "scope": "total", "amount": 100, "thresholds": [50, 100]},
            {
                "name": "<script>alert(1)</script>",
                "scope": "team:checkout",
                "amount": 1,
                "thresholds": [100],
            },
            {"name": "roomy", "scope": "team:payments", "amount": 10_000_000, "thresholds": [80]},
        ]
    )
    notifier = SlackNotifier(slack.url)
    first = run_budget_job(sessions, settings, demo_now, notifier)
    budget_texts = [m["text"] for m in slack.messages if "Budget" in m["text"]]
    assert len(budget_texts) == 3  # total: 50 % and 100 %; checkout: 100 %; roomy: none
    assert first.delivered == len(slack.messages)
    assert all("<script>" not in t for t in budget_texts)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in t for t in budget_texts)
    second = run_budget_job(sessions, settings, demo_now + timedelta(hours=3), notifier)
    assert (second.new_events, second.delivered) == (0, 0)
    assert len(slack.messages) == first.delivered


def test_failed_delivery_is_retried_and_never_duplicated(
    sessions: sessionmaker[Session], demo_now: datetime, slack: SlackWebhookServer
) -> None:
    settings = settings_with(
        [{"name": "t", "scope": "total", "amount": 100, "thresholds": [80, 100]}]
    )
    slack.fail_next(500)
    first = run_budget_job(sessions, settings, demo_now, SlackNotifier(slack.url))
    assert (first.delivered, first.failed) == (0, 1)
    with sessions() as s:
        pending = s.scalars(
            select(AlertEvent).where(AlertEvent.delivered_at.is_(None)).order_by(AlertEvent.id)
        ).all()
    assert len(pending) >= 2
    assert pending[0].attempts == 1
    assert "HTTP 500" in (pending[0].last_error or "")
    assert all(p.attempts == 0 for p in pending[1:])  # delivery stops at the first failure
    slack.fail_next(429)  # retried by slack_sdk's rate-limit handler within the same send
    second = run_budget_job(sessions, settings, demo_now, SlackNotifier(slack.url))
    assert second.failed == 0
    assert second.delivered == len(pending)
    texts = [m["text"] for m in slack.messages]
    assert len(texts) == len(set(texts))


def test_statuses_add_up_and_forecast_uses_complete_days(
    sessions: sessionmaker[Session], demo_now: datetime
) -> None:
    settings = settings_with(
        [
            {"name": "all", "scope": "total", "amount": 1000, "period": "weekly"},
            {"name": "checkout", "scope": "team:checkout", "amount": 1000, "period": "weekly"},
            {"name": "tacos", "scope": "namespace:tacos", "amount": 1000, "period": "weekly"},
        ]
    )
    today = demo_now.astimezone(UTC).date()
    statuses = {s.name: s for s in budget_statuses_for(sessions, settings, today)}
    assert statuses["all"].actual > statuses["checkout"].actual > 0
    assert statuses["all"].actual >= statuses["tacos"].actual > 0
    for st in statuses.values():
        assert st.forecast >= st.actual
        assert st.complete_days == today.weekday()


def budget_statuses_for(sessions: sessionmaker[Session], settings: Settings, today: object) -> list:  # type: ignore[type-arg]
    with sessions() as s:
        return budget_statuses(s, settings, today)  # type: ignore[arg-type]


def test_no_webhook_keeps_alerts_waiting(
    sessions: sessionmaker[Session], demo_now: datetime
) -> None:
    settings = settings_with([{"name": "t", "scope": "total", "amount": 1, "thresholds": [100]}])
    report = run_budget_job(sessions, settings, demo_now)
    assert report.new_events >= 1
    assert report.delivered == 0
    with sessions() as s:
        assert (
            s.scalars(select(AlertEvent).where(AlertEvent.delivered_at.is_(None))).first()
            is not None
        )
