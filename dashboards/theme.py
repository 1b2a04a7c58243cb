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
        # No plotly default template: it adds ~8 kB of JSON to every figure.
        "template": "none",
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


REQUEST_COLOR = "#0f172a"
LIMIT_COLOR = "#dc2626"
POSITIVE_COLOR = "#dc2626"  # spend going up
NEGATIVE_COLOR = "#16a34a"  # spend going down


def color_for(key: str, index: int) -> str:
    """Stable colours: idle and unallocated always grey, the rest from the palette."""
    if key == "__idle__":
        return IDLE_COLOR
    if key in ("__unallocated__", "__shared__"):
        return UNALLOCATED_COLOR
    return PALETTE[index % len(PALETTE)]


LABEL_CHARS = 44  # what fits the chart's left margin at the dashboard's font size


def short_label(label: str, width: int = LABEL_CHARS) -> str:
    """``label`` cut in the middle to at most ``width`` characters.

    Why the middle: namespace/workload/container labels share long prefixes within a
    team and long suffixes within a workload, so both ends are what tells two apart.
    """
    if len(label) <= width:
        return label
    head = (width - 1) // 2
    tail = width - 1 - head
    return f"{label[:head]}…{label[-tail:]}"


def axis_labels(labels: list[str], width: int = LABEL_CHARS) -> list[str]:
    """``labels`` shortened for a categorical axis; a shortened label that would collide
    with another one is left whole, because the axis would draw the two as one."""
    short = [short_label(label, width) for label in labels]
    return [label if short.count(s) > 1 else s for label, s in zip(labels, short, strict=True)]
