"""The alert outbox: one row per (kind, key, period, threshold, basis), delivered once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base
from app.db.types import UTCDateTime


class AlertEvent(Base):
    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("kind", "key", "period", "threshold", "basis"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # budget | anomaly
    key: Mapped[str] = mapped_column(String(256))  # budget name or service
    period: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    basis: Mapped[str] = mapped_column(String(16))  # actual | forecast | daily
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
