"""Figures for one service: usage against request and limit, replicas, cost per day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import plotly.graph_objects as go

from dashboards.theme import LIMIT_COLOR, REQUEST_COLOR, base_layout


@dataclass(frozen=True)
class UsageSeries:
    """Hourly per-pod figures in one unit; ``None`` where no request/limit is set."""

    hours: Sequence[datetime]
    avg: Sequence[float]
    p95: Sequence[float]
    peak: Sequence[float]
    request: Sequence[float | None]
    limit: Sequence[float | None]


def hour_labels(hours: Sequence[datetime]) -> list[str]:
    """UTC hours as plotly date strings: serialising strings is ~3x faster than datetimes."""
    return [h.strftime("%Y-%m-%d %H:%M") for h in hours]


def usage_vs_request(series: UsageSeries, title: str, unit: str, scale: float = 1.0) -> go.Figure:
    """Lines for avg, p95 and peak usage; dashed steps for request and limit.

    ``scale`` divides every value (e.g. 2**30 to show bytes as GiB). Request and
    limit traces are left out when never set, so the legend only shows what exists.
    """
    x = hour_labels(series.hours)

    def scaled(values: Sequence[float | None]) -> list[float | None]:
        return [None if v is None else v / scale for v in values]

    fig = go.Figure()
    fig.add_scatter(name="peak", x=x, y=scaled(series.peak), mode="lines", line={"width": 1})
    fig.add_scatter(name="p95", x=x, y=scaled(series.p95), mode="lines", line={"width": 1.5})
    fig.add_scatter(name="average", x=x, y=scaled(series.avg), mode="lines", line={"width": 2})
    if any(v is not None for v in series.request):
        fig.add_scatter(
            name="request",
            x=x,
            y=scaled(series.request),
            mode="lines",
            line={"dash": "dash", "color": REQUEST_COLOR, "shape": "hv", "width": 2},
        )
    if any(v is not None for v in series.limit):
        fig.add_scatter(
            name="limit",
            x=x,
            y=scaled(series.limit),
            mode="lines",
            line={"dash": "dot", "color": LIMIT_COLOR, "shape": "hv", "width": 2},
        )
    fig.update_layout(**base_layout(title))
    fig.update_yaxes(title_text=unit)
    return fig


def replicas(
    hours: Sequence[datetime],
    pods: Sequence[float],
    min_replicas: int | None,
    max_replicas: int | None,
) -> go.Figure:
    """Running pods per hour with the autoscaler's bounds as horizontal lines."""
    x = hour_labels(hours)
    fig = go.Figure()
    fig.add_scatter(name="running pods", x=x, y=list(pods), mode="lines", line={"shape": "hv"})
    for label, bound in (("min replicas", min_replicas), ("max replicas", max_replicas)):
        if bound is not None and x:
            fig.add_scatter(
                name=label,
                x=[x[0], x[-1]],
                y=[bound, bound],
                mode="lines",
                line={"dash": "dash", "color": LIMIT_COLOR},
            )
    fig.update_layout(**base_layout("Replicas"))
    fig.update_yaxes(title_text="pods")
    return fig


def cost_per_day(days: Sequence[date], amounts: Sequence[Decimal], title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(name="cost", x=[d.isoformat() for d in days], y=[float(a) for a in amounts])
    fig.update_layout(**base_layout(title, hovermode="closest"))
    fig.update_yaxes(title_text="USD", tickprefix="$")
    return fig
