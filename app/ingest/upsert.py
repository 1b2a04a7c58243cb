"""Dialect-aware bulk upsert (``INSERT ... ON CONFLICT DO UPDATE``).

Both SQLite and PostgreSQL support the same statement shape. The statement is built
once, without rows, and executed with the rows as parameters: SQLAlchemy then compiles
it once (cached) and sends the rows in multi-row batches ("insertmanyvalues"), keeping
under each database's limit on bound parameters. Building ``insert().values(rows)``
per chunk instead compiled a new statement with a bind parameter per value every
time, which was most of a cold backfill's wall time (docs/benchmarks-rightsizing.md).
Batches of ``_BULK_MIN_ROWS`` or more take a bulk path per database (below) that
stores exactly the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
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
    if dialect == "postgresql" and len(rows) >= _BULK_MIN_ROWS:
        _copy_then_upsert(session, table, columns, list(key), rows, update)
        return len(rows)
    stmt = _on_conflict(insert(table), columns, key, update)
    if dialect == "sqlite" and len(rows) >= _BULK_MIN_ROWS:
        _execute_columnwise(session, stmt, table, columns, rows)
    else:
        session.execute(stmt, list(rows))
    return len(rows)


_BULK_MIN_ROWS = 1000
"""From this many rows a batch takes the bulk path of its database."""


def _on_conflict(stmt: Any, columns: Sequence[str], key: Sequence[str], update: bool) -> Any:
    """``stmt`` updating the non-key columns on a key conflict (or doing nothing)."""
    changes = {c: stmt.excluded[c] for c in columns if c not in key} if update else {}
    if changes:
        return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    return stmt.on_conflict_do_nothing(index_elements=list(key))


def _statement_error(exc: Exception, statement: str) -> StatementError:
    """A value its column type refuses, reported as SQLAlchemy's row-wise path reports it
    (``StatementError`` wrapping the type's own error), so callers see one error class
    whichever path a batch took."""
    if isinstance(exc, StatementError):
        return exc
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    return StatementError(f"({name}) {exc}", statement, None, exc)


def _bind_processors(table: Table, columns: Sequence[str], dialect: Any) -> list[Any]:
    """Each column's bind processor as SQLAlchemy applies it (None: value as is)."""
    return [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def _copy_then_upsert(
    session: Session,
    table: Table,
    columns: list[str],
    key: list[str],
    rows: Sequence[dict[str, Any]],
    update: bool,
) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT with
    the same ON CONFLICT clause.

    Why: row-by-row executemany makes the server run one upsert statement per row
    (336,000 for a 14-day backfill of 1,000 workloads; most of the ingest's time on
    PostgreSQL). Values go through the same bind processors as SQLAlchemy's. A key that
    appears twice in one batch is resolved as executemany would: the last row wins when
    updating, the first when conflicts are ignored (one INSERT ... SELECT may not touch a
    row twice). Everything runs in the session's transaction; the staging table is
    dropped after use (and on commit).
    """
    conn = session.connection()
    dialect = conn.dialect
    process = _bind_processors(table, columns, dialect)
    at = [columns.index(k) for k in key]
    unique: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        try:
            values = tuple(
                row[c] if f is None else f(row[c]) for c, f in zip(columns, process, strict=True)
            )
        except Exception as exc:
            raise _statement_error(exc, f"COPY {table.name}") from exc
        k = tuple(values[i] for i in at)
        if update or k not in unique:
            unique[k] = values
    quote = dialect.identifier_preparer.quote
    staging = quote(f"_upsert_{table.name}")
    names = ", ".join(quote(c) for c in columns)
    source = dialect.identifier_preparer.format_table(table)
    # Identifiers only, from our own table metadata and quoted by the dialect.
    driver: Any = conn.connection.driver_connection  # psycopg, in the session's transaction
    with driver.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {source} WITH NO DATA"
        )
        cur.execute(
            "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (f"pg_temp.{staging}",),
        )
        oids = [int(r[0]) for r in cur.fetchall()]
        binary = len(oids) == len(columns) and set(oids) <= _BINARY_COPY_OIDS
        with cur.copy(
            f"COPY {staging} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
        ) as copy:
            if binary:
                copy.set_types(oids)
            for values in unique.values():
                copy.write_row(values)
    staged = sa_table(f"_upsert_{table.name}", *(sa_column(c) for c in columns))
    merge = postgresql.insert(table).from_select(columns, select(*staged.c))
    session.execute(_on_conflict(merge, columns, key, update))
    with driver.cursor() as cur:
        cur.execute(f"DROP TABLE {staging}")


_BINARY_COPY_OIDS = frozenset({16, 20, 21, 23, 25, 700, 701, 1043, 1082, 1114, 1184, 1700})
"""PostgreSQL types COPYed in binary (bool, integers, text, varchar, floats, date,
timestamps, numeric): 6x faster than text (a day of 24,000 usage rows, 0.12 -> 0.02 s),
as no value is formatted as text and parsed back. Tables with other types (JSON) keep
the text format, whose value handling the bulk path was verified with."""


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
    SQLite; PostgreSQL has ``_copy_then_upsert``.
    """
    conn = session.connection()
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(columns):  # an unexpected statement shape: the general path
        session.execute(stmt, list(rows))
        return
    converted: list[list[Any]] = []
    for name, process in zip(order, _bind_processors(table, order, dialect), strict=True):
        values = [row[name] for row in rows]
        try:
            converted.append(values if process is None else [process(v) for v in values])
        except Exception as exc:
            raise _statement_error(exc, compiled.string) from exc
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(compiled.string, list(zip(*converted, strict=True)))
    finally:
        cursor.close()
