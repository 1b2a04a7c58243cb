"""Write collector output to the database: one window, one transaction, one run row."""

from app.ingest.runner import RunResult, run_collector, run_windows

__all__ = ["RunResult", "run_collector", "run_windows"]
