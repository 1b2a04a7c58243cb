"""FastAPI dependencies that decide access, and the app-level wiring.

``app.web.routes`` attaches ``Depends(require(Permission.READ))`` to every router
(except health checks, static assets and the login page); routes that change or
export something add their own, stricter ``require(...)`` and ``CsrfDep``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AuthError, ConfigError, FinopsError, ForbiddenError
from app.web.auth.csrf import CSRF_COOKIE, CSRF_FIELD, check_csrf
from app.web.auth.errors import LoginRequiredError, PermissionDeniedError
from app.web.auth.principal import LookupNeeded, Principal, resolve
from app.web.auth.roles import Permission, parse_role
from app.web.auth.secret import configured_secret

API_HINT = (
    "authentication required: send `Authorization: Bearer <token>` "
    "(an admin creates one with `finops token create --role viewer --name NAME`)"
)
_GATED_BUILTINS = ("/api/docs", "/api/openapi.json", "/docs/oauth2-redirect")


def is_api(request: Request) -> bool:
    """Machine endpoints answer 401/403 as JSON; pages redirect to the login form."""
    path = request.url.path
    return path == "/metrics" or (path.startswith("/api/") and not path.startswith("/api/docs"))


def current_principal(request: Request, *, peek: bool = False) -> Principal:
    """The caller, resolved once per request; raise 401 / login redirect if nobody.

    With ``peek``, raise ``LookupNeeded`` rather than touch the database.
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = resolve(request, peek=peek)
    if principal is None:
        if is_api(request):
            raise AuthError(API_HINT)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError("login required", target)
    request.state.principal = principal
    return principal


def require(permission: Permission) -> Callable[[Request], Awaitable[Principal]]:
    async def dependency(request: Request) -> Principal:
        # On the event loop when the caller is known without I/O (the common case: a
        # token verified in the last 2 s); the database lookup goes to a worker thread.
        try:
            principal = current_principal(request, peek=True)
        except LookupNeeded:
            principal = await run_in_threadpool(current_principal, request)
        if not principal.can(permission):
            raise PermissionDeniedError(
                f"your role ({principal.role.value}) does not allow {permission.value.replace('_', ' ')}"
            )
        return principal

    dependency.__name__ = f"require_{permission.value}"
    return dependency


async def verify_csrf(request: Request) -> None:
    """Forms only: a bearer-authenticated client has no ambient credentials to abuse."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None and principal.via == "bearer":
        return
    form = await request.form()
    value = form.get(CSRF_FIELD)
    check_csrf(request, value if isinstance(value, str) else None)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
CsrfDep = Annotated[None, Depends(verify_csrf)]


class _AuthMiddleware:
    """Gates FastAPI's own docs routes and sets the CSRF cookie a page asked for.

    A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, which
    runs every request through an extra task and memory stream: on a cached page
    that wrapper cost more than the page itself (docs/benchmarks-dashboard.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if request.url.path.startswith(_GATED_BUILTINS):
            refusal = await run_in_threadpool(_docs_refusal, request)
            if refusal is not None:
                await refusal(scope, receive, send)
                return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                fresh: str | None = scope.get("state", {}).get("new_csrf_cookie")
                if fresh is not None:
                    cookie = Response()
                    cookie.set_cookie(
                        CSRF_COOKIE,
                        fresh,
                        httponly=True,
                        samesite="strict",
                        secure=scope.get("scheme") == "https",
                        path="/",
                    )
                    headers = MutableHeaders(scope=message)
                    for name, value in cookie.raw_headers:
                        if name == b"set-cookie":
                            headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _docs_refusal(request: Request) -> Response | None:
    """The answer for an unauthenticated caller of the API docs, or ``None`` to go on."""
    try:
        current_principal(request)
    except LoginRequiredError:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
    except FinopsError as exc:
        if isinstance(exc, ForbiddenError):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return JSONResponse(
            {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    return None


def install_auth(app: FastAPI, forbidden_page: Callable[[Request, str], Response]) -> None:
    """Register the login redirect, the HTML 403 page and the middleware on ``app``.

    A configured session secret is read now, so a missing or weak one stops start-up
    with a ``ConfigError`` instead of failing the first request.
    """
    auth = app.state.ctx.settings.auth
    for identity, role in auth.proxy_roles.items():
        try:
            parse_role(role)
        except ValueError as exc:
            raise ConfigError(f"auth.proxy_roles[{identity!r}]: {exc}") from None
    ref = auth.session_secret
    if ref is not None and not app.state.ctx.settings.demo:
        app.state.auth_key = configured_secret(ref)

    async def _login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequiredError)
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='')}", status_code=303)

    async def _forbidden(request: Request, exc: Exception) -> Response:
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return forbidden_page(request, str(exc))

    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        LoginRequiredError: _login,
        ForbiddenError: _forbidden,
        PermissionDeniedError: _forbidden,
    }
    for cls, handler in handlers.items():
        app.add_exception_handler(cls, handler)
    app.add_middleware(_AuthMiddleware)
