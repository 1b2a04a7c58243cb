"""GET /api/v1/allocation on both databases, against the known day of ``scenario``."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.allocation.store import allocate_days
from app.context import AppContext
from app.settings import Settings
from app.web.app import create_app
from tests.integration.allocation.scenario import DAY, T_DAY, ingest, known_day, workload

WINDOW = "2026-11-02T00:00:00Z,2026-11-03T00:00:00Z"


@pytest.fixture
def allocated(sessions: sessionmaker[Session]) -> None:
    ingest(sessions, *known_day())
    allocate_days(sessions, Settings(pricing={"cpu_to_memory_cost_ratio": 3.0}), DAY, DAY)


def get(client: TestClient, **params: str) -> dict[str, Any]:
    r = client.get("/api/v1/allocation", params={"window": WINDOW, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def costs(body: dict[str, Any], step: int = 0) -> dict[str, Decimal]:
    return {i["name"]: Decimal(i["totalCost"]) for i in body["steps"][step]["items"]}


def near(got: Decimal, want: str) -> bool:
    return abs(got - Decimal(want)) <= Decimal("0.000003")


@pytest.mark.usefixtures("allocated")
def test_namespaces_add_up_to_the_bill(client: TestClient) -> None:
    body = get(client)
    rec = body["steps"][0]["reconciliation"]
    assert body["reconciliation"] == rec["status"] == "reconciled"
    assert rec["billTotal"] == "104.000000" and rec["difference"] == "0.000000"
    c = costs(body)
    assert sum(c.values()) == Decimal(104)
    # tacos: 6.00 own + kube-system (2.142857) and the EKS fee (2.4) spread onto it
    assert near(c["tacos"], "10.542857")
    assert near(c["__idle__"], "15.857143")
    assert c["__external__"] == Decimal(46)  # RDS/S3 of services with no workload here
    ext = next(i for i in body["steps"][0]["items"] if i["name"] == "__external__")
    assert ext["externalCostByService"] == {
        "Amazon Relational Database Service": "45.000000",
        "Amazon Simple Storage Service": "1.000000",
    }
    assert c["__unallocated__"] == Decimal("31.6")
    assert "kube-system" not in c
    item = next(i for i in body["steps"][0]["items"] if i["name"] == "tacos")
    assert item["cpuEfficiency"] == 0.5 and item["ramEfficiency"] == 2.0
    # Cluster-wide: CPU (12 + 6) / (24 + 12) used; RAM (96 + 12) / (48 + 24) GiB-hours.
    eff = body["steps"][0]["efficiency"]
    assert eff["cpu"] == 0.5 and eff["ram"] == 1.5
    assert 0.5 < eff["total"] < 1.5


@pytest.mark.usefixtures("allocated")
def test_team_view_uses_the_team_tag_of_aws_resources(client: TestClient) -> None:
    c = costs(get(client, aggregate="team"))
    assert near(c["checkout"], "55.542857")  # gateway-api + shared + RDS tagged Team=checkout
    assert c["__unallocated__"] == Decimal("32.6")
    assert sum(c.values()) == Decimal(104)


@pytest.mark.usefixtures("allocated")
def test_service_view_joins_out_of_cluster_costs(client: TestClient) -> None:
    body = get(client, aggregate="service")
    c = costs(body)
    assert near(c["gateway-api"], "10.542857")
    assert c["reservation-api"] == Decimal(31) and c["payment-sim-api"] == Decimal(15)
    assert sum(c.values()) == Decimal(104)
    # ... and why: which AWS services the out-of-cluster dollars come from
    why = {i["name"]: i["externalCostByService"] for i in body["steps"][0]["items"]}
    assert why["reservation-api"] == {
        "Amazon Relational Database Service": "30.000000",
        "Amazon Simple Storage Service": "1.000000",
    }
    assert why["__unallocated__"] == {
        "Amazon Elastic Compute Cloud - Compute": "20.000000",
        "Amazon Relational Database Service": "5.000000",
        "Amazon Simple Storage Service": "6.600000",
    }
    assert why["gateway-api"] == {}


@pytest.mark.usefixtures("allocated")
def test_sharing_options(client: TestClient) -> None:
    shared_idle = costs(get(client, idle="share"))
    assert shared_idle["tacos"] == Decimal("26.4")  # all node cost + EKS fee
    assert "__idle__" not in shared_idle
    separate = costs(get(client, shared="none"))
    assert near(separate["kube-system"], "2.142857")
    assert separate["__shared__"] == Decimal("2.4")
    assert sum(separate.values()) == sum(shared_idle.values()) == Decimal(104)
    even = costs(get(client, shared="even"))
    assert even["tacos"] == costs(get(client))["tacos"]  # one recipient: same either way


@pytest.mark.usefixtures("allocated")
def test_other_aggregations(client: TestClient) -> None:
    assert "tacos/gateway-api/app" in costs(get(client, aggregate="container"))
    assert "tacos/gateway-api" in costs(get(client, aggregate="workload"))
    assert "api" in costs(get(client, aggregate="label:tier"))
    assert "tacos" in costs(get(client, aggregate="cluster"))


@pytest.mark.usefixtures("allocated")
def test_missing_days_are_reported_not_hidden(client: TestClient) -> None:
    r = client.get(
        "/api/v1/allocation",
        params={"window": "2026-11-02T00:00:00Z,2026-11-04T00:00:00Z", "step": "1d"},
    )
    body = r.json()
    assert [s["reconciliation"]["status"] for s in body["steps"]] == ["reconciled", "empty"]
    assert r.headers["X-Reconciliation"] == "empty"
    whole = client.get(
        "/api/v1/allocation", params={"window": "2026-11-02T00:00:00Z,2026-11-04T00:00:00Z"}
    ).json()
    rec = whole["steps"][0]["reconciliation"]
    assert rec["status"] == "incomplete" and rec["missingDays"] == ["2026-11-03"]


@pytest.mark.usefixtures("allocated")
def test_csv_has_the_same_numbers(client: TestClient) -> None:
    r = client.get("/api/v1/allocation", params={"window": WINDOW, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sum(Decimal(row["totalCost"]) for row in rows) == Decimal(104)
    assert {row["reconciliation"] for row in rows} == {"reconciled"}


def test_an_empty_database_answers_empty_not_an_error(client: TestClient) -> None:
    body = get(client)
    assert body["reconciliation"] == "empty" and body["steps"][0]["items"] == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("window", "fortnight"),
        ("window", "2026-11-02T05:00:00Z,2026-11-03T00:00:00Z"),
        ("aggregate", "pod"),
        ("aggregate", "label:"),
        ("step", "1h"),
        ("idle", "maybe"),
        ("shared", "sometimes"),
        ("metric", "BlendedCost"),
        ("format", "xml"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    client: TestClient, param: str, value: str
) -> None:
    r = client.get("/api/v1/allocation", params={"window": WINDOW, param: value})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", param]
    assert detail["msg"]


@pytest.mark.usefixtures("allocated")
def test_capacity_cost_at_autoscaler_bounds(client: TestClient) -> None:
    r = client.get("/api/v1/allocation/capacity", params={"window": WINDOW})
    assert r.status_code == 200, r.text
    body = r.json()
    prices = body["unitPrices"]["tacos"]
    # $/GiB-h = $1 / 28 units; $/core-h = 3× that
    assert prices == {"cpuCoreHour": "0.107143", "ramGiBHour": "0.035714"}
    gw = next(i for i in body["items"] if i["service"] == "gateway-api")
    pod = Decimal("0.107143") + 2 * Decimal("0.035714")
    assert gw["podHourlyCost"] == f"{pod:.6f}"
    assert gw["monthlyAtMin"] == f"{pod * 2 * 730:.2f}"
    assert gw["monthlyAtCurrent"] == f"{pod * 3 * 730:.2f}"
    assert gw["monthlyAtMax"] == f"{pod * 10 * 730:.2f}"
    assert gw["autoscaled"] is True
    dns = next(i for i in body["items"] if i["service"] == "kube-dns")
    assert dns["monthlyAtMin"] == dns["monthlyAtMax"] and dns["autoscaled"] is False


def test_answers_are_reused_until_the_data_changes(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    batch, window = known_day()
    ingest(sessions, batch, window)
    allocate_days(sessions, Settings(pricing={"cpu_to_memory_cost_ratio": 3.0}), DAY, DAY)
    first = client.get("/api/v1/allocation", params={"window": WINDOW})
    again = client.get("/api/v1/allocation", params={"window": WINDOW})
    assert again.headers["X-Cache"] == "hit" and again.json() == first.json()
    # The bill for the day is revised upward: the next answer must show it.
    revised = batch.__class__(costs=[replace(c, amount=c.amount * 2) for c in batch.costs])
    ingest(sessions, revised, window)
    allocate_days(sessions, Settings(pricing={"cpu_to_memory_cost_ratio": 3.0}), DAY, DAY)
    after = client.get("/api/v1/allocation", params={"window": WINDOW})
    assert after.headers["X-Cache"] == "miss"
    assert after.json()["steps"][0]["reconciliation"]["billTotal"] == "208.000000"


def test_a_relabelled_workload_moves_to_its_new_team(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    batch, window = known_day()
    ingest(sessions, batch, window)
    allocate_days(sessions, Settings(pricing={"cpu_to_memory_cost_ratio": 3.0}), DAY, DAY)
    assert "checkout" in costs(get(client, aggregate="team"))
    later = T_DAY + timedelta(hours=23)
    moved = batch.__class__(workloads=[workload("gateway-api", later, "1", 2, team="payments")])
    ingest(sessions, moved, window)
    teams = costs(get(client, aggregate="team"))
    assert "payments" in teams and near(teams["payments"], "10.542857")


@pytest.mark.usefixtures("allocated")
def test_configured_shared_namespaces_per_cluster(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    cfg = Settings(
        clusters=[{"name": "tacos", "shared_namespaces": []}],
        pricing={"cpu_to_memory_cost_ratio": 3.0},
        auth={"enabled": False},
    )
    ctx = AppContext(settings=cfg, engine=engine, sessions=sessions)
    with TestClient(create_app(ctx)) as own:
        c = costs(get(own))
    # kube-system is an ordinary namespace here: it carries its share of the EKS fee
    # (2.4 split 2.142857 : 6 by cost) instead of being spread onto tacos.
    assert near(c["kube-system"], "2.774436") and near(c["tacos"], "7.768421")
