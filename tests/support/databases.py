"""Test databases: a SQLite file and a private PostgreSQL database per test session.

Each pytest session creates its own PostgreSQL database on the machine's server
(127.0.0.1:5432, trust auth) so that parallel runs never see each other's rows,
migrates it with the real Alembic migrations, and drops it at the end. Tables are
emptied between tests, because the code under test commits its own transactions.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from app.db.migrate import upgrade
from app.db.models import Base
from app.db.session import make_engine

PG_ADMIN_URL = os.environ.get(
    "FINOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


def create_pg_database() -> tuple[str, str]:
    """Create a fresh database; return (url, name)."""
    name = f"finops_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'finops-test.db'}"


def migrated_engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def empty_tables(engine: Engine) -> None:
    import app.db.registry  # noqa: F401
    from app import data_generation

    data_generation.bump()  # the rows go away behind the caches' back

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


def iter_backends() -> Iterator[str]:
    yield "sqlite"
    yield "postgresql"
