"""What every page shares: the navigation bar and the demo banner."""

from __future__ import annotations

from typing import Any

from fastapi import Request

NAV: list[tuple[str, str]] = [("/", "Workloads")]


def page_context(request: Request, active: str, **values: Any) -> dict[str, Any]:
    ctx = request.app.state.ctx
    return {"request": request, "nav": NAV, "active": active, "demo": ctx.settings.demo, **values}
