"""``finops``: the entry point. Groups live in their own modules and are added here."""

from __future__ import annotations

import typer

from app.cli import (
    collect_cmd,
    config_cmd,
    db_cmd,
    gitops_cmd,
    recommend_cmd,
    rightsizing_cmd,
    serve_cmd,
    token_cmd,
)
from app.cli.allocation_cmd import app as export_app
from app.cli.allocation_cmd import register as register_allocation

cli = typer.Typer(
    name="finops",
    help="tacos-finops: FinOps cost allocation, rightsizing and budgets for Kubernetes on AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli.add_typer(config_cmd.app, name="config", help="Validate and show configuration.")
cli.add_typer(db_cmd.app, name="db", help="Database migrations.")
cli.add_typer(
    rightsizing_cmd.app, name="rightsizing", help="Rightsizing recommendations and replay."
)
recommend_cmd.register(rightsizing_cmd.app)
gitops_cmd.register(rightsizing_cmd.app)
cli.add_typer(token_cmd.app, name="token", help="API tokens for the API and the browser.")
serve_cmd.register(cli)
collect_cmd.register(cli)
register_allocation(cli)
cli.add_typer(export_app, name="export", help="Export costs for finance tools (FOCUS).")


def run() -> None:
    cli()
