"""``finops db upgrade`` / ``finops db current``."""

from __future__ import annotations

import typer

from app.cli.common import ConfigOption, console, open_context
from app.settings import mask_url

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(config: ConfigOption = None) -> None:
    """Apply every pending migration to the configured database."""
    from app.db.migrate import current_revision, head_revision, upgrade  # alembic, on use

    with open_context(config, "any") as ctx:
        before = current_revision(ctx.engine)
        upgrade(ctx.engine)
        console.print(
            f"database {mask_url(ctx.settings.database_url)}: {before or 'empty'} → {head_revision()}",
            highlight=False,
            markup=False,
        )


@app.command("current")
def current_cmd(config: ConfigOption = None) -> None:
    """Show the database's migration revision and the latest one."""
    from app.db.migrate import current_revision, head_revision  # alembic, on use

    with open_context(config, "any") as ctx:
        console.print(f"current: {current_revision(ctx.engine)}  head: {head_revision()}")
