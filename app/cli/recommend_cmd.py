"""``finops rightsizing recommend``: run the engine on the database and print or store results."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from sqlalchemy import select

from app.cli.common import ConfigOption, console, fail, open_context
from app.recommendations.models import RecommendationRow
from app.recommendations.service import run_configured
from app.web.api.recommendations import serialize
from rightsizing.errors import RightsizingError


class Format(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"
    csv = "csv"


def _cores(v: float | None) -> str:
    return "—" if v is None else f"{v * 1000:.0f}m"


def _mib(v: float | None) -> str:
    return "—" if v is None else f"{v / 2**20:.0f}Mi"


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
                rows = session.scalars(
                    select(RecommendationRow).where(RecommendationRow.run_id == run_id)
                ).all()
                items = sorted(
                    (serialize(r) for r in rows), key=lambda i: -(i["monthly_saving"] or 0.0)
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
            table = Table(title=f"Rightsizing run {run_id} ({strategy})")
            for col in (
                "workload",
                "container",
                "CPU req",
                "→",
                "Mem req",
                "→",
                "$/month",
                "conf.",
                "status",
            ):
                table.add_column(col)
            for i in items:
                rec = i["recommended"] or {}
                table.add_row(
                    f"{i['namespace']}/{i['workload']}",
                    i["container"],
                    _cores(i["current"]["cpu_request"]),
                    _cores(rec.get("cpu_request")) if rec else "",
                    _mib(i["current"]["memory_request"]),
                    _mib(rec.get("memory_request")) if rec else "",
                    f"{i['monthly_saving']:,.2f}" if i["monthly_saving"] is not None else "",
                    f"{i['confidence']:.2f}" if i["confidence"] is not None else "",
                    i["status"] if not i["reason"] else f"{i['reason']}",
                    end_section=False,
                )
            console.print(table)
            total = sum(i["monthly_saving"] or 0 for i in items if i["status"] == "recommended")
            console.print(f"total potential saving: ${total:,.2f}/month", highlight=False)
