"""API tokens: create (shown once), verify by digest, list, revoke.

A token reads ``fo_<43 url-safe chars>``; the fixed prefix lets secret scanners
recognise a leaked one. Verification hashes the presented value and looks the
digest up, so the database never holds anything that would authenticate.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import data_generation
from app.web.auth.errors import TokenError
from app.web.auth.models import ApiToken
from app.web.auth.roles import Role

TOKEN_PREFIX = "fo_"  # noqa: S105 - a public prefix
_TOKEN_CHARS = 43  # token_urlsafe(32)
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    id: int
    name: str
    role: Role
    raw: str  # the only time the value exists outside the client


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def well_formed(raw: str) -> bool:
    body = raw.removeprefix(TOKEN_PREFIX)
    return (
        raw.startswith(TOKEN_PREFIX)
        and len(body) == _TOKEN_CHARS
        and all(c.isalnum() or c in "-_" for c in body)
    )


def create_token(
    session: Session, role: Role, name: str, expires_in: timedelta | None = None
) -> IssuedToken:
    """Store a new token's digest; the caller commits and shows ``raw`` once."""
    name = name.strip()
    if not name or len(name) > 128:
        raise TokenError("a token needs a name of 1 to 128 characters (who or what uses it)")
    if expires_in is not None and expires_in <= timedelta(0):
        raise TokenError("a token's lifetime must be positive")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    row = ApiToken(
        name=name,
        role=role.value,
        token_hash=digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + expires_in if expires_in else None,
    )
    session.add(row)
    session.flush()
    return IssuedToken(id=row.id, name=name, role=role, raw=raw)


def find_active(session: Session, raw: str, now: datetime | None = None) -> ApiToken:
    """The live token for ``raw`` or ``TokenError`` (never says which check failed)."""
    if not well_formed(raw):
        raise TokenError("invalid token")
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(raw))).first()
    return _check_live(row, now)


def find_active_by_id(session: Session, token_id: int, now: datetime | None = None) -> ApiToken:
    return _check_live(session.get(ApiToken, token_id), now)


def _check_live(row: ApiToken | None, now: datetime | None) -> ApiToken:
    now = now or _now()
    if row is None or row.revoked_at is not None:
        raise TokenError("invalid token")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenError("token expired")
    return row


def touch(session: Session, row: ApiToken) -> None:
    """Record use at most every few minutes, so reads do not turn into writes."""
    now = _now()
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        row.last_used_at = now
        session.commit()


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)))


def revoke_token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = _now()
        # Requests remember a verified token for 2 s (app.web.auth.principal): once the
        # revocation is committed, this process forgets them at once.
        event.listen(session, "after_commit", _forget_verified, once=True)
    return row


def _forget_verified(_session: Session) -> None:
    data_generation.bump()
