"""Migration 0002 (allocation tables) on both databases: up from 0001, down, up again,
with data already in the 0001 tables kept, and no drift from the models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import app.db.registry  # noqa: F401
from app.db.migrate import current_revision, downgrade, upgrade
from app.db.models import Base

TABLES = {"allocation_days", "allocation_items", "allocation_external"}


@pytest.fixture
def blank(blank_engine: Engine) -> Engine:
    return blank_engine


def test_0002_up_down_up_keeps_existing_data(blank: Engine) -> None:
    upgrade(blank, "0001")
    with blank.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cost_lines (day, account_id, aws_service, tag_key, tag_value, metric,"
                " amount, currency, estimated) VALUES (:d, '1', 's', '', '', 'AmortizedCost',"
                " :a, 'USD', false)"
            ),
            {"d": date(2026, 11, 1), "a": "12.5"},
        )
    upgrade(blank, "0002")
    assert current_revision(blank) == "0002"
    assert set(inspect(blank).get_table_names()) >= TABLES
    with blank.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    # Later areas' migrations add other tables; only ours must match the models at 0002.
    assert [d for d in diff if any(t in str(d) for t in TABLES)] == []
    downgrade(blank, "0001")
    assert not TABLES & set(inspect(blank).get_table_names())
    upgrade(blank, "0002")
    with blank.connect() as conn:
        amount = conn.execute(text("SELECT amount FROM cost_lines")).scalar_one()
    assert Decimal(str(amount)) == Decimal("12.5")
