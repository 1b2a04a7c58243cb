"""Figures about rightsizing recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go

from dashboards.theme import NEGATIVE_COLOR, axis_labels, base_layout


@dataclass(frozen=True)
class SavingRow:
    label: str
    monthly_saving: Decimal


def savings_by_workload(rows: Sequence[SavingRow], title: str, top: int = 15) -> go.Figure:
    """The ``top`` biggest monthly savings as horizontal bars, biggest on top.

    Axis labels are shortened (``axis_labels``) and the margin grows to fit them
    (``automargin``), so no label is clipped; the full label is in the hover. A
    shortened label that would collide with another one is left whole: a categorical
    axis would otherwise draw the two bars as one.
    """
    ordered = sorted(rows, key=lambda r: r.monthly_saving, reverse=True)[:top]
    ordered.reverse()
    ticks = axis_labels([r.label for r in ordered])
    fig = go.Figure()
    fig.add_bar(
        name="monthly saving",
        orientation="h",
        y=ticks,
        x=[float(r.monthly_saving) for r in ordered],
        customdata=[r.label for r in ordered],
        hovertemplate="%{customdata}: $%{x:,.2f}/month<extra></extra>",
        marker={"color": NEGATIVE_COLOR},
    )
    fig.update_layout(**base_layout(title, hovermode="closest", showlegend=False))
    fig.update_layout(margin={"l": 16, "r": 16, "t": 48, "b": 40})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(title_text="USD per month", tickprefix="$")
    return fig
