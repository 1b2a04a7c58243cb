"""The replay's default window: the weekly job's 14 days where the history allows."""

import dataclasses

import numpy as np
import pytest

from rightsizing.evaluation import ReplaySeries, default_window_days
from rightsizing.evaluation.window import describe_window
from rightsizing.inputs import Resources

DAY = 86400.0


def _series(days: float, start: float = 0.0) -> ReplaySeries:
    t = 1.7e9 + start * DAY + np.arange(0.0, days * DAY, 300.0)  # as an export: [0, days)
    return ReplaySeries(
        f"s{days}-{start}", t, np.full(t.size, 0.1), np.full(t.size, 1e8), Resources()
    )


@pytest.mark.parametrize(
    ("spans", "window"),
    [
        ([21.0, 21.0, 10.0], 14.0),  # the median series has 14 days and a scored week
        ([30.0], 14.0),  # no more than the weekly job reads
        ([20.5, 20.5], 13.0),  # half a day short of a scored week after 14 days
        ([17.0, 17.0, 30.0], 10.0),  # 10 days and a scored week: a held-out week fits
        ([15.0] * 3, 8.0),  # prod-b's 15 days
        ([14.0, 14.0], 7.0),
        ([8.0], 7.0),  # an 8-day public trace: one decision from a week, one scored day
        ([30.0, 30.0, 5.0, 5.0, 5.0], 7.0),  # mostly short-lived: the median decides
        ([], 7.0),
    ],
)
def test_default_window_follows_the_typical_series(spans, window):
    series = [dataclasses.replace(_series(d), series_id=f"s{i}") for i, d in enumerate(spans)]
    assert default_window_days(series) == window


def test_a_container_spans_what_its_pods_span_together():
    """Pods of one container (``group``) come and go: three 8-day pods one after the
    other make a 24-day container, and a replay of it from 14 days."""
    pods = [
        dataclasses.replace(_series(8.0, start=8.0 * k), group="ns/app/c", series_id=f"p{k}")
        for k in range(3)
    ]
    assert default_window_days(pods) == 14.0
    alone = [dataclasses.replace(p, group="") for p in pods]  # three unrelated 8-day series
    assert default_window_days(alone) == 7.0


def test_a_longer_step_needs_a_longer_history():
    assert default_window_days([_series(21.0)], step_days=7.0) == 14.0
    assert default_window_days([_series(21.0)], step_days=14.0) == 7.0
    assert default_window_days([_series(28.0)], step_days=14.0) == 14.0


def test_the_window_line_says_why():
    assert "as the weekly job reads" in describe_window(14.0, 7.0, chosen=True)
    assert "most that leaves a scored 7-day step (most series span 17 to 18 days" in (
        describe_window(10.0, 7.0, chosen=True)
    )
    assert "span less than 15 days" in describe_window(7.0, 7.0, chosen=True)
    assert describe_window(10.0, 7.0, chosen=False).endswith("(--window-days)")
