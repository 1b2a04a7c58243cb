"""The budget job: evaluate budgets and spend anomalies, record alerts once, deliver them.

Alerts go through an outbox (``alert_events``): an event is inserted once per
(kind, key, period, threshold, basis) with ``ON CONFLICT DO NOTHING`` before any
delivery is tried, then every undelivered event is sent. Slack failures leave the
event undelivered for the next run; a delivered event is never sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from app.budgets.evaluate import BudgetStatus, crossings, forecast, spend_anomalies
from app.budgets.models import AlertEvent
from app.budgets.periods import period_of
from app.budgets.slack import SlackDeliveryError, SlackNotifier, escape
from app.budgets.spend import scope_spend, service_daily_spend
from app.errors import FinopsError
from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BudgetRunReport:
    statuses: list[BudgetStatus] = field(default_factory=list)
    new_events: int = 0
    delivered: int = 0
    failed: int = 0


def budget_statuses(session: Session, settings: Settings, today: date) -> list[BudgetStatus]:
    out = []
    for b in settings.budgets:
        period = period_of(b.period, today)
        complete = scope_spend(session, settings, b.scope, period.start, today)
        actual = scope_spend(session, settings, b.scope, period.start, today + timedelta(days=1))
        days_done = (today - period.start).days
        out.append(
            BudgetStatus(
                name=b.name,
                scope=b.scope,
                period=period.key,
                amount=Decimal(str(b.amount)),
                actual=actual,
                forecast=max(forecast(complete, days_done, period.days), actual),
                complete_days=days_done,
                period_days=period.days,
            )
        )
    return out


def _money(v: Decimal) -> str:
    return f"${v:,.2f}"


def _insert_event(session: Session, **values: object) -> bool:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(AlertEvent)
        .values(created_at=datetime.now(UTC), attempts=0, **values)
        .on_conflict_do_nothing(index_elements=["kind", "key", "period", "threshold", "basis"])
        .returning(AlertEvent.id)
    )
    return session.execute(stmt).first() is not None


def record_alerts(
    sessions: sessionmaker[Session], settings: Settings, today: date
) -> BudgetRunReport:
    report = BudgetRunReport()
    with sessions() as session, session.begin():
        report.statuses = budget_statuses(session, settings, today)
        thresholds = {b.name: b.thresholds for b in settings.budgets}
        for st in report.statuses:
            for c in crossings(st, thresholds[st.name]):
                verb = "has reached" if c.basis == "actual" else "is forecast to reach"
                text = (
                    f":warning: Budget *{escape(st.name)}* ({escape(st.scope)}, {st.period}) {verb} "
                    f"{c.threshold}% of {_money(st.amount)}: spent {_money(st.actual)}, "
                    f"forecast {_money(st.forecast)} for the period."
                )
                report.new_events += _insert_event(
                    session,
                    kind="budget",
                    key=st.name,
                    period=st.period,
                    threshold=c.threshold,
                    basis=c.basis,
                    text=text,
                )
        yesterday = today - timedelta(days=1)
        daily = service_daily_spend(session, settings, yesterday, 31)
        for a in spend_anomalies(daily, yesterday.isoformat()):
            text = (
                f":chart_with_upwards_trend: Spend of *{escape(a.service)}* on {a.day} was "
                f"{_money(a.spend)}, {a.change:+.0%} against its 30-day average of {_money(a.baseline)}."
            )
            report.new_events += _insert_event(
                session,
                kind="anomaly",
                key=a.service,
                period=a.day,
                threshold=20,
                basis="daily",
                text=text,
            )
    return report


def deliver_pending(
    sessions: sessionmaker[Session], notifier: SlackNotifier | None
) -> tuple[int, int]:
    """Send every undelivered event, oldest first; returns (delivered, failed)."""
    delivered = failed = 0
    with sessions() as session:
        pending = session.scalars(
            select(AlertEvent).where(AlertEvent.delivered_at.is_(None)).order_by(AlertEvent.id)
        ).all()
    if notifier is None:
        if pending:
            log.warning(
                "%d alert(s) waiting: no Slack webhook configured (slack.webhook_url)", len(pending)
            )
        return 0, 0
    for event in pending:
        error: str | None = None
        try:
            notifier.send(event.text)
        except SlackDeliveryError as exc:
            error = str(exc)
        with sessions() as session, session.begin():
            row = session.get(AlertEvent, event.id)
            assert row is not None
            row.attempts += 1
            if error is None:
                row.delivered_at = datetime.now(UTC)
                delivered += 1
            else:
                row.last_error = error
                failed += 1
        if error is not None:
            log.error("alert %s not delivered: %s", event.id, error)
            break  # keep order; the next run retries from here
    return delivered, failed


def notifier_from(settings: Settings) -> SlackNotifier | None:
    if settings.slack.webhook_url is None:
        return None
    try:
        return SlackNotifier(settings.slack.webhook_url.read())
    except FinopsError as exc:
        log.error("Slack webhook unavailable: %s", exc)
        return None


def run_budget_job(
    sessions: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    notifier: SlackNotifier | None = None,
) -> BudgetRunReport:
    report = record_alerts(sessions, settings, now.astimezone(UTC).date())
    report.delivered, report.failed = deliver_pending(sessions, notifier or notifier_from(settings))
    return report
