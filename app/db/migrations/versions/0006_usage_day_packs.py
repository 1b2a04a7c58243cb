"""usage day packs: per-day write versions kept by triggers, packed hourly rollups

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:10:00.000000

The triggers bump ``usage_days.version`` for every day whose ``usage_hourly`` rows are
inserted, updated or deleted, by this service or anyone else, so a pack built from an
older version is never used. SQLite has row triggers only (a day's bump is an upsert
of one tiny row); PostgreSQL uses statement triggers with transition tables, one bump
per day per statement, so a bulk upsert of a day's 24,000 rows costs one row write.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_SQLITE_BUMP = (
    "INSERT INTO usage_days (day, version) VALUES (substr({row}.hour, 1, 10), 1) "
    "ON CONFLICT (day) DO UPDATE SET version = usage_days.version + 1;"
)
_SQLITE_TRIGGERS = {
    "usage_hourly_days_insert": ("INSERT", ("NEW",)),
    "usage_hourly_days_update": ("UPDATE", ("OLD", "NEW")),
    "usage_hourly_days_delete": ("DELETE", ("OLD",)),
}

_PG_FUNCTION = """
CREATE FUNCTION usage_days_bump_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_days (day, version)
    SELECT DISTINCT d, 1 FROM ({days}) AS changed(d)
    ON CONFLICT (day) DO UPDATE SET version = usage_days.version + 1;
    RETURN NULL;
END $$
"""
_PG_DAY = "SELECT (hour AT TIME ZONE 'UTC')::date FROM {table}"
_PG_TRIGGERS = {
    # name: (event, transition tables, days changed)
    "insert": ("INSERT", "NEW TABLE AS new_rows", ("new_rows",)),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ("old_rows", "new_rows")),
    "delete": ("DELETE", "OLD TABLE AS old_rows", ("old_rows",)),
}


_PG_TRUNCATE_FUNCTION = """
CREATE FUNCTION usage_days_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE usage_days SET version = version + 1;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "usage_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("packed_version", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_usage_days")),
    )
    op.create_table(
        "usage_day_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=253), nullable=False),
        sa.Column("workload_kind", sa.String(length=63), nullable=False),
        sa.Column("workload", sa.String(length=253), nullable=False),
        sa.Column("container", sa.String(length=253), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_usage_day_packs_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_day_packs")),
        sa.UniqueConstraint(
            "day",
            "cluster_id",
            "namespace",
            "workload_kind",
            "workload",
            "container",
            name=op.f(
                "uq_usage_day_packs_day_cluster_id_namespace_workload_kind_workload_container"
            ),
        ),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "INSERT INTO usage_days (day, version) "
            "SELECT DISTINCT (hour AT TIME ZONE 'UTC')::date, 1 FROM usage_hourly"
        )
        for name, (event, referencing, tables) in _PG_TRIGGERS.items():
            days = " UNION ".join(_PG_DAY.format(table=t) for t in tables)
            op.execute(_PG_FUNCTION.format(name=name, days=days))
            op.execute(
                f"CREATE TRIGGER usage_hourly_days_{name} AFTER {event} ON usage_hourly "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION usage_days_bump_{name}()"
            )
        # TRUNCATE fires no row or statement DELETE trigger: every day moves on instead
        op.execute(_PG_TRUNCATE_FUNCTION)
        op.execute(
            "CREATE TRIGGER usage_hourly_days_truncate AFTER TRUNCATE ON usage_hourly "
            "FOR EACH STATEMENT EXECUTE FUNCTION usage_days_bump_all()"
        )
    else:
        op.execute(
            "INSERT INTO usage_days (day, version) "
            "SELECT DISTINCT substr(hour, 1, 10), 1 FROM usage_hourly"
        )
        for trigger, (event, rows) in _SQLITE_TRIGGERS.items():
            body = " ".join(_SQLITE_BUMP.format(row=r) for r in rows)
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON usage_hourly "
                f"FOR EACH ROW BEGIN {body} END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in (*_PG_TRIGGERS, "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS usage_hourly_days_{name} ON usage_hourly")
        for name in (*_PG_TRIGGERS, "all"):
            op.execute(f"DROP FUNCTION IF EXISTS usage_days_bump_{name}()")
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("usage_day_packs")
    op.drop_table("usage_days")
