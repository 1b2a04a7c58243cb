"""``finops allocate`` and ``finops export focus``.

``allocate --from --to`` recomputes and stores the daily allocation of a day range
(idempotent; the scheduler calls the same ``allocate_days``). ``export focus
--month YYYY-MM`` writes the month's costs as FOCUS 1.2 CSV for finance tools.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from app.allocation.errors import AllocationError
from app.allocation.focus import CostRow, focus_csv, focus_rows
from app.allocation.store import allocate_days
from app.cli.common import ConfigOption, console, fail, open_context, parse_time, setup_logging
from app.db.models import CostLineRow

app = typer.Typer(no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    @cli.command("allocate")
    def allocate(
        first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
        last: Annotated[
            str | None, typer.Option("--to", help="Last day, inclusive (default: --from).")
        ] = None,
        metric: Annotated[
            str | None,
            typer.Option(help="AmortizedCost or UnblendedCost (default: aws.cost_metric)."),
        ] = None,
        config: ConfigOption = None,
    ) -> None:
        """Compute and store the daily cost allocation for a range of days."""
        setup_logging("WARNING")
        start = parse_time(first, "--from")
        end = parse_time(last, "--to") if last else start
        for t, opt in ((start, "--from"), (end, "--to")):
            if (t.hour, t.minute, t.second, t.microsecond) != (0, 0, 0, 0):
                fail(f"{opt}: allocation is per UTC day; give a date such as 2026-11-01")
        with open_context(config) as ctx:
            try:
                summary = allocate_days(
                    ctx.sessions, ctx.settings, start.date(), end.date(), metric
                )
            except AllocationError as exc:
                fail(str(exc))
        console.print(summary.describe(), highlight=False, soft_wrap=True, markup=False)


@app.command("focus")
def export_focus(
    month: Annotated[str, typer.Option(help="Billing month, YYYY-MM.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="CSV file to write (default: stdout).", dir_okay=False),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a month of costs as FOCUS 1.2 (mandatory columns plus Tags) CSV."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail(f"--month: expected YYYY-MM such as 2026-11, got {month!r}")
    first = date(int(month[:4]), int(month[5:]), 1)
    with open_context(config) as ctx:
        service_tag = ctx.settings.cost_tags["service"].aws_tag
        with ctx.sessions() as session:
            nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            lines = session.scalars(
                select(CostLineRow).where(CostLineRow.day >= first, CostLineRow.day < nxt)
            )
            rows = focus_rows(
                (
                    CostRow(
                        c.day,
                        c.account_id,
                        c.aws_service,
                        c.tag_key,
                        c.tag_value,
                        c.metric,
                        c.amount,
                        c.currency,
                        c.estimated,
                    )
                    for c in lines
                ),
                first,
                service_tag,
            )
    text = focus_csv(rows)
    if out is None:
        sys.stdout.write(text)
        return
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        fail(f"--out: cannot write {out}: {exc.strerror}")
    console.print(
        f"wrote {len(rows)} FOCUS rows for {month} to {out}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
