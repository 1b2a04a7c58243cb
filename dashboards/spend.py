"""Figures about spend: stacked over time, top movers, allocation shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from dashboards.theme import (
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    axis_labels,
    base_layout,
    color_for,
)


@dataclass(frozen=True)
class Mover:
    key: str
    previous: Decimal
    current: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous


def stacked_over_time(
    days: Sequence[date],
    series: Mapping[str, Sequence[Decimal]],
    title: str,
    period: str = "day",
) -> go.Figure:
    """One stacked bar per period (``days`` are their first days), one trace per key
    in the order given (largest first)."""
    fig = go.Figure()
    x = [d.isoformat() for d in days]
    for i, (key, amounts) in enumerate(series.items()):
        if len(amounts) != len(days):
            raise ValueError(f"series {key!r} has {len(amounts)} values for {len(days)} days")
        fig.add_bar(
            name=key, x=x, y=[float(a) for a in amounts], marker={"color": color_for(key, i)}
        )
    fig.update_layout(**base_layout(title, barmode="stack"))
    fig.update_yaxes(title_text=f"USD per {period}", tickprefix="$")
    return fig


def top_movers(movers: Sequence[Mover], title: str) -> go.Figure:
    """Horizontal bars of the change against the previous period, biggest move on top."""
    ordered = sorted(movers, key=lambda m: abs(m.change))
    fig = go.Figure()
    fig.add_bar(
        name="change",
        orientation="h",
        y=axis_labels([m.key for m in ordered]),
        x=[float(m.change) for m in ordered],
        marker={"color": [POSITIVE_COLOR if m.change > 0 else NEGATIVE_COLOR for m in ordered]},
        customdata=[[m.key, float(m.previous), float(m.current)] for m in ordered],
        hovertemplate="%{customdata[0]}: %{x:$,.2f} (from %{customdata[1]:$,.2f} to %{customdata[2]:$,.2f})<extra></extra>",
    )
    fig.update_layout(**base_layout(title, hovermode="closest", showlegend=False))
    fig.update_xaxes(title_text="USD change", tickprefix="$")
    fig.update_yaxes(automargin=True)
    fig.update_layout(margin={"l": 16, "r": 16, "t": 48, "b": 40})
    return fig


def totals_bar(totals: Mapping[str, Decimal], title: str) -> go.Figure:
    """One bar per group (already ordered), e.g. the allocation explorer's result."""
    keys = list(totals)
    fig = go.Figure()
    fig.add_bar(
        name="cost",
        x=axis_labels(keys, 28),
        y=[float(totals[k]) for k in keys],
        customdata=keys,
        hovertemplate="%{customdata}: %{y:$,.2f}<extra></extra>",
        marker={"color": [color_for(k, i) for i, k in enumerate(keys)]},
    )
    fig.update_layout(**base_layout(title, hovermode="closest", showlegend=False))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(title_text="USD", tickprefix="$")
    return fig


def shares(parts: Mapping[str, Decimal], title: str) -> go.Figure:
    """A donut of how the bill splits (allocated, idle, unallocated, ...)."""
    keys = [k for k in parts if parts[k] > 0]
    fig = go.Figure()
    fig.add_pie(
        labels=keys,
        values=[float(parts[k]) for k in keys],
        hole=0.55,
        sort=False,
        marker={"colors": [color_for(k, i) for i, k in enumerate(keys)]},
        textinfo="label+percent",
    )
    fig.update_layout(**base_layout(title, showlegend=False))
    return fig
