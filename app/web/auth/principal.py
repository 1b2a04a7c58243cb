"""Who is asking: resolve a request to a ``Principal`` or to nobody.

Order, first match wins: demo mode or auth disabled (everyone is admin, the
banner says so); an ``Authorization: Bearer`` header (a wrong one is an error, never
a fall-through to weaker credentials); the trusted proxy header when configured;
the signed session cookie set by the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from app import data_generation
from app.allocation.cache import ShortLived
from app.context import AppContext
from app.settings import AuthSetting
from app.web.auth.errors import PermissionDeniedError, TokenError
from app.web.auth.roles import Permission, Role, allows, parse_role
from app.web.auth.secret import configured_secret, database_secret
from app.web.auth.signing import unsign
from app.web.auth.tokens import digest, find_active, find_active_by_id, touch

SESSION_COOKIE = "finops_session"
Via = Literal["demo", "open", "bearer", "proxy", "session"]


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    via: Via
    token_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


# Verified tokens and sessions are remembered for 2 s, so that a dashboard's burst of
# requests costs one lookup, not one each. A token revoked in another process (the
# CLI, another replica) stops working within those 2 s; in this process at once,
# because revocation bumps the data generation in the key. Failures are not remembered.
_VERIFIED: ShortLived[Principal] = ShortLived(ttl=2.0)


def signing_key(request: Request) -> bytes:
    """The app's cookie key, computed once per process and kept on ``app.state``."""
    key: bytes | None = getattr(request.app.state, "auth_key", None)
    if key is None:
        ctx: AppContext = request.app.state.ctx
        ref = ctx.settings.auth.session_secret
        key = configured_secret(ref) if ref else database_secret(ctx.sessions)
        request.app.state.auth_key = key
    return key


def role_for_identity(identity: str, mapping: dict[str, str]) -> Role | None:
    """Map a proxy identity (usually an email) to a role: exact, then ``*@domain``, then ``*``."""
    ident = identity.strip().lower()
    table = {k.strip().lower(): v for k, v in mapping.items()}
    candidates = [ident]
    if "@" in ident:
        candidates.append("*@" + ident.rsplit("@", 1)[1])
    candidates.append("*")
    for key in candidates:
        if key in table:
            return parse_role(table[key])
    return None


class LookupNeeded(Exception):
    """``resolve(..., peek=True)`` cannot answer without a database round trip."""


def resolve(request: Request, *, peek: bool = False) -> Principal | None:
    """The caller, or ``None`` for nobody. With ``peek`` no database is touched: a
    token not verified in the last 2 s raises ``LookupNeeded`` instead, so that the
    async caller can do the lookup in a worker thread and never block the event loop.
    """
    ctx: AppContext = request.app.state.ctx
    settings = ctx.settings
    if settings.demo:
        return Principal("demo", Role.ADMIN, "demo")
    if not settings.auth.enabled:
        return Principal("anonymous", Role.ADMIN, "open")
    header = request.headers.get("authorization")
    if header is not None:
        return _from_bearer(ctx.sessions, header, peek)
    proxied = _from_proxy(request, settings.auth)
    if proxied is not None:
        return proxied
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        if peek and getattr(request.app.state, "auth_key", None) is None:
            raise LookupNeeded  # the key may first have to be read from the database
        return _from_session(ctx.sessions, signing_key(request), cookie, peek)
    return None


def _from_bearer(factory: sessionmaker[Session], header: str, peek: bool) -> Principal:
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise TokenError("expected the header `Authorization: Bearer <token>`")

    def lookup() -> Principal:
        with factory() as session:
            row = find_active(session, raw.strip())
            touch(session, row)
            return Principal(row.name, Role(row.role), "bearer", row.id)

    key = (id(factory), data_generation.current(), "bearer", digest(raw.strip()))
    return _remembered(key, lookup, peek)


def _remembered(key: tuple[object, ...], lookup: Callable[[], Principal], peek: bool) -> Principal:
    if not peek:
        return _VERIFIED.get(key, lookup)
    known = _VERIFIED.peek(key)
    if known is None:
        raise LookupNeeded
    return known


def _from_proxy(request: Request, auth: AuthSetting) -> Principal | None:
    if not auth.proxy_header:
        return None
    identity = request.headers.get(auth.proxy_header)
    if not identity:
        return None
    role = role_for_identity(identity, auth.proxy_roles)
    if role is None:
        raise PermissionDeniedError(
            f"{identity} is authenticated by the proxy but not mapped to a role "
            f"(auth.proxy_roles); ask an admin to add it"
        )
    return Principal(identity.strip(), role, "proxy")


def _from_session(
    factory: sessionmaker[Session], key: bytes, cookie: str, peek: bool
) -> Principal | None:
    payload = unsign(key, cookie)
    if payload is None or not payload.isdigit():
        return None

    def lookup() -> Principal:
        with factory() as session:
            row = find_active_by_id(session, int(payload))
            return Principal(row.name, Role(row.role), "session", row.id)

    try:
        memo = (id(factory), data_generation.current(), "session", payload)
        return _remembered(memo, lookup, peek)
    except TokenError:
        return None  # revoked or expired since login: log in again
