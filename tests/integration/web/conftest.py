"""Fixtures: the real app on the test database, with auth on, and tokens per role."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.context import AppContext
from app.db.session import transaction
from app.settings import load_settings
from app.web.app import create_app
from app.web.auth.roles import Role
from app.web.auth.tokens import create_token

AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(engine: Engine, sessions: sessionmaker[Session]) -> AppFactory:
    """A TestClient for an app with the given settings overrides (auth on by default)."""

    def build(**overrides: Any) -> TestClient:
        settings = load_settings(
            database_url=engine.url.render_as_string(hide_password=False), **overrides
        )
        ctx = AppContext(settings=settings, engine=engine, sessions=sessions)
        return TestClient(create_app(ctx), base_url="http://127.0.0.1")

    return build


@pytest.fixture
def client(make_client: AppFactory) -> TestClient:
    return make_client()


@pytest.fixture
def tokens(sessions: sessionmaker[Session]) -> dict[Role, str]:
    out = {}
    with transaction(sessions) as s:
        for role in Role:
            out[role] = create_token(s, role, f"{role.value}-user").raw
    return out


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def figures(html: str) -> dict[str, dict[str, Any]]:
    """Every chart on a page: element id -> the Plotly figure it will draw."""
    import json

    out = {}
    for m in re.finditer(r'<div id="([^"]+)" class="chart" data-figure="([^"]*)"', html):
        out[m.group(1)] = json.loads(unescape(m.group(2)))
    return out


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)
