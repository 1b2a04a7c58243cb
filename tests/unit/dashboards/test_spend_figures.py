"""Spend figures: traces, order, values and colours follow the rows given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dashboards.spend import Mover, shares, stacked_over_time, top_movers, totals_bar
from dashboards.theme import IDLE_COLOR, UNALLOCATED_COLOR

DAYS = [date(2026, 11, 1), date(2026, 11, 2)]


def test_stacked_over_time_has_one_trace_per_group_in_order() -> None:
    fig = stacked_over_time(
        DAYS,
        {"checkout": [Decimal("2.50"), Decimal(3)], "__unallocated__": [Decimal(1), Decimal(0)]},
        "Spend",
    )
    assert [t.name for t in fig.data] == ["checkout", "__unallocated__"]
    assert list(fig.data[0].x) == ["2026-11-01", "2026-11-02"]
    assert list(fig.data[0].y) == [2.5, 3.0]
    assert fig.layout.barmode == "stack"
    assert fig.data[1].marker.color == UNALLOCATED_COLOR
    assert fig.layout.title.text == "Spend"


def test_stacked_over_time_rejects_a_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 days"):
        stacked_over_time(DAYS, {"a": [Decimal(1)]}, "x")


def test_top_movers_puts_the_biggest_change_on_top_and_colours_by_sign() -> None:
    fig = top_movers(
        [
            Mover("small-up", Decimal(10), Decimal(11)),
            Mover("big-down", Decimal(50), Decimal(20)),
            Mover("mid-up", Decimal(0), Decimal(5)),
        ],
        "Movers",
    )
    bar = fig.data[0]
    # plotly draws horizontal bars bottom-up: the last one is on top
    assert list(bar.y) == ["small-up", "mid-up", "big-down"]
    assert list(bar.x) == [1.0, 5.0, -30.0]
    assert list(bar.marker.color) == ["#dc2626", "#dc2626", "#16a34a"]
    assert [list(c) for c in bar.customdata][2] == ["big-down", 50.0, 20.0]
    assert fig.layout.yaxis.automargin is True


def test_long_group_names_are_shortened_on_the_axis_and_whole_on_hover() -> None:
    name = "shared-platform-observability-and-logging-" + "x" * 40
    fig = top_movers([Mover(name, Decimal(1), Decimal(2))], "Movers")
    assert len(fig.data[0].y[0]) <= 44 and "…" in fig.data[0].y[0]
    assert fig.data[0].customdata[0][0] == name
    totals = totals_bar({name: Decimal(3), "checkout": Decimal(1)}, "Totals")
    assert len(totals.data[0].x[0]) <= 28
    assert list(totals.data[0].customdata) == [name, "checkout"]
    assert totals.layout.xaxis.automargin is True


def test_totals_bar_and_shares_use_fixed_colours_for_special_buckets() -> None:
    totals = {"a": Decimal(3), "__idle__": Decimal(1)}
    bar = totals_bar(totals, "T").data[0]
    assert list(bar.x) == ["a", "__idle__"] and list(bar.y) == [3.0, 1.0]
    assert list(bar.marker.color)[1] == IDLE_COLOR
    pie = shares({"allocated": Decimal(6), "__idle__": Decimal(2), "empty": Decimal(0)}, "S").data[
        0
    ]
    assert list(pie.labels) == ["allocated", "__idle__"]  # zero parts are left out
    assert list(pie.values) == [6.0, 2.0]


def test_figures_carry_no_default_template() -> None:
    fig = totals_bar({"a": Decimal(1)}, "T")
    assert len(fig.to_json()) < 2000
