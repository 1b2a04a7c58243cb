"""Shared fixtures: one real Prometheus loaded with the scenario, one moto_server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.collectors import prom_scenario
from tests.support.moto import MotoServer
from tests.support.prometheus_server import PrometheusServer, prometheus_with


@pytest.fixture(scope="session")
def scenario_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    workdir: Path = tmp_path_factory.mktemp("prom-scenario")
    with prometheus_with(prom_scenario.series(), workdir) as server:
        yield server


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    yield server
    server.stop()
