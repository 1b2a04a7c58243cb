"""Load the built-in demo cluster through the real ingest path."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.progress import Progress

from app.allocation.store import allocate_days
from app.backfill import plan_chunks
from app.context import AppContext
from app.db.migrate import upgrade
from app.errors import FinopsError
from app.ingest import run_collector
from app.recommendations.service import run_configured
from collectors.demo import DemoCollector
from collectors.records import TimeWindow


def load_demo(ctx: AppContext, console: Console) -> None:
    """Migrate, then ingest the demo's 30 days one UTC day at a time (each day one
    transaction), as a backfill does: the collection runs read as days, and each batch
    holds whole days, which the ingest packs for the rightsizing reader."""
    upgrade(ctx.engine)
    collector = DemoCollector()
    window = collector.full_window()
    parts = plan_chunks(window, timedelta(days=1))
    total_rows = 0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("loading demo data", total=len(parts))
        for part in parts:
            result = run_collector(ctx.sessions, collector, part)
            if not result.ok:
                raise FinopsError(f"demo load failed: {result.error}")
            total_rows += result.rows
            progress.advance(task)
    with console.status("allocating costs"):
        allocate_days(
            ctx.sessions,
            ctx.settings,
            window.start.date(),
            (window.end - timedelta(seconds=1)).date(),
        )
    run_configured(ctx.sessions, ctx.settings)
    console.print(
        f"demo data loaded: {total_rows:,} records for {TimeWindow(window.start, window.end).start:%Y-%m-%d} "
        f"to {window.end:%Y-%m-%d}",
        highlight=False,
    )
