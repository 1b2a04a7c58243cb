"""``finops token create|list|revoke``: API tokens for the API and the browser login."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import ConfigOption, console, fail, open_context, print_table
from app.db.session import transaction
from app.web.auth.roles import Role, parse_role
from app.web.auth.tokens import create_token, list_tokens, revoke_token

app = typer.Typer(no_args_is_help=True)


@app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="viewer, finance, ops or admin.")],
    name: Annotated[str, typer.Option("--name", help="Who or what uses the token.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Lifetime in days (default: none).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Create a token and print it once: it is stored only as a hash."""
    try:
        parsed: Role = parse_role(role)
    except ValueError as exc:
        fail(str(exc))
    with open_context(config, "any") as ctx:
        from app.db.migrate import upgrade  # alembic, on use

        upgrade(ctx.engine)
        with transaction(ctx.sessions) as session:
            issued = create_token(
                session, parsed, name, timedelta(days=expires_days) if expires_days else None
            )
    console.print(
        f"token {issued.id} for {escape(issued.name)} (role {issued.role.value}); shown only now:",
        highlight=False,
    )
    print(issued.raw)


@app.command("list")
def list_cmd(config: ConfigOption = None) -> None:
    """List tokens (never their values)."""
    with open_context(config) as ctx, ctx.sessions() as session:
        table = Table("id", "name", "role", "prefix", "created", "expires", "last used", "state")
        for t in list_tokens(session):
            table.add_row(
                str(t.id),
                escape(t.name),  # names are user input: never rich markup
                t.role,
                t.prefix + "…",
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                "revoked" if t.revoked_at else "active",
            )
        print_table(table)


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The id shown by `finops token list`.")],
    config: ConfigOption = None,
) -> None:
    """Revoke a token: its API calls and browser sessions stop at once."""
    with open_context(config) as ctx, transaction(ctx.sessions) as session:
        row = revoke_token(session, token_id)
        console.print(f"token {row.id} ({escape(row.name)}) revoked", highlight=False)
