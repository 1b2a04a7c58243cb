"""Migrations build the schema the models describe, up and down, on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

import app.db.registry  # noqa: F401
from app.db.migrate import current_revision, downgrade, head_revision, is_current, upgrade
from app.db.models import Base


def test_upgrade_creates_every_model_table_and_downgrade_removes_them(blank_engine: Engine) -> None:
    assert current_revision(blank_engine) is None
    assert not is_current(blank_engine)
    upgrade(blank_engine)
    assert current_revision(blank_engine) == head_revision()
    tables = set(inspect(blank_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    for table in Base.metadata.sorted_tables:
        db_cols = {c["name"] for c in inspect(blank_engine).get_columns(table.name)}
        assert db_cols == {c.name for c in table.columns}, table.name
    upgrade(blank_engine)  # idempotent
    downgrade(blank_engine, "base")
    remaining = set(inspect(blank_engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_models_and_migrations_agree(blank_engine: Engine) -> None:
    """Autogenerate against the migrated schema finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    upgrade(blank_engine)
    with blank_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
