"""Typed models for the data model in DESIGN.md.

Every table that ingest writes has a natural-key unique constraint, so ingest is an
upsert and rerunning a window changes nothing. Money and quantities are exact
(``Money``/``Quantity``), timestamps are aware UTC (``UTCDateTime``). Usage figures
are floats: they are measurements, not money.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.db.types import JSONDoc, Money, Quantity, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Cluster(Base):
    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)


class Namespace(Base):
    __tablename__ = "namespaces"
    __table_args__ = (UniqueConstraint("cluster_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(253))
    labels: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)


class Workload(Base):
    __tablename__ = "workloads"
    __table_args__ = (UniqueConstraint("cluster_id", "namespace", "kind", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(253))
    replicas: Mapped[int | None] = mapped_column(Integer)
    labels: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)
    annotations: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)
    cost_tags: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)
    autoscalers: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class ContainerSpecVersion(Base):
    """Requests and limits in force from ``valid_from`` until ``valid_to`` (open: current)."""

    __tablename__ = "container_specs"
    __table_args__ = (
        UniqueConstraint("workload_id", "container", "valid_from"),
        Index("ix_container_specs_current", "workload_id", "container", "valid_to"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workload_id: Mapped[int] = mapped_column(ForeignKey("workloads.id", ondelete="CASCADE"))
    container: Mapped[str] = mapped_column(String(253))
    cpu_request: Mapped[Decimal | None] = mapped_column(Quantity)
    cpu_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    memory_request: Mapped[Decimal | None] = mapped_column(Quantity)
    memory_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ResourceQuota(Base):
    __tablename__ = "resource_quotas"
    __table_args__ = (UniqueConstraint("cluster_id", "namespace", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(253))
    name: Mapped[str] = mapped_column(String(253))
    hard: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)  # decimal strings


class Node(Base):
    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("cluster_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(253))
    instance_type: Mapped[str] = mapped_column(String(63))
    capacity_type: Mapped[str] = mapped_column(String(16))
    zone: Mapped[str] = mapped_column(String(63))
    cpu_cores: Mapped[Decimal] = mapped_column(Quantity)
    memory_bytes: Mapped[Decimal] = mapped_column(Quantity)
    hourly_price: Mapped[Decimal | None] = mapped_column(Money)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class UsageHour(Base):
    """Hourly rollup of one container of one workload (over all its pods)."""

    __tablename__ = "usage_hourly"
    __table_args__ = (
        UniqueConstraint(
            "cluster_id", "namespace", "workload_kind", "workload", "container", "hour"
        ),
        Index("ix_usage_hourly_hour", "hour"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(253))
    workload_kind: Mapped[str] = mapped_column(String(63))
    workload: Mapped[str] = mapped_column(String(253))
    container: Mapped[str] = mapped_column(String(253))
    hour: Mapped[datetime] = mapped_column(UTCDateTime)
    cpu_avg: Mapped[float] = mapped_column(Float)
    cpu_p50: Mapped[float] = mapped_column(Float)
    cpu_p90: Mapped[float] = mapped_column(Float)
    cpu_p95: Mapped[float] = mapped_column(Float)
    cpu_p99: Mapped[float] = mapped_column(Float)
    cpu_max: Mapped[float] = mapped_column(Float)
    memory_avg: Mapped[float] = mapped_column(Float)
    memory_p95: Mapped[float] = mapped_column(Float)
    memory_max: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    pods: Mapped[float] = mapped_column(Float)
    pod_hours: Mapped[float] = mapped_column(Float)
    throttled_ratio: Mapped[float | None] = mapped_column(Float)
    oom_kills: Mapped[int] = mapped_column(Integer, default=0)
    restarts: Mapped[int] = mapped_column(Integer, default=0)


class UsageDay(Base):
    """One row per UTC day that has hourly usage: a write counter and what is packed.

    ``version`` is bumped by database triggers (migration 0006) on every insert, update
    or delete of ``usage_hourly`` rows of that day, whoever writes them. ``packed_version``
    is the version the day's ``usage_day_packs`` were built from: the packs are used only
    while the two are equal, so a late or corrected hour can never be read stale.
    """

    __tablename__ = "usage_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    packed_version: Mapped[int | None] = mapped_column(BigInteger)


class UsageDayPack(Base):
    """One container's hourly rollups of one full UTC day as one binary column block.

    Why: the weekly rightsizing run reads 14 days x every container; as rows that is
    hundreds of thousands of tuples to fetch and convert (seconds), as packs a few
    thousand blobs (milliseconds). ``data`` is little-endian float64, shape
    (14, ``hours``): epoch seconds of each hour, then the columns the engine reads, in
    ``app.usage.packs.PACKED_COLUMNS`` order. A cache only: it is
    rebuilt from ``usage_hourly`` whenever the day's version moves.
    """

    __tablename__ = "usage_day_packs"
    __table_args__ = (
        UniqueConstraint(
            "day", "cluster_id", "namespace", "workload_kind", "workload", "container"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(253))
    workload_kind: Mapped[str] = mapped_column(String(63))
    workload: Mapped[str] = mapped_column(String(253))
    container: Mapped[str] = mapped_column(String(253))
    hours: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CostLineRow(Base):
    __tablename__ = "cost_lines"
    __table_args__ = (
        UniqueConstraint("day", "account_id", "aws_service", "tag_key", "tag_value", "metric"),
        Index("ix_cost_lines_day", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    account_id: Mapped[str] = mapped_column(String(32))
    aws_service: Mapped[str] = mapped_column(String(128))
    tag_key: Mapped[str] = mapped_column(String(128))
    tag_value: Mapped[str] = mapped_column(String(256))
    metric: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    estimated: Mapped[bool] = mapped_column(Boolean, default=False)


class CollectionRun(Base):
    __tablename__ = "collection_runs"
    __table_args__ = (Index("ix_collection_runs_source_started", "source", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float] = mapped_column(Float)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    requests_made: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # success | failed
    error: Mapped[str | None] = mapped_column(Text)


class SourceWatermark(Base):
    """How far a source has been collected without gaps (advanced only on success)."""

    __tablename__ = "source_watermarks"
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobClaim(Base):
    """One row per (job, period): the replica that inserts it runs the job."""

    __tablename__ = "job_claims"
    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
