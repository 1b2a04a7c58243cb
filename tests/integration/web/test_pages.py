"""Every page against a database with known rows: the numbers shown follow from them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.allocation.store import allocate_days
from app.db.models import CollectionRun
from app.db.session import transaction
from app.ingest import run_collector
from app.recommendations.models import RecommendationRow
from app.settings import load_settings
from app.web.auth.roles import Role
from collectors.records import TimeWindow
from tests.integration.web.conftest import bearer, figures
from tests.integration.web.known_data import (
    DAILY_TOTAL,
    DAYS,
    FIRST_DAY,
    LAST_DAY,
    SAVINGS,
    SERVICE_SPEND,
    UNTAGGED,
    XSS_SERVICE,
    KnownCollector,
    load_known,
)

PAGES = [
    "/",
    "/allocation",
    "/services",
    "/services/tacos/gateway-api",
    "/recommendations",
    "/chargeback",
    "/workloads",
    "/system",
]


@pytest.fixture
def known(sessions: sessionmaker[Session], tokens: dict[Role, str]) -> dict[str, str]:
    load_known(sessions)
    return {"finance": tokens[Role.FINANCE], "viewer": tokens[Role.VIEWER]}


def get(client: TestClient, token: str, path: str) -> str:
    resp = client.get(path, headers=bearer(token))
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
    return resp.text


def test_overview_figures_follow_the_bill(client: TestClient, known: dict[str, str]) -> None:
    html = get(client, known["viewer"], "/?window=mtd")
    mtd = DAILY_TOTAL * DAYS  # $370.00 through 2026-11-10
    forecast = mtd + DAILY_TOTAL * (30 - DAYS)  # flat spend: 37/day for the 20 days left
    assert f"${mtd:,.2f}" in html and f"${forecast:,.2f}" in html
    share = UNTAGGED / DAILY_TOTAL * 100
    assert f"{share:.1f}%" in html  # unallocated
    figs = figures(html)
    by_service = figs["chart-by-service"]["data"]
    names = [t["name"] for t in by_service]
    assert names == ["reservation-api", "gateway-api", XSS_SERVICE, "__unallocated__"]
    for t in by_service:
        expected = float(SERVICE_SPEND.get(t["name"], UNTAGGED))
        assert t["y"] == [expected] * DAYS
    teams = {t["name"]: sum(t["y"]) for t in figs["chart-by-team"]["data"]}
    assert teams == {"checkout": 200.0, "platform": 120.0, "__unallocated__": 50.0}


def test_top_movers_compare_with_the_period_before(
    client: TestClient, known: dict[str, str]
) -> None:
    # 2026-11-04..10 against 2026-10-28..11-03, which holds three days of data
    html = get(client, known["viewer"], "/?window=7d")
    bar = figures(html)["chart-movers"]["data"][0]
    changes = dict(zip(bar["y"], bar["x"], strict=True))
    expected = {k: float(v * 4) for k, v in SERVICE_SPEND.items()} | {
        "__unallocated__": float(UNTAGGED * 4)
    }
    assert changes == expected
    assert bar["y"][-1] == "reservation-api"  # the biggest move is drawn on top
    no_history = get(client, known["viewer"], "/?window=30d")
    assert "chart-movers" not in no_history and "nothing to compare with yet" in no_history


def test_hostile_label_values_are_escaped_everywhere(
    client: TestClient, known: dict[str, str]
) -> None:
    for path in [*PAGES, "/allocation?group_by=service", "/services/tacos/xss-api"]:
        html = get(client, known["finance"], path)
        assert XSS_SERVICE not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get(client, known["viewer"], "/")


def test_allocation_explorer_groups_sorts_and_exports(
    client: TestClient, known: dict[str, str]
) -> None:
    html = get(client, known["finance"], "/allocation?window=mtd&group_by=team&sort=key")
    assert 'id="csv-link"' in html
    totals = figures(html)["chart-allocation-totals"]["data"][0]
    assert dict(zip(totals["x"], totals["y"], strict=True)) == {
        "checkout": 200.0,
        "platform": 120.0,
        "__unallocated__": 50.0,
    }
    rows = html.split('id="allocation"')[1]
    assert rows.index("__unallocated__") < rows.index("checkout") < rows.index("platform")
    viewer_html = get(client, known["viewer"], "/allocation?window=mtd&group_by=team")
    assert 'id="csv-link"' not in viewer_html
    text = get(client, known["finance"], "/allocation.csv?window=mtd&group_by=team")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["group"], Decimal(r["cost_usd"])) for r in table] == [
        ("checkout", Decimal(200)),
        ("platform", Decimal(120)),
        ("__unallocated__", Decimal(50)),
    ]
    assert sum(Decimal(r["cost_usd"]) for r in table) == DAILY_TOTAL * DAYS


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("window=forever", "window"),
        ("group_by=planet", "group_by"),
        ("sort=rank", "sort"),
        ("page=0", "page"),
    ],
)
def test_allocation_rejects_bad_filters(
    client: TestClient, known: dict[str, str], query: str, parameter: str
) -> None:
    resp = client.get(f"/allocation?{query}", headers=bearer(known["viewer"]))
    assert resp.status_code == 422
    assert parameter in resp.text


def test_chargeback_month_by_team_and_exports(client: TestClient, known: dict[str, str]) -> None:
    html = get(client, known["finance"], "/chargeback?month=2026-11&by=team")
    assert 'id="chargeback-total">$370.00<' in html
    text = get(client, known["finance"], "/chargeback.csv?month=2026-11&by=team")
    assert text.splitlines() == [
        "month,dimension,value,cost_usd",
        "2026-11,team,checkout,200.000000",
        "2026-11,team,platform,120.000000",
        "2026-11,team,__unallocated__,50.000000",
    ]
    focus = list(
        csv.DictReader(
            io.StringIO(
                get(client, known["finance"], "/chargeback.focus.csv?month=2026-11&by=team")
            )
        )
    )
    assert len(focus) == DAYS * 3  # checkout, platform, untagged per day
    assert sum(Decimal(r["BilledCost"]) for r in focus) == DAILY_TOTAL * DAYS
    assert {r["BillingPeriodStart"] for r in focus} == {"2026-11-01T00:00:00Z"}
    october = get(client, known["finance"], "/chargeback.csv?month=2026-10&by=team")
    assert october.splitlines() == ["month,dimension,value,cost_usd"]
    assert (
        client.get(
            "/chargeback.csv?month=2026-13&by=team", headers=bearer(known["finance"])
        ).status_code
        == 422
    )
    assert client.get("/chargeback?by=planet", headers=bearer(known["finance"])).status_code == 422


def test_service_page_efficiency_replicas_and_recommendation(
    client: TestClient, known: dict[str, str]
) -> None:
    html = get(client, known["viewer"], "/services/tacos/gateway-api?days=7")
    assert 'id="kpi-cpu-eff"><h2>CPU efficiency</h2><p class="big">50%' in html  # 0.25 of 0.5
    assert "HPA bounds 2–10" in html
    figs = figures(html)
    cpu = {t["name"]: t for t in figs["chart-cpu"]["data"]}
    assert set(cpu) == {"peak", "p95", "average", "request", "limit"}
    assert set(cpu["average"]["y"]) == {0.25} and len(cpu["average"]["y"]) == 48
    assert set(cpu["request"]["y"]) == {0.5} and set(cpu["limit"]["y"]) == {1.0}
    mem = {t["name"]: t for t in figs["chart-memory"]["data"]}
    assert set(mem["request"]["y"]) == {0.5}  # 512 MiB in GiB
    assert "$12.50" in html and "decrease limited to 50% per step" in html
    cost = figs["chart-cost"]["data"][0]
    assert cost["y"] == [10.0] * 7
    assert "saves $12.50/month" in html


def test_service_page_says_when_a_recommendation_costs_more(
    client: TestClient, known: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    """A negative saving (the container asks for more) is not shown as a green saving."""
    with sessions.begin() as s:
        row = s.scalars(
            select(RecommendationRow).where(RecommendationRow.workload == "gateway-api")
        ).one()
        row.monthly_saving = Decimal("-3.25")
    html = get(client, known["viewer"], "/services/tacos/gateway-api?days=7")
    assert '<span class="saving more">costs $3.25/month more</span>' in html
    assert "saves" not in html
    assert client.get("/services/tacos/nope", headers=bearer(known["viewer"])).status_code == 404


def test_recommendations_table_total_and_sorting(client: TestClient, known: dict[str, str]) -> None:
    html = get(client, known["viewer"], "/recommendations")
    assert f"${sum(SAVINGS.values()):,.2f}" in html  # $52.50
    table = html.split('id="recommendations"')[1]
    assert table.index("reservation-api") < table.index("gateway-api")  # biggest saving first
    asc = get(client, known["viewer"], "/recommendations?sort=saving").split(
        'id="recommendations"'
    )[1]
    # no recommendation, no saving: after every figure, whichever way the savings go
    assert asc.index("gateway-api") < asc.index("reservation-api") < asc.index("xss-api")
    assert table.index("gateway-api") < table.index("xss-api")
    only = get(client, known["viewer"], "/recommendations?status=no_recommendation").split(
        'id="recommendations"'
    )[1]
    assert "xss-api" in only and "gateway-api" not in only


def test_system_page_shows_failures_staleness_and_paginates(
    client: TestClient, known: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    html = get(client, known["viewer"], "/system")
    assert 'data-source="prometheus"' in html and "connection refused" in html
    assert 'class="card source stale" data-source="prometheus"' in html
    assert 'class="card source fresh" data-source="known"' in html
    assert "<td>rightsizing</td><td><code>0 6 * * 1</code>" in html
    with transaction(sessions) as s:
        first = s.query(CollectionRun).first()
        assert first is not None
        for i in range(120):
            s.add(
                CollectionRun(
                    source="bulk",
                    window_start=first.window_start,
                    window_end=first.window_end,
                    started_at=first.started_at,
                    finished_at=first.finished_at,
                    duration_seconds=0.1,
                    rows=i,
                    requests_made=0,
                    status="success",
                )
            )
    page1 = get(client, known["viewer"], "/system?source=bulk")
    assert "page 1 / 3" in page1 and 'href="/system?page=2&amp;source=bulk"' in page1
    page3 = get(client, known["viewer"], "/system?source=bulk&page=3")
    assert "101–120 of 120" in page3


def test_empty_database_pages_say_what_to_configure(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    hints = {
        "/": "aws.accounts",
        "/allocation": "aws.accounts",
        "/services": "clusters:",
        "/recommendations": "finops rightsizing recommend",
        "/chargeback": "cost_tags",
        "/workloads": "clusters:",
        "/system": "prometheus.url",
    }
    for path, hint in hints.items():
        html = get(client, tokens[Role.VIEWER], path)
        assert 'class="empty"' in html and hint in html, path
    csv_text = get(client, tokens[Role.FINANCE], "/allocation.csv")
    assert csv_text.splitlines() == [
        "window_start,window_end_exclusive,group_by,group,cost_usd,share"
    ]


def test_every_page_links_every_page(client: TestClient, known: dict[str, str]) -> None:
    for path in PAGES:
        html = get(client, known["viewer"], path)
        for target in (
            "/",
            "/allocation",
            "/services",
            "/recommendations",
            "/chargeback",
            "/workloads",
            "/system",
        ):
            assert f'<a href="{target}"' in html, (path, target)


def test_pages_switch_to_the_allocation_once_it_has_run(
    client: TestClient, known: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    before = get(client, known["viewer"], "/allocation?window=mtd&group_by=namespace")
    assert "needs the allocation job" in before
    settings = load_settings(database_url="sqlite://")
    allocate_days(sessions, settings, FIRST_DAY, LAST_DAY)
    bill = DAILY_TOTAL * DAYS
    for group_by in ("namespace", "service", "team", "label:team"):
        html = get(client, known["viewer"], f"/allocation?window=mtd&group_by={group_by}")
        assert "split by the allocation job" in html, group_by
        totals = figures(html)["chart-allocation-totals"]["data"][0]
        assert round(sum(totals["y"]), 6) == float(bill), group_by  # the parts add up to the bill
    weekly = figures(get(client, known["viewer"], "/allocation?window=90d&group_by=team"))
    per_week = weekly["chart-allocation-time"]["data"]
    assert round(sum(sum(t["y"]) for t in per_week), 6) == float(bill)
    assert per_week[0]["x"][-2:] == ["2026-11-01", "2026-11-08"]
    namespaces = figures(get(client, known["viewer"], "/allocation?window=mtd&group_by=namespace"))
    assert "tacos" in namespaces["chart-allocation-totals"]["data"][0]["x"]
    overview = get(client, known["viewer"], "/?window=mtd")
    assert 'id="kpi-idle"><h2>Idle</h2><p class="big">0.0%' in overview
    service = get(client, known["viewer"], "/services/tacos/gateway-api?days=7")
    assert "allocated: compute" in service and "chart-cost" in service
    csv_text = get(client, known["finance"], "/allocation.csv?window=mtd&group_by=namespace")
    assert sum(Decimal(r["cost_usd"]) for r in csv.DictReader(io.StringIO(csv_text))) == bill


def test_overview_reflects_new_data_at_once(
    client: TestClient, known: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    before = get(client, known["viewer"], "/?window=mtd")
    assert f"${DAILY_TOTAL * DAYS:,.2f}" in before
    assert get(client, known["viewer"], "/?window=mtd") == before  # served again, same answer
    next_day = LAST_DAY + timedelta(days=1)
    assert run_collector(sessions, KnownCollector(), TimeWindow.of_days(next_day, next_day)).ok
    after = get(client, known["viewer"], "/?window=mtd")
    assert f"${DAILY_TOTAL * (DAYS + 1):,.2f}" in after


def test_long_windows_chart_per_week_and_month(client: TestClient, known: dict[str, str]) -> None:
    html = get(client, known["viewer"], "/allocation?window=90d&group_by=service")
    traces = {t["name"]: t for t in figures(html)["chart-allocation-time"]["data"]}
    gateway = traces["gateway-api"]
    assert "per week" in html
    assert gateway["x"][-2:] == ["2026-11-01", "2026-11-08"]  # calendar weeks from Sunday
    assert gateway["y"][-2:] == [70.0, 30.0] and sum(gateway["y"]) == 100.0
    yearly = get(client, known["viewer"], "/allocation?window=365d&group_by=team")
    months = {t["name"]: t for t in figures(yearly)["chart-allocation-time"]["data"]}
    assert months["checkout"]["x"][-1] == "2026-11-01" and months["checkout"]["y"][-1] == 200.0
    assert "per month" in yearly
