"""``finops config check FILE`` and ``finops config show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from app.cli.common import ConfigOption, console, settings_from

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The YAML config file to validate.", dir_okay=False)],
) -> None:
    """Validate FILE (plus FINOPS_* environment overrides); exit 2 with every problem named."""
    settings = settings_from(file)
    console.print(
        f"[green]ok[/]: {escape(str(file))} is valid — {len(settings.clusters)} cluster(s), "
        f"{len(settings.cost_tags)} cost tag(s), "
        f"database {escape(str(settings.safe_dict()['database_url']))}",
        highlight=False,
    )


@app.command("show")
def show(config: ConfigOption = None) -> None:
    """Print the effective configuration as JSON (secrets are shown as references only)."""
    settings = settings_from(config)
    console.print_json(json.dumps(settings.safe_dict()))
