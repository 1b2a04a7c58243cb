"""Helpers every command shares: loading the context, printing errors, parsing times."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.context import AppContext
from app.errors import FinopsError
from app.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def print_table(table: Table, out: Console | None = None) -> None:
    """Print a table; piped or redirected, at its natural width instead of 80 columns.

    Rich sizes output for a terminal it cannot see as 80 columns wide, so a table sent
    to a file, ``less`` or ``grep`` had its names and statuses folded over several
    lines ("recommende / d"), which no script can read. A real terminal keeps its
    own width, and ``COLUMNS`` (the shell's, or set by hand) is honoured either way.
    """
    target = out or console
    if target.is_terminal:
        target.print(table)
        return
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():  # the user's stated width, piped or not
        width = int(columns)
    else:
        width = Measurement.get(target, target.options.update(width=10_000), table).maximum
    Console(file=target.file, width=max(width, 20), soft_wrap=True).print(table)


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML config file (default: $FINOPS_CONFIG, else built-in defaults).",
        envvar="FINOPS_CONFIG",
        dir_okay=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print("[bold red]error:[/]", end=" ")
    err_console.print(message, highlight=False, markup=False)
    raise typer.Exit(code)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log pipelines (``log_format: json``)."""

    def format(self, record: logging.LogRecord) -> str:
        import json

        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out)


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.INFO))


def settings_from(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except FinopsError as exc:
        fail(str(exc))


@contextmanager
def open_context(
    config: Path | None, schema: Literal["current", "any"] = "current", **overrides: Any
) -> Iterator[AppContext]:
    """Settings + database for one command; ``FinopsError`` becomes a clean exit 2.

    ``schema="current"`` (every command that reads or writes data) refuses a database
    that is missing, unreachable or not migrated to this version, with what to run,
    instead of failing half-way with a driver traceback; ``"any"`` is for the commands
    that create or migrate it themselves.
    """
    settings = settings_from(config, **overrides)
    try:
        url = settings.effective_database_url()
        if schema == "current":
            _require_existing_file(url)
        ctx = AppContext.create(settings)
    except FinopsError as exc:
        fail(str(exc))
    try:
        if schema == "current":
            _require_current_schema(ctx, url)
        yield ctx
    except FinopsError as exc:
        fail(str(exc))
    finally:
        ctx.close()


def _require_existing_file(url: str) -> None:
    """A SQLite path that does not exist would be created empty by connecting to it."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        path = Path(u.database)
        if not path.exists():
            fail(
                f"no database at {path}: create it with `finops db upgrade` "
                "(or load the demo with `finops demo --load-only`), or point --config / "
                "FINOPS_DATABASE_URL at yours"
            )


def _require_current_schema(ctx: AppContext, url: str) -> None:
    from app.db.migrate import current_revision, head_revision
    from app.settings import mask_url

    try:
        current = current_revision(ctx.engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        fail(f"cannot open the database {mask_url(url)}: {reason}")
    head = head_revision()
    if current is None:
        fail(
            f"the database {mask_url(url)} has no tables yet: run `finops db upgrade` "
            "(`finops serve` and `finops demo` do it themselves)"
        )
    if current != head:
        fail(
            f"the database {mask_url(url)} is at schema revision {current}, this version "
            f"needs {head}: run `finops db upgrade`"
        )


def parse_time(value: str, option: str) -> datetime:
    """Accept ``YYYY-MM-DD`` or ISO 8601 (``Z`` or an offset); naive means UTC."""
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option}: expected YYYY-MM-DD or an ISO 8601 time, got {value!r}")
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
