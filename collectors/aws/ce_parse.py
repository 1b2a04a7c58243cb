"""Turn Cost Explorer ``GetCostAndUsage`` pages into :class:`CostLine` records.

Pure code. Amounts stay the API's decimal strings turned into ``Decimal``. A tag
group key reads ``Key$Value``; ``Key$`` is the untagged remainder and becomes
``tag_value=""`` so the groups of one tag key add up to the whole bill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from collectors.aws.errors import CostExplorerResponseError
from collectors.records import CostLine


def parse_results(
    results_by_time: Sequence[Mapping[str, Any]],
    account_id: str,
    tag_key: str,
    metrics: Sequence[str],
) -> list[CostLine]:
    """Cost lines of one page; ``tag_key`` is "" for the service-only grouping."""
    out: list[CostLine] = []
    for result in results_by_time:
        try:
            day = date.fromisoformat(str(result["TimePeriod"]["Start"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CostExplorerResponseError(
                f"result without a valid TimePeriod: {result!r}"
            ) from exc
        estimated = bool(result.get("Estimated", False))
        for group in result.get("Groups") or []:
            keys = group.get("Keys") or []
            if len(keys) != (2 if tag_key else 1):
                raise CostExplorerResponseError(f"group on {day} has keys {keys!r}")
            service = str(keys[0])
            value = ""
            if tag_key:
                prefix, sep, value = str(keys[1]).partition("$")
                if not sep or prefix != tag_key:
                    raise CostExplorerResponseError(
                        f"group on {day} has tag key {keys[1]!r}, expected {tag_key}$<value>"
                    )
            for metric in metrics:
                cell = (group.get("Metrics") or {}).get(metric)
                if cell is None:
                    raise CostExplorerResponseError(
                        f"group {keys!r} on {day} lacks metric {metric}"
                    )
                out.append(
                    CostLine(
                        day=day,
                        account_id=account_id,
                        aws_service=service,
                        tag_key=tag_key,
                        tag_value=value,
                        metric=metric,
                        amount=_amount(cell, keys, day),
                        currency=str(cell.get("Unit") or "USD"),
                        estimated=estimated,
                    )
                )
    return out


def _amount(cell: Mapping[str, Any], keys: object, day: date) -> Decimal:
    try:
        amount = Decimal(str(cell["Amount"]))
    except (KeyError, InvalidOperation) as exc:
        raise CostExplorerResponseError(f"group {keys!r} on {day} has amount {cell!r}") from exc
    if not amount.is_finite():
        raise CostExplorerResponseError(f"group {keys!r} on {day} has amount {cell!r}")
    return amount


def days_returned(results_by_time: Sequence[Mapping[str, Any]]) -> set[date]:
    out: set[date] = set()
    for result in results_by_time:
        try:
            out.add(date.fromisoformat(str(result["TimePeriod"]["Start"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out
