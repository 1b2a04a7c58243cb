"""What every page shares: the navigation bar, the banner, who is signed in, CSRF."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from app.web.auth.csrf import csrf_token
from app.web.auth.principal import Principal
from app.web.auth.roles import Permission

NAV: list[tuple[str, str]] = [
    ("/", "Overview"),
    ("/allocation", "Allocation"),
    ("/services", "Services"),
    ("/recommendations", "Recommendations"),
    ("/chargeback", "Chargeback"),
    ("/workloads", "Workloads"),
    ("/system", "System"),
]
ADMIN_NAV: tuple[str, str] = ("/admin/tokens", "Tokens")


def page_context(request: Request, active: str, **values: Any) -> dict[str, Any]:
    ctx = request.app.state.ctx
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = list(NAV)
    if principal is not None and principal.can(Permission.MANAGE_TOKENS):
        nav.append(ADMIN_NAV)
    return {
        "request": request,
        "nav": nav,
        "active": active,
        "demo": ctx.settings.demo,
        "auth_open": principal is not None and principal.via == "open",
        "principal": principal,
        "can": (lambda p: principal is not None and principal.can(Permission(p))),
        "csrf_token": csrf_token(request),
        "url_with": lambda **changes: url_with(request, **changes),
        **values,
    }


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (``None`` removes one).

    Filters live in the query string so a view can be shared; links built here
    keep every other filter as it is.
    """
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(sorted(params.items()))
    return request.url.path + (f"?{query}" if query else "")
