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
    if dialect == "sqlite" and len(rows) >= _COLUMNWISE_MIN_ROWS:
        _execute_columnwise(session, stmt, table, columns, rows)
    else:
        session.execute(stmt, list(rows))
    return len(rows)


_COLUMNWISE_MIN_ROWS = 1000


def _execute_columnwise(
    session: Session,
    stmt: Any,
    table: Table,
    columns: list[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """The same statement and the same stored values, converted a column at a time.

    Why: SQLAlchemy prepares executemany parameters row by row (a parameter dict per
    row, each value through its type's bind processor by name lookup), which for a
    backfill's 24,000 usage rows a day was about a third of the ingest's CPU. Here each
    column goes through the very processor SQLAlchemy would use (so datetimes are stored
    in exactly the same text form and the natural keys still match), and the DBAPI
    cursor of the session's own connection runs the statement, inside its transaction.
    SQLite only: psycopg already receives rows in batches with native types.
    """
    conn = session.connection()
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(columns):  # an unexpected statement shape: the general path
        session.execute(stmt, list(rows))
        return
    converted: list[list[Any]] = []
    for name in order:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        converted.append(values if process is None else [process(v) for v in values])
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(compiled.string, list(zip(*converted, strict=True)))
    finally:
        cursor.close()
