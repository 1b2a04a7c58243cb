"""Shared fixtures: one demo cluster with a fixed end, simulated once per session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.demo import DemoCollector
from collectors.records import Batch

#: A Sunday afternoon, so the span holds full weeks and a partial current day.
DEMO_END = datetime(2026, 3, 1, 13, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo() -> DemoCollector:
    return DemoCollector(seed=42, end=DEMO_END)


@pytest.fixture(scope="session")
def full(demo: DemoCollector) -> Batch:
    return demo.collect(demo.full_window())
