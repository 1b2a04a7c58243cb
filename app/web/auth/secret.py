"""The key that signs session cookies and CSRF tokens.

From config by reference (``auth.session_secret: {env: ...}`` or ``{file: ...}``)
when set; otherwise generated once per database and stored, so every replica on
the same database accepts the same cookies and a restart logs nobody out.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ConfigError
from app.secrets import SecretRef
from app.web.auth.models import AuthSecret

SESSION_SECRET_NAME = "session"  # noqa: S105 - a row name, not a secret
_MIN_CONFIGURED_CHARS = 32


def configured_secret(ref: SecretRef) -> bytes:
    value = ref.read()
    if len(value) < _MIN_CONFIGURED_CHARS:
        raise ConfigError(
            f"auth.session_secret ({ref.describe()}) is shorter than "
            f"{_MIN_CONFIGURED_CHARS} characters; generate one with `openssl rand -hex 32`"
        )
    return value.encode("utf-8")


def database_secret(factory: sessionmaker[Session]) -> bytes:
    """Read the stored secret, creating it if absent (the first replica to insert wins)."""
    with factory() as session:
        row = session.get(AuthSecret, SESSION_SECRET_NAME)
        if row is not None:
            return row.value.encode("utf-8")
        session.add(
            AuthSecret(
                name=SESSION_SECRET_NAME,
                value=secrets.token_hex(32),
                created_at=datetime.now(UTC),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        value = session.scalars(
            select(AuthSecret.value).where(AuthSecret.name == SESSION_SECRET_NAME)
        ).one()
        return value.encode("utf-8")
