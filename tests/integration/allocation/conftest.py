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
    # Access control is tested in tests/integration/web; these tests are about the numbers.
    settings = Settings(auth={"enabled": False}, pricing={"cpu_to_memory_cost_ratio": 3.0})
    ctx = AppContext(settings=settings, engine=engine, sessions=sessions)
    with TestClient(create_app(ctx)) as c:
        yield c
