"""Tables of the daily allocation.

A day's allocation is three sets of rows written together (one transaction) and
replaced together when the day is recomputed: the day's summary (status, bill and
the parts, so reconciliation over a window is one small query), the in-cluster
rows (container-days, idle and cluster overhead per cluster) and the out-of-cluster
rows (per cost-tag dimension, value and AWS service; value ``""`` is unallocated).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Float, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base
from app.db.types import JSONDoc, Money, UTCDateTime


class AllocationDay(Base):
    __tablename__ = "allocation_days"
    __table_args__ = (UniqueConstraint("day", "metric"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # reconciled | estimated | no_bill
    cost_source: Mapped[str] = mapped_column(String(16))  # bill | node_prices | none
    bill_total: Mapped[Decimal | None] = mapped_column(Money)
    workloads: Mapped[Decimal] = mapped_column(Money)
    idle: Mapped[Decimal] = mapped_column(Money)
    overhead: Mapped[Decimal] = mapped_column(Money)
    external: Mapped[Decimal] = mapped_column(Money)  # service dimension
    unallocated: Mapped[Decimal] = mapped_column(Money)  # service dimension
    notes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AllocationRow(Base):
    """A container's day, a cluster's idle (``__idle__``) or overhead (``__shared__``)."""

    __tablename__ = "allocation_items"
    __table_args__ = (
        UniqueConstraint(
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
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    cluster: Mapped[str] = mapped_column(String(63))
    category: Mapped[str] = mapped_column(String(16))  # workload | idle | overhead
    namespace: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(63))
    workload: Mapped[str] = mapped_column(String(253))
    container: Mapped[str] = mapped_column(String(253))
    aws_service: Mapped[str] = mapped_column(String(128))
    cpu_core_hours: Mapped[float] = mapped_column(Float)
    cpu_request_core_hours: Mapped[float] = mapped_column(Float)
    cpu_usage_core_hours: Mapped[float] = mapped_column(Float)
    ram_gib_hours: Mapped[float] = mapped_column(Float)
    ram_request_gib_hours: Mapped[float] = mapped_column(Float)
    ram_usage_gib_hours: Mapped[float] = mapped_column(Float)
    cpu_cost: Mapped[Decimal] = mapped_column(Money)
    ram_cost: Mapped[Decimal] = mapped_column(Money)
    other_cost: Mapped[Decimal] = mapped_column(Money)


class AllocationExternal(Base):
    __tablename__ = "allocation_external"
    __table_args__ = (
        UniqueConstraint(
            "metric", "day", "dimension", "value", "aws_service", name="uq_allocation_external_key"
        ),
        Index("ix_allocation_external_metric_dimension_day", "metric", "dimension", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(256))
    aws_service: Mapped[str] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(Money)
