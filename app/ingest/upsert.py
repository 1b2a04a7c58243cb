"""Dialect-aware bulk upsert (``INSERT ... ON CONFLICT DO UPDATE``).

Both SQLite and PostgreSQL support the same statement shape; rows go in chunks so
SQLite's limit on bound parameters is never reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import Base

_MAX_PARAMS = 30000


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
    chunk = max(1, _MAX_PARAMS // max(1, len(columns)))
    for i in range(0, len(rows), chunk):
        stmt = insert(table).values(list(rows[i : i + chunk]))
        if update:
            changes = {c: stmt.excluded[c] for c in columns if c not in key}
            stmt = (
                stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
                if changes
                else stmt.on_conflict_do_nothing(index_elements=list(key))
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        session.execute(stmt)
    return len(rows)
