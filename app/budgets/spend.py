"""Spend per budget scope and per service per day, from stored allocation.

Budgets are fully loaded: idle and shared costs are shared out, so a team's budget
covers what it causes on the bill, and ``total`` is the bill itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.allocation.options import parse_options
from app.allocation.report import build_report
from app.allocation.window import DayWindow
from app.errors import ConfigError
from app.settings import Settings

ZERO = Decimal(0)


def parse_scope(scope: str, cost_tags: list[str]) -> tuple[str, str | None]:
    """``total`` → ("total", None); ``team:checkout`` → ("team", "checkout")."""
    if scope == "total":
        return "total", None
    dim, sep, value = scope.partition(":")
    allowed = {"namespace", "cluster", *cost_tags}
    if not sep or not value or dim not in allowed:
        raise ConfigError(
            f"budget scope {scope!r}: expected `total` or `<dimension>:<value>` with a dimension "
            f"in {', '.join(sorted(allowed))}"
        )
    return dim, value


def scope_spend(
    session: Session, settings: Settings, scope: str, first: date, end: date
) -> Decimal:
    """Allocated spend of ``scope`` over days [first, end)."""
    if end <= first:
        return ZERO
    tags = list(settings.cost_tags)
    dim, value = parse_scope(scope, tags)
    aggregate = "namespace" if dim == "total" else dim
    opts = parse_options(settings, aggregate, "share", None)
    report = build_report(
        session, DayWindow(first, end), None, settings.aws.cost_metric, opts, tags
    )
    if not report.steps:
        return ZERO
    groups = report.steps[0].groups
    if value is None:
        return sum((g.total for g in groups), ZERO)
    return sum((g.total for g in groups if g.name == value), ZERO)


def service_daily_spend(
    session: Session, settings: Settings, last_day: date, days: int
) -> dict[str, list[Decimal]]:
    """Per service, the fully loaded spend of each of the ``days`` days ending on ``last_day``."""
    first = last_day - timedelta(days=days - 1)
    tags = list(settings.cost_tags)
    opts = parse_options(settings, "service", "share", None)
    report = build_report(
        session,
        DayWindow(first, last_day + timedelta(days=1)),
        1,
        settings.aws.cost_metric,
        opts,
        tags,
    )
    series: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * days)
    for i, step in enumerate(report.steps):
        for g in step.groups:
            series[g.name][i] = g.total
    return dict(series)
