"""Jinja2 environment with autoescaping on: cluster data is untrusted text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).with_name("templates")
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def cores(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


def gib(v: float | None) -> str:
    return "—" if v is None else f"{v / 2**30:,.2f} GiB"


def money(v: float | Decimal | None) -> str:
    """Dollars to the cent; a negative amount as ``−$2.33`` (a sign before the symbol,
    as finance writes it, not ``$-2.33``), and an amount that rounds to zero unsigned."""
    if v is None:
        return "—"
    text = f"{abs(v):,.2f}"
    return f"−${text}" if v < 0 and text.strip("0.,") else f"${text}"


templates.env.filters["cores"] = cores
templates.env.filters["gib"] = gib
templates.env.filters["money"] = money
