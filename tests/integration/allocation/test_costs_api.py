"""GET /api/v1/costs: raw cost lines with filters, totals, paging and CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.integration.allocation.scenario import ingest, known_day

WINDOW = "2026-11-02,2026-11-03"


@pytest.fixture
def loaded(sessions: sessionmaker[Session]) -> None:
    ingest(sessions, *known_day())


@pytest.mark.usefixtures("loaded")
def test_bill_lines_and_total(client: TestClient) -> None:
    r = client.get("/api/v1/costs", params={"window": WINDOW, "tag_key": ""})
    body = r.json()
    assert r.status_code == 200 and body["billTotal"] == "104.000000"
    assert sum(Decimal(i["amount"]) for i in body["items"]) == Decimal(104)
    assert {i["tagKey"] for i in body["items"]} == {""}


@pytest.mark.usefixtures("loaded")
def test_filters_and_paging(client: TestClient) -> None:
    r = client.get(
        "/api/v1/costs",
        params={"window": WINDOW, "tag_key": "Service", "tag_value": "reservation-api"},
    )
    items = r.json()["items"]
    assert sum(Decimal(i["amount"]) for i in items) == Decimal(31)
    page = client.get("/api/v1/costs", params={"window": WINDOW, "limit": 2, "offset": 1}).json()
    assert len(page["items"]) == 2 and page["count"] > 3
    assert (
        client.get("/api/v1/costs", params={"window": "2026-10-01,2026-10-02"}).json()["count"] == 0
    )


@pytest.mark.usefixtures("loaded")
def test_csv(client: TestClient) -> None:
    r = client.get("/api/v1/costs", params={"window": WINDOW, "tag_key": "", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal(104)


@pytest.mark.parametrize(
    ("param", "value"),
    [("window", "soon"), ("metric", "x"), ("format", "pdf"), ("limit", "0"), ("offset", "-1")],
)
def test_bad_parameters_are_422(client: TestClient, param: str, value: str) -> None:
    r = client.get("/api/v1/costs", params={"window": WINDOW, param: value})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", param]
