"""daily cost allocation: day summaries, in-cluster rows, out-of-cluster rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:28:51.868220
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cost_source", sa.String(length=16), nullable=False),
        sa.Column("bill_total", app.db.types.Money(precision=20, scale=6), nullable=True),
        sa.Column("workloads", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("idle", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("overhead", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("external", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("unallocated", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("notes", app.db.types.JSONDoc(), nullable=False),
        sa.Column("computed_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_days")),
        sa.UniqueConstraint("day", "metric", name=op.f("uq_allocation_days_day_metric")),
    )
    op.create_table(
        "allocation_external",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("aws_service", sa.String(length=128), nullable=False),
        sa.Column("amount", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_external")),
        sa.UniqueConstraint(
            "metric", "day", "dimension", "value", "aws_service", name="uq_allocation_external_key"
        ),
    )
    with op.batch_alter_table("allocation_external", schema=None) as batch_op:
        batch_op.create_index(
            "ix_allocation_external_metric_dimension_day",
            ["metric", "dimension", "day"],
            unique=False,
        )

    op.create_table(
        "allocation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("cluster", sa.String(length=63), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("namespace", sa.String(length=253), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("workload", sa.String(length=253), nullable=False),
        sa.Column("container", sa.String(length=253), nullable=False),
        sa.Column("aws_service", sa.String(length=128), nullable=False),
        sa.Column("cpu_core_hours", sa.Float(), nullable=False),
        sa.Column("cpu_request_core_hours", sa.Float(), nullable=False),
        sa.Column("cpu_usage_core_hours", sa.Float(), nullable=False),
        sa.Column("ram_gib_hours", sa.Float(), nullable=False),
        sa.Column("ram_request_gib_hours", sa.Float(), nullable=False),
        sa.Column("ram_usage_gib_hours", sa.Float(), nullable=False),
        sa.Column("cpu_cost", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("ram_cost", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("other_cost", app.db.types.Money(precision=20, scale=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_items")),
        sa.UniqueConstraint(
            "metric",
            "day",
            "cluster",
            "category",
            "namespace",
            "kind",
            "workload",
            "container",
            "aws_service",
            name="uq_allocation_items_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("allocation_items")
    with op.batch_alter_table("allocation_external", schema=None) as batch_op:
        batch_op.drop_index("ix_allocation_external_metric_dimension_day")

    op.drop_table("allocation_external")
    op.drop_table("allocation_days")
