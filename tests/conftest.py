"""Shared fixtures. ``db`` runs a test on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.db.session import make_engine, make_session_factory
from tests.support.components import require
from tests.support.databases import (
    create_pg_database,
    drop_pg_database,
    empty_tables,
    migrated_engine,
    postgres_available,
    sqlite_url,
)


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = migrated_engine(sqlite_url(tmp_path_factory.mktemp("sqlite")))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    if not postgres_available():
        yield None
        return
    url, name = create_pg_database()
    engine = migrated_engine(url)
    yield engine
    engine.dispose()
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, sqlite_engine: Engine, pg_engine: Engine | None
) -> Iterator[Engine]:
    """A migrated, empty database: each test using it runs once per backend."""
    if request.param == "postgresql":
        require(
            pg_engine is not None,
            "PostgreSQL not reachable at 127.0.0.1:5432 (start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`)",
        )
        assert pg_engine is not None
        eng = pg_engine
    else:
        eng = sqlite_engine
    empty_tables(eng)
    yield eng
    empty_tables(eng)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """An empty, unmigrated database on each backend (for migration tests)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('blank') / 'blank.db'}")
        yield eng
        eng.dispose()
        return
    require(postgres_available(), "PostgreSQL not reachable at 127.0.0.1:5432")
    url, name = create_pg_database()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_pg_database(name)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path
