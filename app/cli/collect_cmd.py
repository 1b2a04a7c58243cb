"""``finops collect`` (one window now) and ``finops backfill`` (a long range, resumable)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from app.backfill import backfill
from app.cli.common import ConfigOption, console, fail, open_context, parse_time
from app.ingest import RunResult, run_collector
from app.sources import build_collectors
from collectors.records import Collector, TimeWindow

SourceOption = Annotated[
    str,
    typer.Option("--source", "-s", help="Source name: prometheus, kubernetes, aws_costs, demo."),
]


def _pick(collectors: list[Collector], source: str) -> Collector:
    """An exact source name (``prometheus:tacos``) or a kind with one cluster (``prometheus``)."""
    by_name = {c.source: c for c in collectors}
    if source in by_name:
        return by_name[source]
    matches = [c for name, c in by_name.items() if name.split(":", 1)[0] == source]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(by_name)) or "none (configure clusters/aws in the config file)"
    if matches:
        fail(f"{source!r} is ambiguous (several clusters); use one of: {known}")
    fail(f"unknown or unconfigured source {source!r}; configured sources: {known}")


def register(cli: typer.Typer) -> None:
    @cli.command("collect")
    def collect(
        source: SourceOption,
        config: ConfigOption = None,
        hours: Annotated[int, typer.Option(help="Collect the last N whole hours.", min=1)] = 1,
    ) -> None:
        """Collect the last N hours from one source now (one transaction)."""
        with open_context(config) as ctx:
            collector = _pick(build_collectors(ctx.settings, ctx.sessions), source)
            end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            result = run_collector(
                ctx.sessions, collector, TimeWindow(end - timedelta(hours=hours), end)
            )
        if not result.ok:
            fail(f"{source}: {result.error}", code=1)
        console.print(f"{source}: {result.rows} records in {result.duration_seconds:.1f}s")

    @cli.command("backfill")
    def backfill_cmd(
        source: SourceOption,
        start: Annotated[str, typer.Option("--from", help="Start (YYYY-MM-DD or ISO 8601, UTC).")],
        end: Annotated[str, typer.Option("--to", help="End, exclusive.")],
        config: ConfigOption = None,
        chunk_hours: Annotated[
            int, typer.Option(help="Hours per transaction.", min=1, max=24 * 31)
        ] = 24,
    ) -> None:
        """Collect a range chunk by chunk with a progress bar; interrupt and rerun to resume."""
        t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
        if t1 <= t0:
            fail(f"--to ({end}) must be after --from ({start})")
        with open_context(config) as ctx:
            collector = _pick(build_collectors(ctx.settings, ctx.sessions), source)
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"backfill {source}", total=None)

                def step(part: TimeWindow, result: RunResult | None) -> None:
                    if result is not None and not result.ok:
                        console.print(
                            # the error can quote a server's answer: never rich markup
                            f"[red]failed[/] {part.start:%Y-%m-%d %H:%M}: {escape(result.error or '')}",
                            markup=True,
                            highlight=False,
                        )
                    progress.advance(task)

                from app.backfill import plan_chunks

                window = TimeWindow(t0, t1)
                progress.update(task, total=len(plan_chunks(window, timedelta(hours=chunk_hours))))
                try:
                    report = backfill(
                        ctx.sessions, collector, window, timedelta(hours=chunk_hours), on_chunk=step
                    )
                except KeyboardInterrupt:
                    console.print(
                        "interrupted: finished chunks are stored; rerun the same command to resume"
                    )
                    raise typer.Exit(130) from None
        console.print(
            f"{source}: {report.done} chunk(s) collected, {report.skipped} already done, "
            f"{len(report.failed)} failed, {report.rows:,} records"
        )
        if report.failed:
            raise typer.Exit(1)
