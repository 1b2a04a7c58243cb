"""Service figures: usage lines, request/limit steps, replica bounds, daily cost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dashboards.recommendations import SavingRow, savings_by_workload
from dashboards.service import UsageSeries, cost_per_day, replicas, usage_vs_request
from dashboards.theme import short_label

H = [datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i) for i in range(3)]


def test_usage_vs_request_scales_values_and_draws_request_and_limit() -> None:
    gib = 2**30
    series = UsageSeries(
        H,
        avg=[gib, gib, gib],
        p95=[2 * gib] * 3,
        peak=[3 * gib] * 3,
        request=[4 * gib, 4 * gib, 2 * gib],
        limit=[None, None, None],
    )
    fig = usage_vs_request(series, "Memory", "GiB", scale=gib)
    names = [t.name for t in fig.data]
    assert names == ["peak", "p95", "average", "request"]  # no limit set: no limit trace
    by = {t.name: t for t in fig.data}
    assert list(by["average"].y) == [1.0, 1.0, 1.0]
    assert list(by["request"].y) == [4.0, 4.0, 2.0]
    assert by["request"].line.shape == "hv"
    assert fig.layout.yaxis.title.text == "GiB"
    assert list(by["average"].x) == ["2026-11-01 00:00", "2026-11-01 01:00", "2026-11-01 02:00"]


def test_usage_vs_request_keeps_gaps_where_no_request() -> None:
    series = UsageSeries(H, [0.1] * 3, [0.2] * 3, [0.3] * 3, [None, 0.5, 0.5], [1.0, 1.0, 1.0])
    by = {t.name: t for t in usage_vs_request(series, "CPU", "cores").data}
    assert list(by["request"].y) == [None, 0.5, 0.5]
    assert list(by["limit"].y) == [1.0, 1.0, 1.0]


def test_replicas_draws_bounds_only_when_known() -> None:
    fig = replicas(H, [2, 3, 4], 2, 10)
    by = {t.name: t for t in fig.data}
    assert list(by["running pods"].y) == [2, 3, 4]
    assert list(by["max replicas"].y) == [10, 10]
    assert list(by["min replicas"].x) == ["2026-11-01 00:00", "2026-11-01 02:00"]
    assert [t.name for t in replicas(H, [1, 1, 1], None, None).data] == ["running pods"]


def test_cost_per_day_and_savings() -> None:
    fig = cost_per_day([date(2026, 11, 1)], [Decimal("12.345")], "Cost")
    assert list(fig.data[0].y) == [12.345]
    rows = [SavingRow(f"w{i}", Decimal(i)) for i in range(20)]
    bar = savings_by_workload(rows, "S", top=3).data[0]
    assert list(bar.y) == ["w17", "w18", "w19"]  # biggest last = drawn on top
    assert list(bar.x) == [17.0, 18.0, 19.0]


def test_savings_chart_labels_are_shortened_never_clipped_or_merged() -> None:
    long_ns = "payments-platform-production-eu-west-1"
    rows = [
        SavingRow(f"{long_ns}/settlement-reconciler/settlement-reconciler", Decimal(30)),
        SavingRow(f"{long_ns}/ledger-api/ledger-api", Decimal(20)),
        SavingRow("tacos/gateway-api/gateway-api", Decimal(10)),
    ]
    fig = savings_by_workload(rows, "S")
    bar = fig.data[0]
    assert all(len(t) <= 44 for t in bar.y)
    assert "tacos/gateway-api/gateway-api" in bar.y  # short labels are untouched
    assert list(bar.customdata) == [r.label for r in reversed(rows)]  # full names on hover
    assert fig.layout.yaxis.automargin is True
    # two labels that shorten alike stay whole, or the axis would draw one bar for both
    twins = [
        SavingRow(f"{long_ns}/a-{'x' * 30}/same-container-name", Decimal(2)),
        SavingRow(f"{long_ns}/b-{'x' * 30}/same-container-name", Decimal(1)),
    ]
    assert short_label(twins[0].label) == short_label(twins[1].label)
    assert sorted(savings_by_workload(twins, "S").data[0].y) == sorted(r.label for r in twins)


def test_short_label() -> None:
    assert short_label("abc", 5) == "abc"
    assert short_label("abcdefghij", 5) == "ab…ij"
    assert len(short_label("x" * 100)) == 44


def test_requests_vs_usage_labels_fit_and_the_legend_stays_off_them() -> None:
    from dashboards.workloads import WorkloadRequestUsage, requests_vs_usage

    rows = [
        WorkloadRequestUsage("monitoring/kube-state-metrics-shard-0", 0.1, 0.01),
        WorkloadRequestUsage("tacos/inventory-api", 12.0, 0.5),
        WorkloadRequestUsage("tacos/reservation-api", 4.0, 2.8),
    ]
    fig = requests_vs_usage(rows)
    requested, used = fig.data
    assert list(requested.x) == [
        "tacos/inventory-api",
        "tacos/reservation-api",
        "monitoring/kube…-metrics-shard-0",
    ]
    assert list(used.y) == [0.5, 2.8, 0.01]
    assert list(requested.customdata)[2] == "monitoring/kube-state-metrics-shard-0"
    assert fig.layout.legend.y >= 1  # above the plot, not over the slanted labels
    assert fig.layout.xaxis.automargin is True
