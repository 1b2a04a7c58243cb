"""``GET /api/v1/costs``: the raw Cost Explorer lines behind the allocation.

Filter by window, metric, AWS service and tag key/value (``tag_key=`` empty string
is the bill grouping, by service only). JSON pages with ``limit``/``offset`` and the
total of the bill grouping for the window, or the whole selection as CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from app.allocation.errors import ParameterError
from app.allocation.options import parse_metric
from app.allocation.window import parse_window
from app.db.models import CostLineRow
from app.errors import InvalidParameterError
from app.web.deps import ContextDep, SessionDep

router = APIRouter(tags=["costs"])
_FIELDS = [
    "day",
    "accountId",
    "awsService",
    "tagKey",
    "tagValue",
    "metric",
    "amount",
    "currency",
    "estimated",
]


def _row(c: CostLineRow) -> dict[str, Any]:
    return {
        "day": c.day.isoformat(),
        "accountId": c.account_id,
        "awsService": c.aws_service,
        "tagKey": c.tag_key,
        "tagValue": c.tag_value,
        "metric": c.metric,
        "amount": f"{c.amount:.6f}",
        "currency": c.currency,
        "estimated": c.estimated,
    }


@router.get("/costs", response_model=None)
def costs(
    session: SessionDep,
    ctx: ContextDep,
    window: str = "7d",
    metric: str | None = None,
    service: str | None = None,
    tag_key: str | None = None,
    tag_value: str | None = None,
    format: str = "json",
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    try:
        if format not in {"json", "csv"}:
            raise ParameterError("format", f"{format!r} is not one of json, csv")
        win = parse_window(window, datetime.now(UTC).date())
        m = parse_metric(metric, ctx.settings)
    except ParameterError as exc:
        raise InvalidParameterError(exc.parameter, exc.detail) from exc
    c = CostLineRow
    where = [c.day >= win.start, c.day < win.end, c.metric == m]
    if service is not None:
        where.append(c.aws_service == service)
    if tag_key is not None:
        where.append(c.tag_key == tag_key)
    if tag_value is not None:
        where.append(c.tag_value == tag_value)
    stmt = (
        select(c).where(*where).order_by(c.day, c.tag_key, c.aws_service, c.tag_value, c.account_id)
    )
    if format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=_FIELDS, lineterminator="\n")
        w.writeheader()
        for row in session.scalars(stmt):
            w.writerow(_row(row))
        return Response(buf.getvalue(), media_type="text/csv")
    total_count = session.scalar(select(func.count()).select_from(c).where(*where)) or 0
    bill = sum(
        session.scalars(
            select(c.amount).where(
                c.day >= win.start, c.day < win.end, c.metric == m, c.tag_key == ""
            )
        ),
        Decimal(0),
    )
    items = [_row(r) for r in session.scalars(stmt.limit(limit).offset(offset))]
    return JSONResponse(
        {
            "window": win.as_json(),
            "metric": m,
            "billTotal": f"{bill:.6f}",
            "count": total_count,
            "limit": limit,
            "offset": offset,
            "items": items,
        }
    )
