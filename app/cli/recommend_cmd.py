"""``finops rightsizing recommend``: run the engine on the database and print or store results."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer
import yaml
from rich import box
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from app.cli.common import ConfigOption, console, fail, open_context, print_table
from app.recommendations.models import RecommendationRow, RecommendationRun
from app.recommendations.serialize import serialize
from app.recommendations.service import run_configured
from rightsizing.errors import RightsizingError
from rightsizing.gitops.pr_body import money


class Format(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"
    csv = "csv"


def _cores(v: float | None) -> str:
    return "—" if v is None else f"{v * 1000:.0f}m"


def _mib(v: float | None) -> str:
    return "—" if v is None else f"{v / 2**20:.0f}Mi"


def _where(item: dict[str, Any]) -> str:
    """``namespace/workload``, and ``(container)`` unless it is named as the workload."""
    name = f"{item['namespace']}/{item['workload']}"
    return name if item["container"] == item["workload"] else f"{name} ({item['container']})"


def _change(current: str, recommended: str | None) -> str:
    return current if recommended is None else f"{current} → {recommended}"


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    rec = item["recommended"] or {}
    return {
        "namespace": item["namespace"],
        "workload": item["workload"],
        "container": item["container"],
        "status": item["status"],
        "reason": item["reason"] or "",
        **{f"current_{k}": v for k, v in item["current"].items()},
        **{f"recommended_{k}": rec.get(k) for k in item["current"]},
        "monthly_saving": item["monthly_saving"],
        "confidence": item["confidence"],
    }


def register(group: typer.Typer) -> None:
    @group.command("recommend")
    def recommend(
        config: ConfigOption = None,
        strategy: Annotated[
            str | None,
            typer.Option(help="Strategy name (default: rightsizing.strategy, else tacos)."),
        ] = None,
        namespace: Annotated[
            list[str] | None, typer.Option("--namespace", "-n", help="Limit to namespaces.")
        ] = None,
        fmt: Annotated[Format, typer.Option("--format", "-o")] = Format.table,
    ) -> None:
        """Recommend requests and limits from the last 14 days in the database, store and print them."""
        with open_context(config) as ctx:
            try:
                run_id = run_configured(
                    ctx.sessions, ctx.settings, strategy=strategy, namespaces=namespace or None
                )
            except RightsizingError as exc:
                fail(str(exc))
            with ctx.sessions() as session:
                run = session.get(RecommendationRun, run_id)
                used = run.strategy if run is not None else strategy
                window = (
                    f"{run.window_start:%Y-%m-%d %H:%M} to {run.window_end:%Y-%m-%d %H:%M} UTC"
                    if run is not None
                    else ""
                )
                rows = session.scalars(
                    select(RecommendationRow).where(RecommendationRow.run_id == run_id)
                ).all()
                # biggest saving first; no saving (no recommendation) after every figure
                items = sorted(
                    (serialize(r) for r in rows),
                    key=lambda i: (
                        i["monthly_saving"] is None,
                        -(i["monthly_saving"] or 0.0),
                        _where(i),
                    ),
                )
        if fmt is Format.json:
            console.print_json(json.dumps({"run_id": run_id, "items": items}))
        elif fmt is Format.yaml:
            console.print(
                yaml.safe_dump({"run_id": run_id, "items": items}, sort_keys=False),
                end="",
                markup=False,
            )
        elif fmt is Format.csv:
            buf = io.StringIO()
            flat = [_flat(i) for i in items]
            if flat:
                w = csv.DictWriter(buf, fieldnames=list(flat[0]))
                w.writeheader()
                w.writerows(flat)
            console.print(buf.getvalue(), end="", markup=False, highlight=False)
        else:
            # Piped or in a narrow terminal the table is 80 columns wide: a name cut
            # with an ellipsis is useless, so names fold over lines and each change
            # ("2000m → 1684m") is one column that is never cut.
            table = Table(
                title=escape(f"Rightsizing run {run_id} ({used}, usage {window})"),
                box=box.SIMPLE_HEAD,
            )
            table.add_column("namespace/workload (container)", overflow="fold", ratio=3)
            for col in ("CPU request", "memory request", "$/month", "conf."):
                table.add_column(col, no_wrap=True, justify="right")
            table.add_column("status", overflow="fold", ratio=2)
            for i in items:
                rec = i["recommended"] or {}
                cpu, mem = i["current"]["cpu_request"], i["current"]["memory_request"]
                table.add_row(
                    # names come from the cluster: never read as rich markup
                    escape(_where(i)),
                    _change(_cores(cpu), _cores(rec.get("cpu_request")) if rec else None),
                    _change(_mib(mem), _mib(rec.get("memory_request")) if rec else None),
                    f"{i['monthly_saving']:,.2f}" if i["monthly_saving"] is not None else "",
                    f"{i['confidence']:.2f}" if i["confidence"] is not None else "",
                    escape(i["status"] if not i["reason"] else i["reason"]),
                    end_section=False,
                )
            print_table(table)
            total = sum(i["monthly_saving"] or 0 for i in items if i["status"] == "recommended")
            console.print(
                f"total potential saving: {money(Decimal(str(total)))}/month", highlight=False
            )
