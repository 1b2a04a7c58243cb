"""Recommendation runs and their recommendations, with the evidence behind each number."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base
from app.db.types import JSONDoc, Money, Quantity, UTCDateTime


class RecommendationRun(Base):
    __tablename__ = "recommendation_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    containers: Mapped[int] = mapped_column(Integer, default=0)
    recommended: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # running | success | failed
    error: Mapped[str | None] = mapped_column(Text)


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "cluster", "namespace", "workload_kind", "workload", "container"
        ),
        Index("ix_recommendations_workload", "cluster", "namespace", "workload"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("recommendation_runs.id", ondelete="CASCADE"))
    cluster: Mapped[str] = mapped_column(String(63))
    namespace: Mapped[str] = mapped_column(String(253))
    workload_kind: Mapped[str] = mapped_column(String(63))
    workload: Mapped[str] = mapped_column(String(253))
    container: Mapped[str] = mapped_column(String(253))
    status: Mapped[str] = mapped_column(String(32))  # recommended | no_recommendation
    reason: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    current_cpu_request: Mapped[Decimal | None] = mapped_column(Quantity)
    current_cpu_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    current_memory_request: Mapped[Decimal | None] = mapped_column(Quantity)
    current_memory_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    cpu_request: Mapped[Decimal | None] = mapped_column(Quantity)
    cpu_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    memory_request: Mapped[Decimal | None] = mapped_column(Quantity)
    memory_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    monthly_saving: Mapped[Decimal | None] = mapped_column(Money)
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    notes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    hpa: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
