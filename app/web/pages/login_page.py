"""Token login for browsers: exchange an API token for a signed session cookie.

The cookie carries only the token's id, signed and expiring; every request
re-checks that the token is still live, so revoking a token ends its sessions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web.auth.csrf import check_csrf
from app.web.auth.errors import TokenError
from app.web.auth.principal import SESSION_COOKIE, signing_key
from app.web.auth.signing import sign
from app.web.auth.tokens import find_active
from app.web.deps import ContextDep, SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only same-site absolute paths: never ``//host`` or a scheme (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _form(request: Request, next_path: str, error: str | None, status: int) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "login.html",
        page_context(request, "/login", next_path=next_path, error=error, nav=[]),
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _form(request, safe_next(next), None, 200)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    token: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    target = safe_next(next)
    try:
        row = find_active(session, token.strip())
    except TokenError:
        return _form(request, target, "That token is not valid (unknown, revoked or expired).", 401)
    hours = ctx.settings.auth.session_hours
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sign(signing_key(request), str(row.id), hours * 3600),
        max_age=hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def forbidden_page(request: Request, message: str) -> Response:
    return templates.TemplateResponse(
        request, "forbidden.html", page_context(request, "", message=message), status_code=403
    )
