"""Run a job once per period across replicas.

Two ``finops serve`` processes on one PostgreSQL must not run the same job for the
same period twice. The replica that inserts the (job, period) claim row runs it;
the insert is ``ON CONFLICT DO NOTHING``, and on PostgreSQL a transaction-scoped
advisory lock serialises the check so the loser sees the winner's row.
"""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import JobClaim

REPLICA_ID = f"{socket.gethostname()}:{os.getpid()}"


def _lock_key(job: str) -> int:
    digest = hashlib.sha256(job.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def claim(factory: sessionmaker[Session], job: str, period: str, who: str = REPLICA_ID) -> bool:
    """True if this call inserted the (job, period) claim: exactly one caller ever wins."""
    with factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(job)})
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        stmt = (
            insert(JobClaim)
            .values(job=job, period=period, claimed_by=who, claimed_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["job", "period"])
            .returning(JobClaim.job)
        )
        return session.execute(stmt).first() is not None
