"""Jinja2 environment with autoescaping on: cluster data is untrusted text."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).with_name("templates")
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def cores(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


def gib(v: float | None) -> str:
    return "—" if v is None else f"{v / 2**30:,.2f} GiB"


def money(v: float | None) -> str:
    return "—" if v is None else f"${v:,.2f}"


templates.env.filters["cores"] = cores
templates.env.filters["gib"] = gib
templates.env.filters["money"] = money
