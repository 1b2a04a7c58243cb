"""Alembic environment: run with the connection handed in by ``app.db.migrate``."""

from __future__ import annotations

from alembic import context

import app.db.registry  # noqa: F401  (registers every table)
from app.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via the alembic CLI
    from app.db.session import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///finops.db")
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
