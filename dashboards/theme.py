"""One look for every chart: colours, fonts and layout defaults."""

from __future__ import annotations

from typing import Any

PALETTE = [
    "#2563eb",
    "#f97316",
    "#16a34a",
    "#dc2626",
    "#9333ea",
    "#0891b2",
    "#ca8a04",
    "#db2777",
    "#4b5563",
    "#65a30d",
]
IDLE_COLOR = "#cbd5e1"
UNALLOCATED_COLOR = "#94a3b8"


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        "colorway": PALETTE,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": {"gridcolor": "#eef2f7"},
        "yaxis": {"gridcolor": "#eef2f7", "rangemode": "tozero"},
    }
    layout.update(extra)
    return layout
