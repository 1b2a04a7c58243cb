"""Health, readiness, workloads and collection-run endpoints over the real app."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.context import AppContext
from app.db.migrate import downgrade, head_revision, upgrade
from app.ingest import run_collector
from app.settings import load_settings
from app.web.app import create_app
from tests.support.sample_batches import FailingCollector, StaticCollector, day_window


def client_for(engine: Engine, sessions: sessionmaker[Session]) -> TestClient:
    settings = load_settings(
        database_url=engine.url.render_as_string(hide_password=False), demo=True
    )
    ctx = AppContext(settings=settings, engine=engine, sessions=sessions)
    return TestClient(create_app(ctx))


def test_health_and_readiness(engine: Engine, sessions: sessionmaker[Session]) -> None:
    client = client_for(engine, sessions)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "reachable", "migrations": head_revision()}


def test_readiness_fails_when_migrations_are_behind(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    client = client_for(engine, sessions)
    downgrade(engine, "base")
    try:
        resp = client.get("/readyz")
        assert resp.status_code == 503
        assert "finops db upgrade" in resp.json()["migrations"]
    finally:
        upgrade(engine)


def test_workloads_endpoint_reports_requests_and_usage(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    assert run_collector(sessions, StaticCollector(), day_window()).ok
    body = client_for(engine, sessions).get("/api/v1/workloads").json()
    assert body["count"] == 1
    w = body["items"][0]
    assert (w["namespace"], w["name"], w["kind"], w["replicas"]) == (
        "tacos",
        "gateway-api",
        "Deployment",
        2,
    )
    assert w["containers"][0]["cpu_request_cores"] == 0.5
    assert w["containers"][0]["memory_limit_bytes"] == 1024 * 2**20
    # 0.5 cores average per pod × 2 pods in every hour of the last day
    assert w["last_day"]["cpu_avg_cores"] == 1.0
    assert w["last_day"]["hours_with_usage"] == 24
    assert w["autoscalers"][0]["max_replicas"] == 10


def test_collection_runs_endpoint_lists_failures(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    window = day_window()
    run_collector(sessions, StaticCollector(), window)
    run_collector(sessions, FailingCollector(), window)
    client = client_for(engine, sessions)
    body = client.get("/api/v1/collection-runs").json()
    assert [r["status"] for r in body["items"]] == ["failed", "success"]
    assert body["watermarks"] == {"static": window.end.isoformat()}
    failed = client.get("/api/v1/collection-runs", params={"status": "failed"}).json()
    assert len(failed["items"]) == 1
    assert client.get("/api/v1/collection-runs", params={"status": "bogus"}).status_code == 422
    assert client.get("/api/v1/collection-runs", params={"limit": 0}).status_code == 422


def test_plotly_is_served_locally(engine: Engine, sessions: sessionmaker[Session]) -> None:
    resp = client_for(engine, sessions).get("/static/plotly.min.js")
    assert resp.status_code == 200
    assert "plotly" in resp.text[:2000].lower()
    assert client_for(engine, sessions).get("/static/../settings.py").status_code == 404


def test_metrics_report_runs_and_watermarks(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    window = day_window()
    run_collector(sessions, StaticCollector(), window)
    run_collector(sessions, FailingCollector(), window)
    text = client_for(engine, sessions).get("/metrics").text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }
    runs = "finops_collection_runs_last_24h"
    assert samples[(runs, (("source", "static"), ("status", "success")))] == 1
    assert samples[(runs, (("source", "static"), ("status", "failed")))] == 1
    mark = "finops_collection_last_success_timestamp_seconds"
    assert samples[(mark, (("source", "static"),))] == window.end.timestamp()
