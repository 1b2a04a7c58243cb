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


def savings_by_workload(rows: Sequence[SavingRow], title: str, top: int = 15) -> go.Figure:
    """The ``top`` biggest monthly savings as horizontal bars, biggest on top.

    Axis labels are shortened (``short_label``) and the margin grows to fit them
    (``automargin``), so no label is clipped; the full label is in the hover. A
    shortened label that would collide with another one is left whole: a categorical
    axis would otherwise draw the two bars as one.
    """
    ordered = sorted(rows, key=lambda r: r.monthly_saving, reverse=True)[:top]
    ordered.reverse()
    short = [short_label(r.label) for r in ordered]
    clash = {s for s in short if short.count(s) > 1}
    ticks = [r.label if s in clash else s for r, s in zip(ordered, short, strict=True)]
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
