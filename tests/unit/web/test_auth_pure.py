"""Pure parts of access control: roles, proxy mapping, signing, redirects, tokens."""

from __future__ import annotations

import pytest

from app.web.auth.principal import role_for_identity
from app.web.auth.roles import Permission, Role, allows, parse_role
from app.web.auth.signing import sign, unsign
from app.web.auth.tokens import TOKEN_PREFIX, digest, well_formed
from app.web.pages.login_page import safe_next

KEY = b"k" * 32


def test_role_table() -> None:
    assert allows(Role.VIEWER, Permission.READ)
    assert not allows(Role.VIEWER, Permission.EXPORT_COSTS)
    assert allows(Role.FINANCE, Permission.EXPORT_COSTS)
    assert not allows(Role.FINANCE, Permission.MANAGE_TOKENS)
    assert not allows(Role.OPS, Permission.EXPORT_COSTS)
    assert all(allows(Role.ADMIN, p) for p in Permission)


def test_parse_role() -> None:
    assert parse_role(" Finance ") is Role.FINANCE
    with pytest.raises(ValueError, match="expected one of viewer, finance, ops, admin"):
        parse_role("root")


def test_proxy_identity_mapping_exact_then_domain_then_star() -> None:
    table = {"Alice@Corp.com": "admin", "*@corp.com": "finance", "*": "viewer"}
    assert role_for_identity("alice@corp.com", table) is Role.ADMIN
    assert role_for_identity("bob@corp.com", table) is Role.FINANCE
    assert role_for_identity("eve@elsewhere.org", table) is Role.VIEWER
    assert role_for_identity("eve@elsewhere.org", {"*@corp.com": "viewer"}) is None
    with pytest.raises(ValueError, match="unknown role 'superuser'"):
        role_for_identity("x@corp.com", {"*@corp.com": "superuser"})


def test_signed_values_expire_and_resist_tampering() -> None:
    value = sign(KEY, "42", 60, now=1000.0)
    assert unsign(KEY, value, now=1059.0) == "42"
    assert unsign(KEY, value, now=1060.0) is None  # expired
    assert unsign(b"x" * 32, value, now=1000.0) is None  # other key
    payload, expiry, mac = value.split(".")
    assert unsign(KEY, f"43.{expiry}.{mac}", now=1000.0) is None
    assert unsign(KEY, f"{payload}.{int(expiry) + 999}.{mac}", now=1000.0) is None
    for junk in ("", "a.b", "a.b.c.d", "42.notanumber.00"):
        assert unsign(KEY, junk) is None
    with pytest.raises(ValueError, match="must not contain"):
        sign(KEY, "a.b", 60)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/allocation?window=7d", "/allocation?window=7d"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_login_only_redirects_to_local_paths(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_token_shape_and_digest() -> None:
    raw = TOKEN_PREFIX + "a" * 43
    assert well_formed(raw)
    assert not well_formed("a" * 46)
    assert not well_formed(TOKEN_PREFIX + "a" * 42)
    assert not well_formed(TOKEN_PREFIX + "a" * 42 + "!")
    assert digest(raw) == digest(raw) and len(digest(raw)) == 64 and raw not in digest(raw)
