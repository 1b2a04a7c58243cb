"""Helpers every command shares: loading the context, printing errors, parsing times."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from app.context import AppContext
from app.errors import FinopsError
from app.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

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
def open_context(config: Path | None, **overrides: Any) -> Iterator[AppContext]:
    """Settings + database for one command; ``FinopsError`` becomes a clean exit 2."""
    settings = settings_from(config, **overrides)
    try:
        ctx = AppContext.create(settings)
    except FinopsError as exc:
        fail(str(exc))
    try:
        yield ctx
    except FinopsError as exc:
        fail(str(exc))
    finally:
        ctx.close()


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
