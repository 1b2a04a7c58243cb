"""``finops serve`` (web + scheduler) and ``finops demo`` (demo data, then serve)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import ConfigOption, console, fail, open_context, setup_logging
from app.context import AppContext
from app.settings import DEFAULT_DB_URL

HostOption = Annotated[str | None, typer.Option("--host", help="Interface to listen on.")]
PortOption = Annotated[int | None, typer.Option("--port", help="TCP port.", min=1, max=65535)]


def ensure_port_free(host: str, port: int) -> None:
    """Fail early with a clear message instead of uvicorn's traceback."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} on {host} is already in use; stop the other process or "
                    f"choose another port with --port"
                )
            fail(f"cannot listen on {host}:{port}: {exc.strerror}")


def run_server(
    ctx: AppContext,
    host: str,
    port: int,
    *,
    scheduler: bool,
    workers: int = 1,
    config: Path | None = None,
) -> None:
    """Serve the app; with ``workers`` > 1 as that many processes (uvicorn's supervisor).

    Several workers use every core for the dashboard (each has its own caches; see
    docs/benchmarks-dashboard.md). They are started from ``app.web.asgi:create`` and
    read the same settings (the config file is passed on through ``FINOPS_CONFIG``);
    the scheduler runs once, in this process, never in the workers.
    """
    import uvicorn

    from app.scheduling.scheduler import build_scheduler
    from app.web.app import create_app

    ensure_port_free(host, port)
    web = create_app(ctx)  # also checks the auth settings before anything starts
    sched = build_scheduler(ctx) if scheduler else None
    if sched is not None:
        sched.start()
        web.state.scheduler = sched
    shown = f"[{host}]" if ":" in host else host
    console.print(f"dashboard: [bold]http://{shown}:{port}/[/]", highlight=False)
    try:
        if workers > 1:
            if config is not None:
                os.environ["FINOPS_CONFIG"] = str(config.resolve())
            os.environ["FINOPS_SCHEDULER_ENABLED"] = "false"  # the workers' own settings
            uvicorn.run(
                "app.web.asgi:create",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                access_log=False,
            )
        else:
            uvicorn.run(web, host=host, port=port, log_level="info", access_log=False)
    finally:
        if sched is not None:
            sched.shutdown(wait=False)


def register(cli: typer.Typer) -> None:
    @cli.command("serve")
    def serve(
        config: ConfigOption = None,
        host: HostOption = None,
        port: PortOption = None,
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                help="Web worker processes (default: server.workers, 1). The scheduler "
                "runs once, in the parent process.",
                min=1,
                max=64,
            ),
        ] = None,
    ) -> None:
        """Run the web app and the collection scheduler."""
        with open_context(config, "any") as ctx:
            setup_logging(ctx.settings.log_level, ctx.settings.log_format)
            from app.db.migrate import upgrade  # alembic, on use

            upgrade(ctx.engine)
            run_server(
                ctx,
                host or ctx.settings.server.host,
                port or ctx.settings.server.port,
                scheduler=ctx.settings.scheduler_enabled,
                workers=workers or ctx.settings.server.workers,
                config=config,
            )

    @cli.command("demo")
    def demo(
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
        load_only: Annotated[
            bool, typer.Option("--load-only", help="Load the demo data and exit.")
        ] = False,
    ) -> None:
        """Load 30 days of built-in demo data into the default SQLite file and serve it."""
        from app.demo_loader import load_demo

        setup_logging("WARNING")
        if not load_only:
            ensure_port_free(host, port)
        db_file = Path(DEFAULT_DB_URL.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        with open_context(None, "any", demo=True, database_url=DEFAULT_DB_URL) as ctx:
            load_demo(ctx, console)
            if not load_only:
                run_server(ctx, host, port, scheduler=False)
