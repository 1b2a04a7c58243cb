"""Signed, expiring values for cookies: HMAC-SHA256 over ``payload.expiry``.

Written here rather than pulled in (itsdangerous) because it is twenty lines and
the format is fixed: ``<payload>.<expiry unix seconds>.<hex mac>``. The payload
must not contain dots; callers pass ids and random hex only.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: bytes, payload: str, ttl_seconds: int, now: float | None = None) -> str:
    if "." in payload:
        raise ValueError("payload must not contain '.'")
    expiry = int((now if now is not None else time.time()) + ttl_seconds)
    body = f"{payload}.{expiry}"
    mac = hmac.new(secret, body.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unsign(secret: bytes, value: str, now: float | None = None) -> str | None:
    """The payload if ``value`` is authentic and unexpired, else ``None``."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    payload, expiry, mac = parts
    expected = hmac.new(secret, f"{payload}.{expiry}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return None
    if int(expiry) <= (now if now is not None else time.time()):
        return None
    return payload


def mac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()
