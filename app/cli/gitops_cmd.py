"""``finops rightsizing pr``: open or update the weekly rightsizing pull request."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import ConfigOption, console, err_console, fail, open_context
from app.gitops.job import PrRunResult, open_rightsizing_pr
from rightsizing.gitops.errors import GitOpsError


def _report(result: PrRunResult, dry_run: bool) -> None:
    if dry_run and result.diff:
        console.print(result.diff, end="", markup=False, highlight=False)
    patch = result.patch
    if patch is not None:
        for s in patch.skipped:
            err_console.print(
                f"not applied: {s.change.ref.label()}: {s.reason}", markup=False, highlight=False
            )
    for w in result.warnings:
        err_console.print(f"warning: {w}", markup=False, highlight=False)
    err_console.print(result.message, markup=False, highlight=False)


def register(group: typer.Typer) -> None:
    @group.command("pr")
    def pr(
        config: ConfigOption = None,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="Clone and patch, print the diff; push nothing."),
        ] = False,
    ) -> None:
        """Patch the manifests repo with the latest recommendations and open or update one PR."""
        with open_context(config) as ctx:
            try:
                result = open_rightsizing_pr(ctx, dry_run=dry_run)
            except GitOpsError as exc:
                fail(str(exc))
        _report(result, dry_run)
