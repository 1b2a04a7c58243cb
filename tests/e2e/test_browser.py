"""The dashboard in a real browser (Debian's Chromium driven by Playwright).

One server and one browser for the module, against a SQLite database holding the
known rows of ``tests/integration/web/known_data.py``; each test gets a fresh
browser context (its own cookies) and signs in through the real login form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.context import AppContext
from app.db.session import transaction
from app.settings import load_settings
from app.web.auth.roles import Role
from app.web.auth.tokens import create_token
from tests.e2e.live_server import live_server
from tests.integration.web.known_data import (
    DAILY_TOTAL,
    DAYS,
    SERVICE_SPEND,
    UNTAGGED,
    XSS_SERVICE,
    load_known,
)
from tests.support.components import require_binary
from tests.support.databases import migrated_engine

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "/?window=7d": ["chart-by-service", "chart-by-team", "chart-movers"],
    "/allocation": ["chart-allocation-time", "chart-allocation-totals"],
    "/services": [],
    "/services/tacos/gateway-api": ["chart-cpu", "chart-memory", "chart-replicas", "chart-cost"],
    "/recommendations": ["chart-savings"],
    "/chargeback": ["chart-chargeback"],
    "/workloads": ["chart-requests"],
    "/system": [],
    "/admin/tokens": [],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chromium = require_binary("chromium", "install Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    engine = migrated_engine(url)
    ctx = AppContext.create(load_settings(database_url=url))
    load_known(ctx.sessions)
    with transaction(ctx.sessions) as s:
        tokens = {role: create_token(s, role, f"{role.value}-e2e").raw for role in Role}
    with live_server(ctx) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield {"base": base, "browser": browser, "tokens": tokens}
        finally:
            browser.close()
    ctx.close()
    engine.dispose()


class Watch:
    """Console errors, page errors, failed requests and dialogs seen by one page."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

        def on_dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)


def signed_in(site: dict[str, Any], role: Role, **context_args: Any) -> tuple[Any, Any, Watch]:
    context = site["browser"].new_context(**context_args)
    page = context.new_page()
    watch = Watch(page)
    page.goto(site["base"] + "/system")
    assert page.url.startswith(site["base"] + "/login?next=%2Fsystem")
    page.fill("#token", site["tokens"][role])
    page.click("button[type=submit]")
    page.wait_for_url(site["base"] + "/system")
    return context, page, watch


def chart_data(page: Any, element_id: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = page.evaluate(
        "id => document.getElementById(id).data.map(t => ({name: t.name, x: t.x, y: t.y}))",
        element_id,
    )
    return data


def test_every_page_loads_without_errors_and_draws_its_charts(site: dict[str, Any]) -> None:
    context, page, watch = signed_in(site, Role.ADMIN)
    try:
        for path, charts in PAGES.items():
            page.goto(site["base"] + path)
            page.wait_for_load_state("networkidle")
            assert page.locator("nav.nav").count() == 1
            for chart in charts:
                svg = page.locator(f"#{chart} .main-svg").first
                svg.wait_for(state="attached", timeout=10_000)
                assert len(chart_data(page, chart)) >= 1, (path, chart)
        assert watch.problems == []
        assert watch.dialogs == []
    finally:
        context.close()


def test_charts_hold_the_values_from_the_database(site: dict[str, Any]) -> None:
    context, page, watch = signed_in(site, Role.VIEWER)
    try:
        page.goto(site["base"] + "/?window=mtd")
        traces = {t["name"]: t for t in chart_data(page, "chart-by-service")}
        assert set(traces) == {*SERVICE_SPEND, "__unallocated__"}
        for name, amount in SERVICE_SPEND.items():
            assert traces[name]["y"] == [float(amount)] * DAYS
        assert traces["__unallocated__"]["y"] == [float(UNTAGGED)] * DAYS
        assert page.locator("#kpi-mtd .big").inner_text() == f"${DAILY_TOTAL * DAYS:,.2f}"
        page.goto(site["base"] + "/services/tacos/gateway-api?days=7")
        cpu = {t["name"]: t for t in chart_data(page, "chart-cpu")}
        assert set(cpu["average"]["y"]) == {0.25} and set(cpu["request"]["y"]) == {0.5}
        assert watch.problems == []
    finally:
        context.close()


def test_filters_change_the_url_and_the_data(site: dict[str, Any]) -> None:
    context, page, watch = signed_in(site, Role.FINANCE)
    try:
        page.goto(site["base"] + "/allocation?window=mtd")
        assert set(chart_data(page, "chart-allocation-totals")[0]["x"]) == {
            *SERVICE_SPEND,
            "__unallocated__",
        }
        page.select_option("select[name=group_by]", "team")
        page.wait_for_url(re.compile(r".*group_by=team.*"))
        assert "window=mtd" in page.url
        totals = chart_data(page, "chart-allocation-totals")[0]
        assert dict(zip(totals["x"], totals["y"], strict=True)) == {
            "checkout": 200.0,
            "platform": 120.0,
            "__unallocated__": 50.0,
        }
        page.select_option("select[name=window]", "7d")
        page.wait_for_url(re.compile(r".*window=7d.*"))
        assert "group_by=team" in page.url
        totals = chart_data(page, "chart-allocation-totals")[0]
        assert dict(zip(totals["x"], totals["y"], strict=True)) == {
            "checkout": 140.0,
            "platform": 84.0,
            "__unallocated__": 35.0,
        }
        # the shared link reproduces the view, and the CSV link carries the filters
        href = page.locator("#csv-link").get_attribute("href")
        assert href is not None and "group_by=team" in href and "window=7d" in href
        page.click("th >> text=Cost")
        page.wait_for_url(re.compile(r".*sort=cost.*"))
        first = page.locator("#allocation tbody tr").first.locator("td").first.inner_text()
        assert first == "__unallocated__"  # smallest first after the toggle
        assert watch.problems == []
    finally:
        context.close()


def test_viewer_cannot_reach_finance_only_actions(site: dict[str, Any]) -> None:
    context, page, _ = signed_in(site, Role.VIEWER)
    try:
        page.goto(site["base"] + "/allocation?window=mtd")
        assert page.locator("#csv-link").count() == 0
        page.goto(site["base"] + "/chargeback?month=2026-11")
        assert page.locator("#chargeback-csv").count() == 0
        assert page.locator("#chargeback-focus").count() == 0
        assert page.locator("nav >> text=Tokens").count() == 0
        for path in (
            "/allocation.csv?window=mtd",
            "/chargeback.focus.csv?month=2026-11",
            "/admin/tokens",
        ):
            response = page.goto(site["base"] + path)
            assert response is not None and response.status == 403, path
            assert "does not allow" in page.locator("p.error").inner_text()
    finally:
        context.close()


def test_hostile_label_value_is_shown_as_text(site: dict[str, Any]) -> None:
    context, page, watch = signed_in(site, Role.ADMIN)
    try:
        for path in ("/?window=mtd", "/allocation?window=mtd&group_by=service", "/chargeback"):
            page.goto(site["base"] + path)
            page.wait_for_load_state("networkidle")
        page.goto(site["base"] + "/?window=mtd")
        cells = page.locator("#overview-services td").all_inner_texts()
        assert XSS_SERVICE in cells
        legend = page.locator("#chart-by-service .legendtext").evaluate_all(
            "els => els.map(e => e.textContent)"
        )
        assert XSS_SERVICE in legend
        assert watch.dialogs == []
        assert page.evaluate("document.querySelectorAll('main script').length") == 0
    finally:
        context.close()


def test_pages_fit_a_phone_screen(site: dict[str, Any]) -> None:
    context, page, watch = signed_in(
        site, Role.ADMIN, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        for path in PAGES:
            page.goto(site["base"] + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (path, overflow)
        assert watch.problems == []
    finally:
        context.close()


def test_screenshots_directory_is_committed() -> None:
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    assert shots.is_dir() and len(list(shots.glob("*.png"))) >= 6
