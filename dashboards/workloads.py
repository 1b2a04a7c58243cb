"""Figures about workloads' usage against what they request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go

from dashboards.theme import axis_labels, base_layout


@dataclass(frozen=True)
class WorkloadRequestUsage:
    """One bar group: a workload's requested and used CPU (cores, all pods)."""

    label: str
    requested_cores: float
    used_cores: float


def requests_vs_usage(rows: Sequence[WorkloadRequestUsage]) -> go.Figure:
    """Grouped bars: requested vs used CPU per workload, biggest request first."""
    ordered = sorted(rows, key=lambda r: r.requested_cores, reverse=True)
    full = [r.label for r in ordered]
    labels = axis_labels(full, 32)
    fig = go.Figure()
    for name, values in (
        ("CPU requested (cores)", [r.requested_cores for r in ordered]),
        ("CPU used, last-day average (cores)", [r.used_cores for r in ordered]),
    ):
        fig.add_bar(
            name=name,
            x=labels,
            y=values,
            customdata=full,
            hovertemplate=f"%{{customdata}}: %{{y:,.2f}} ({name})<extra></extra>",
        )
    fig.update_layout(
        **base_layout(
            "CPU requested vs used, last day",
            barmode="group",
            hovermode="closest",
            # above the plot: below it, the legend would sit on the slanted labels
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        )
    )
    fig.update_xaxes(automargin=True, tickangle=-35)
    fig.update_yaxes(title_text="cores")
    return fig


def cpu_over_time(
    hours: Sequence[datetime],
    used_cores: Sequence[float],
    requested_cores: Sequence[float],
    title: str,
) -> go.Figure:
    """Line chart of used CPU against the total request (request × running pods)."""
    fig = go.Figure()
    fig.add_scatter(name="used", x=list(hours), y=list(used_cores), mode="lines")
    fig.add_scatter(
        name="requested",
        x=list(hours),
        y=list(requested_cores),
        mode="lines",
        line={"dash": "dash"},
    )
    fig.update_layout(**base_layout(title))
    fig.update_yaxes(title_text="cores")
    return fig
