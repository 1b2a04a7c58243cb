"""Access control over the real app and database: who gets in, who gets what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.db.session import transaction
from app.errors import ConfigError
from app.web.auth.models import ApiToken, AuthSecret
from app.web.auth.principal import SESSION_COOKIE
from app.web.auth.roles import Role
from app.web.auth.tokens import create_token, digest, revoke_token
from tests.integration.web.conftest import AppFactory, bearer, csrf_from

PUBLIC = {"/healthz", "/readyz", "/metrics", "/login", "/static/plotly.min.js", "/static/{name}"}


def test_every_route_but_health_static_and_login_needs_credentials(client: TestClient) -> None:
    checked = 0
    for route in client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "x", path)
        methods = route.methods if isinstance(route, APIRoute) else {"GET"}
        for method in methods - {"HEAD"}:
            resp = client.request(method, url, follow_redirects=False)
            if url == "/metrics" or (url.startswith("/api/") and not url.startswith("/api/docs")):
                assert resp.status_code == 401, (method, url, resp.status_code)
                assert resp.headers["www-authenticate"] == "Bearer"
            else:
                assert resp.status_code == 303, (method, url, resp.status_code)
                assert resp.headers["location"].startswith("/login?next=")
            checked += 1
    assert checked >= 15


def test_bearer_tokens_by_state(client: TestClient, sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        live = create_token(s, Role.VIEWER, "live").raw
        revoked = create_token(s, Role.VIEWER, "revoked")
        expired = create_token(s, Role.VIEWER, "expired", timedelta(days=1))
        revoke_token(s, revoked.id)
        s.get(ApiToken, expired.id).expires_at = datetime.now(UTC) - timedelta(seconds=1)  # type: ignore[union-attr]
    assert client.get("/api/v1/workloads", headers=bearer(live)).status_code == 200
    for raw in (revoked.raw, expired.raw, "fo_" + "x" * 43, "not-a-token"):
        resp = client.get("/api/v1/workloads", headers=bearer(raw))
        assert resp.status_code == 401, raw
    resp = client.get("/api/v1/workloads", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert resp.status_code == 401
    assert "Bearer" in resp.json()["detail"]
    with sessions() as s:
        assert s.scalars(select(ApiToken).where(ApiToken.name == "live")).one().last_used_at


def test_tokens_are_stored_only_as_digests(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        issued = create_token(s, Role.ADMIN, "ci")
    with sessions() as s:
        row = s.get(ApiToken, issued.id)
        assert row is not None
        values = [str(getattr(row, c.name)) for c in ApiToken.__table__.columns]
    assert issued.raw not in " ".join(values)
    assert row.token_hash == digest(issued.raw)
    assert row.prefix == issued.raw[:9]


def login(client: TestClient, raw: str, next_path: str = "/") -> object:
    form = client.get(f"/login?next={next_path}")
    return client.post(
        "/login",
        data={"token": raw, "csrf_token": csrf_from(form.text), "next": next_path},
        follow_redirects=False,
    )


def test_browser_login_sets_a_session_that_revocation_ends(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as s:
        issued = create_token(s, Role.FINANCE, "carol")
    resp = login(client, issued.raw, "/chargeback?by=team")
    assert resp.status_code == 303  # type: ignore[attr-defined]
    assert resp.headers["location"] == "/chargeback?by=team"  # type: ignore[attr-defined]
    cookie = resp.headers["set-cookie"]  # type: ignore[attr-defined]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert issued.raw not in cookie
    page = client.get("/system")
    assert page.status_code == 200 and "carol · finance" in page.text
    with transaction(sessions) as s:
        revoke_token(s, issued.id)
    gone = client.get("/system", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/login?next=%2Fsystem"


def test_login_refuses_bad_tokens_missing_csrf_and_foreign_redirects(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as s:
        raw = create_token(s, Role.VIEWER, "dave").raw
    wrong = login(client, "fo_" + "y" * 43)
    assert wrong.status_code == 401 and "not valid" in wrong.text  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    no_csrf = client.post("/login", data={"token": raw, "next": "/"}, follow_redirects=False)
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    forged = client.post(
        "/login", data={"token": raw, "csrf_token": "0" * 64, "next": "/"}, follow_redirects=False
    )
    assert forged.status_code == 403
    evil = login(client, raw, "//evil.example/")
    assert evil.headers["location"] == "/"  # type: ignore[attr-defined]


def test_tampered_session_cookie_is_ignored(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as s:
        raw = create_token(s, Role.VIEWER, "erin").raw
    resp = login(client, raw)
    value = resp.cookies[SESSION_COOKIE]  # type: ignore[attr-defined]
    token_id, expiry, mac = value.split(".")
    client.cookies.set(SESSION_COOKIE, f"{int(token_id) + 1}.{expiry}.{mac}")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_needs_csrf_and_clears_the_session(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as s:
        raw = create_token(s, Role.VIEWER, "fay").raw
    login(client, raw)
    page = client.get("/system")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/system", follow_redirects=False).status_code == 303


def test_viewer_cannot_export_or_manage_tokens(client: TestClient, tokens: dict[Role, str]) -> None:
    for path in (
        "/allocation.csv",
        "/chargeback.csv?month=2026-11",
        "/chargeback.focus.csv?month=2026-11",
        "/admin/tokens",
    ):
        for role, allowed in ((Role.VIEWER, False), (Role.OPS, False), (Role.ADMIN, True)):
            resp = client.get(path, headers=bearer(tokens[role]))
            assert (resp.status_code == 200) == allowed, (path, role, resp.status_code)
            if not allowed:
                assert resp.status_code == 403 and "does not allow" in resp.text
    assert client.get("/allocation.csv", headers=bearer(tokens[Role.FINANCE])).status_code == 200
    assert client.get("/admin/tokens", headers=bearer(tokens[Role.FINANCE])).status_code == 403


def test_proxy_header_maps_identities_to_roles(make_client: AppFactory) -> None:
    client = make_client(
        auth={
            "proxy_header": "X-Forwarded-Email",
            "proxy_roles": {"alice@corp.example": "finance", "*@corp.example": "viewer"},
        }
    )
    alice = {"X-Forwarded-Email": "alice@corp.example"}
    bob = {"X-Forwarded-Email": "bob@corp.example"}
    eve = {"X-Forwarded-Email": "eve@other.example"}
    assert client.get("/allocation.csv", headers=alice).status_code == 200
    assert client.get("/", headers=bob).status_code == 200
    assert client.get("/allocation.csv", headers=bob).status_code == 403
    refused = client.get("/api/v1/workloads", headers=eve)
    assert refused.status_code == 403 and "not mapped to a role" in refused.json()["detail"]
    with pytest.raises(ConfigError, match=r"auth.proxy_roles\['root@corp.example'\]: unknown role"):
        make_client(auth={"proxy_header": "X-Email", "proxy_roles": {"root@corp.example": "god"}})
    # without the setting the same header means nothing
    plain = make_client()
    assert plain.get("/api/v1/workloads", headers=alice).status_code == 401


def test_admin_creates_and_revokes_tokens_in_the_browser_with_csrf(
    client: TestClient, sessions: sessionmaker[Session], tokens: dict[Role, str]
) -> None:
    login(client, tokens[Role.ADMIN])
    page = client.get("/admin/tokens")
    csrf = csrf_from(page.text)
    refused = client.post("/admin/tokens", data={"name": "x", "role": "viewer"})
    assert refused.status_code == 403
    made = client.post("/admin/tokens", data={"name": "grace", "role": "ops", "csrf_token": csrf})
    assert made.status_code == 200
    raw = re.search(r'id="issued-token">(fo_[A-Za-z0-9_-]{43})<', made.text)
    assert raw is not None
    assert (
        TestClient(client.app).get("/api/v1/workloads", headers=bearer(raw.group(1))).status_code
        == 200
    )
    bad_role = client.post("/admin/tokens", data={"name": "h", "role": "root", "csrf_token": csrf})
    assert bad_role.status_code == 422
    with sessions() as s:
        grace = s.scalars(select(ApiToken).where(ApiToken.name == "grace")).one()
        assert grace.role == "ops"
    client.post(f"/admin/tokens/{grace.id}/revoke", data={"csrf_token": csrf})
    assert (
        TestClient(client.app).get("/api/v1/workloads", headers=bearer(raw.group(1))).status_code
        == 401
    )


def test_every_form_carries_a_csrf_token(client: TestClient, tokens: dict[Role, str]) -> None:
    login(client, tokens[Role.ADMIN])
    pages = [
        "/",
        "/allocation",
        "/services",
        "/recommendations",
        "/chargeback",
        "/workloads",
        "/system",
        "/admin/tokens",
        "/login",
    ]
    posts = 0
    for path in pages:
        html = client.get(path).text
        for form in re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S):
            if 'method="post"' in form:
                posts += 1
                assert re.search(r'name="csrf_token" value="[0-9a-f]{64}"', form), (
                    path,
                    form[:200],
                )
    assert posts >= 3  # logout on every page, create token


def test_demo_mode_is_open_and_says_so(make_client: AppFactory) -> None:
    client = make_client(demo=True)
    page = client.get("/")
    assert page.status_code == 200 and "Demo mode" in page.text
    assert client.get("/api/v1/workloads").status_code == 200
    assert client.get("/allocation.csv").status_code == 200


def test_disabled_auth_is_announced(make_client: AppFactory) -> None:
    page = make_client(auth={"enabled": False}).get("/system")
    assert page.status_code == 200 and "Authentication is disabled" in page.text


def test_session_secret_from_config_or_one_per_database(
    make_client: AppFactory,
    sessions: sessionmaker[Session],
    tokens: dict[Role, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = make_client(), make_client()
    login(first, tokens[Role.VIEWER])
    second.cookies.update(first.cookies)
    assert second.get("/system").status_code == 200  # another replica on the same database
    with sessions() as s:
        assert len(s.scalars(select(AuthSecret)).all()) == 1
    monkeypatch.setenv("TEST_FINOPS_SESSION_SECRET", "s" * 40)
    configured = make_client(auth={"session_secret": {"env": "TEST_FINOPS_SESSION_SECRET"}})
    configured.cookies.update(first.cookies)
    assert configured.get("/system", follow_redirects=False).status_code == 303  # other key
    monkeypatch.setenv("TEST_FINOPS_SESSION_SECRET", "short")
    with pytest.raises(ConfigError, match="shorter than 32 characters"):
        make_client(auth={"session_secret": {"env": "TEST_FINOPS_SESSION_SECRET"}})
    monkeypatch.delenv("TEST_FINOPS_SESSION_SECRET")
    with pytest.raises(ConfigError, match="TEST_FINOPS_SESSION_SECRET is not set"):
        make_client(auth={"session_secret": {"env": "TEST_FINOPS_SESSION_SECRET"}})


def test_a_token_revoked_elsewhere_stops_working_within_two_seconds(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """Verified tokens are remembered for 2 s per process; a revocation written by
    another process (here: a plain UPDATE, no revoke_token in this process) shows
    within that time, and one made through ``revoke_token`` here shows at once."""
    import time

    from sqlalchemy import update

    with transaction(sessions) as s:
        issued = create_token(s, Role.VIEWER, "elsewhere")
        other = create_token(s, Role.VIEWER, "here")
    assert client.get("/api/v1/workloads", headers=bearer(issued.raw)).status_code == 200
    assert client.get("/api/v1/workloads", headers=bearer(other.raw)).status_code == 200
    with transaction(sessions) as s:
        s.execute(
            update(ApiToken).where(ApiToken.id == issued.id).values(revoked_at=datetime.now(UTC))
        )
    revoked_at = time.monotonic()
    while client.get("/api/v1/workloads", headers=bearer(issued.raw)).status_code == 200:
        assert time.monotonic() - revoked_at < 2.5, "revoked token still accepted after 2.5 s"
        time.sleep(0.1)
    with transaction(sessions) as s:
        revoke_token(s, other.id)
    assert client.get("/api/v1/workloads", headers=bearer(other.raw)).status_code == 401
