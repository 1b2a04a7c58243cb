from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.context import AppContext
from app.settings import Settings
from app.web.app import create_app


@pytest.fixture
def client(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    ctx = AppContext(settings=Settings(), engine=engine, sessions=sessions)
    with TestClient(create_app(ctx)) as c:
        yield c
