"""Figures about rightsizing recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go

from dashboards.theme import NEGATIVE_COLOR, base_layout


@dataclass(frozen=True)
class SavingRow:
    label: str
    monthly_saving: Decimal


def savings_by_workload(rows: Sequence[SavingRow], title: str, top: int = 15) -> go.Figure:
    """The ``top`` biggest monthly savings as horizontal bars, biggest on top."""
    ordered = sorted(rows, key=lambda r: r.monthly_saving, reverse=True)[:top]
    ordered.reverse()
    fig = go.Figure()
    fig.add_bar(
        name="monthly saving",
        orientation="h",
        y=[r.label for r in ordered],
        x=[float(r.monthly_saving) for r in ordered],
        marker={"color": NEGATIVE_COLOR},
    )
    fig.update_layout(**base_layout(title, hovermode="closest", showlegend=False))
    fig.update_layout(margin={"l": 200, "r": 16, "t": 48, "b": 40})
    fig.update_xaxes(title_text="USD per month", tickprefix="$")
    return fig
