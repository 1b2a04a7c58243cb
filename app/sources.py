"""Build the configured collectors from settings (the composition root for sources)."""

from __future__ import annotations

from app.settings import Settings
from collectors.records import Collector


def build_collectors(settings: Settings) -> list[Collector]:
    """Every collector the configuration asks for, keyed by their ``source`` names."""
    if settings.demo:
        from collectors.demo import DemoCollector

        return [DemoCollector()]
    return []
