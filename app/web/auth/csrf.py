"""CSRF protection for every form: a signed double-submit token.

A random value lives in an HttpOnly, SameSite=Strict cookie; forms carry
HMAC(key, value) in a hidden ``csrf_token`` field. A cross-site page can make the
browser send the cookie but cannot read it, so it cannot compute the field.
Requests authenticated by a bearer header carry no ambient credentials and are
exempt. Used for the login form too, where no session exists yet.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from app.web.auth.errors import CsrfError
from app.web.auth.principal import signing_key
from app.web.auth.signing import mac

CSRF_COOKIE = "finops_csrf"
CSRF_FIELD = "csrf_token"


def _cookie_value(request: Request) -> str:
    """The request's CSRF cookie, or a new one that the middleware will set."""
    value = request.cookies.get(CSRF_COOKIE)
    if value and len(value) == 32 and all(c in "0123456789abcdef" for c in value):
        return value
    fresh: str | None = getattr(request.state, "new_csrf_cookie", None)
    if fresh is None:
        fresh = secrets.token_hex(16)
        request.state.new_csrf_cookie = fresh
    return fresh


def csrf_token(request: Request) -> str:
    return mac(signing_key(request), "csrf:" + _cookie_value(request))


def check_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        raise CsrfError("missing CSRF token: reload the page and submit the form again")
    expected = mac(signing_key(request), "csrf:" + cookie)
    if not hmac.compare_digest(expected, submitted):
        raise CsrfError("invalid CSRF token: reload the page and submit the form again")
