"""Admin page: create and revoke API tokens from the browser (admin role, CSRF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from app.errors import InvalidParameterError
from app.web.auth.guard import CsrfDep, require
from app.web.auth.roles import Permission, Role, parse_role
from app.web.auth.tokens import IssuedToken, create_token, list_tokens, revoke_token
from app.web.deps import SessionDep
from app.web.pages.layout import page_context
from app.web.templating import templates

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(require(Permission.MANAGE_TOKENS))]
)


def _page(request: Request, session: SessionDep, issued: IssuedToken | None = None) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "tokens.html",
        page_context(
            request,
            "/admin/tokens",
            tokens=list_tokens(session),
            roles=[r.value for r in Role],
            issued=issued,
        ),
    )


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep) -> HTMLResponse:
    return _page(request, session)


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token_form(
    request: Request,
    session: SessionDep,
    _csrf: CsrfDep,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise InvalidParameterError("role", str(exc)) from None
    issued = create_token(session, parsed, name)
    session.commit()
    return _page(request, session, issued)


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token_form(
    request: Request, session: SessionDep, _csrf: CsrfDep, token_id: int
) -> HTMLResponse:
    revoke_token(session, token_id)
    session.commit()
    return _page(request, session)
