"""Static assets served by the app itself: these machines have no internet, so no CDN."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

STATIC_DIR = Path(__file__).with_name("static")
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    return js.encode("utf-8")


@router.get("/static/plotly.min.js")
def plotly() -> Response:
    return Response(
        plotly_js(),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/static/{name}")
def asset(name: str) -> Response:
    allowed = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
    if name not in allowed:
        return Response(status_code=404)
    media = "text/css" if name.endswith(".css") else "application/javascript"
    return Response(allowed[name].read_bytes(), media_type=media)
