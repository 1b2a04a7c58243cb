"""The built-in demo cluster, ingested through the real ingest path, reconciles to the cent.

Both metrics: the demo's Aurora reservation makes amortized and unblended differ, and
each must add up to its own bill.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.allocation.store import allocate_days
from app.ingest import run_collector
from app.settings import Settings
from collectors.demo import DemoCollector

END = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = 3
WINDOW = "2026-11-17T00:00:00Z,2026-11-20T00:00:00Z"


@pytest.fixture
def demo(sessions: sessionmaker[Session]) -> None:
    collector = DemoCollector(days=DAYS, end=END)
    window = collector.full_window()
    for part in window.split(timedelta(days=1)):
        result = run_collector(sessions, collector, part)
        assert result.ok, result.error
    days = window.days()
    for metric in ("AmortizedCost", "UnblendedCost"):
        allocate_days(sessions, Settings(), days[0], days[-1], metric)


def report(client: TestClient, **params: str) -> dict[str, Any]:
    r = client.get("/api/v1/allocation", params={"window": WINDOW, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


VIEWS = [
    ("namespace", "separate", "weighted"),
    ("service", "share", "even"),
    ("team", "separate", "none"),
    ("cost_center", "share", "weighted"),
    ("workload", "separate", "even"),
    ("label:app.kubernetes.io/part-of", "share", "none"),
]


@pytest.mark.usefixtures("demo")
def test_demo_reconciles_every_day_and_view(client: TestClient) -> None:
    """One ingest per database (it is the slow part); every view checked against it."""
    for metric in ("amortized", "unblended"):
        for aggregate, idle, shared in VIEWS:
            body = report(
                client, metric=metric, aggregate=aggregate, idle=idle, shared=shared, step="1d"
            )
            assert len(body["steps"]) == DAYS
            for step in body["steps"]:
                rec = step["reconciliation"]
                assert rec["status"] in {"reconciled", "estimated"}, rec
                bill = Decimal(rec["billTotal"])
                assert bill > 0
                assert sum(Decimal(i["totalCost"]) for i in step["items"]) == bill
                assert Decimal(rec["allocatedTotal"]) == bill and rec["difference"] == "0.000000"
                assert rec["missingDays"] == [] and rec["noBillDays"] == []

    def service_costs(metric: str) -> dict[str, Decimal]:
        body = report(client, metric=metric, aggregate="service")
        return {i["name"]: Decimal(i["totalCost"]) for i in body["steps"][0]["items"]}

    # The demo's Aurora reservation: amortized spreads its upfront fee, unblended does not.
    amortized, unblended = service_costs("amortized"), service_costs("unblended")
    assert amortized["reservation-api"] > unblended["reservation-api"]
    assert {"gateway-api", "reservation-api", "inventory-api", "payment-sim-api"} <= set(amortized)
