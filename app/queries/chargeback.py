"""Read model for chargeback: one month's spend by a cost-tag dimension."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import CostLineRow
from app.errors import InvalidParameterError
from app.queries.finance import Window, month_of
from app.queries.focus import ChargeLine
from app.settings import Settings


def months_with_data(session: Session, settings: Settings) -> list[str]:
    """Every month from the first to the last stored cost day, newest first."""
    first, last = session.execute(
        select(func.min(CostLineRow.day), func.max(CostLineRow.day)).where(
            CostLineRow.metric == settings.aws.cost_metric
        )
    ).one()
    if first is None or last is None:
        return []
    months = []
    cur = date(first.year, first.month, 1)
    while cur <= last:
        months.append(f"{cur:%Y-%m}")
        cur = month_of(cur).end
    return months[::-1]


def parse_month(value: str) -> Window:
    try:
        year, month = value.split("-")
        return month_of(date(int(year), int(month), 1))
    except ValueError:
        raise InvalidParameterError("month", f"expected YYYY-MM, got {value!r}") from None


def charge_lines(
    session: Session, settings: Settings, month: Window, dimension: str
) -> list[ChargeLine]:
    tag = settings.cost_tags.get(dimension)
    if tag is None:
        raise InvalidParameterError("by", f"unknown cost tag {dimension!r}")
    rows = session.scalars(
        select(CostLineRow).where(
            CostLineRow.day >= month.start,
            CostLineRow.day < month.end,
            CostLineRow.metric == settings.aws.cost_metric,
            CostLineRow.tag_key == tag.aws_tag,
        )
    )
    return [
        ChargeLine(r.day, r.account_id, r.aws_service, r.tag_key, r.tag_value, r.amount, r.currency)
        for r in rows
    ]
