"""Dialect-aware bulk upsert (``INSERT ... ON CONFLICT DO UPDATE``).

Both SQLite and PostgreSQL support the same statement shape. The statement is built
once, without rows, and executed with the rows as parameters: SQLAlchemy then compiles
it once (cached) and sends the rows in multi-row batches ("insertmanyvalues"), keeping
under each database's limit on bound parameters. Building ``insert().values(rows)``
per chunk instead compiled a new statement with a bind parameter per value every
time, which was most of a cold backfill's wall time (docs/benchmarks-rightsizing.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import Base


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    *,
    update: bool = True,
) -> int:
    """Insert rows; on a natural-key conflict update the other columns (or do nothing)."""
    if not rows:
        return 0
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if dialect not in {"postgresql", "sqlite"}:
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    columns = list(rows[0].keys())
    stmt = insert(table)
    changes = {c: stmt.excluded[c] for c in columns if c not in key} if update else {}
    stmt = (
        stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
        if changes
        else stmt.on_conflict_do_nothing(index_elements=list(key))
    )
    session.execute(stmt, list(rows))
    return len(rows)
