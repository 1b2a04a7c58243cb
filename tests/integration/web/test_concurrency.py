"""The real app under concurrent requests on a cold cache, with a one-connection pool.

The overview and the allocation API serve repeated views from in-process caches and
compute a miss once while the other requests wait. A request that waited while
holding its database connection would exhaust a small pool (and, before the fix,
fail with SQLAlchemy's pool timeout); here every answer must be a 200 with the same
figures, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import data_generation
from app.context import AppContext
from app.db.session import make_engine, make_session_factory, transaction
from app.settings import load_settings
from app.web.auth.roles import Role
from app.web.auth.tokens import create_token
from tests.e2e.live_server import live_server
from tests.integration.web.conftest import figures
from tests.integration.web.known_data import load_known
from tests.support.concurrency import run_concurrently

CLIENTS = 12


def test_cold_views_under_concurrency_fit_in_a_one_connection_pool(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    load_known(sessions)
    with transaction(sessions) as s:
        raw = create_token(s, Role.VIEWER, "concurrency").raw
    url = engine.url.render_as_string(hide_password=False)
    small = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=10)
    ctx = AppContext(
        settings=load_settings(database_url=url),
        engine=small,
        sessions=make_session_factory(small),
    )
    data_generation.bump()  # nothing cached for this data yet
    auth = {"Authorization": f"Bearer {raw}"}
    try:
        with live_server(ctx) as base:

            def page() -> httpx.Response:
                return httpx.get(f"{base}/?window=7d", headers=auth, timeout=60)

            def api() -> httpx.Response:
                return httpx.get(
                    f"{base}/api/v1/allocation?window=2026-11-01,2026-11-11&aggregate=service",
                    headers=auth,
                    timeout=60,
                )

            pages = run_concurrently(CLIENTS, page)
            assert [p.status_code for p in pages] == [200] * CLIENTS
            charts = [figures(p.text)["chart-by-service"]["data"] for p in pages]
            assert all(c == charts[0] for c in charts) and charts[0]
            answers = run_concurrently(CLIENTS, api)
            assert [a.status_code for a in answers] == [200] * CLIENTS, answers[0].text[:300]
            bodies = {a.content for a in answers}
            assert len(bodies) == 1
            # computed once (single-flight), the other eleven waited for that answer
            caches = [a.headers["X-Cache"] for a in answers]
            assert caches.count("miss") == 1 and caches.count("hit") == CLIENTS - 1
    finally:
        small.dispose()
