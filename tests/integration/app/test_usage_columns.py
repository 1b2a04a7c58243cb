"""The columnar usage loader against both databases: grouping, window, order, gaps."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import timedelta

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from app.ingest.writer import write_batch
from app.usage.columns import load_hourly_columns
from collectors.records import Batch, ContainerUsageHour, TimeWindow
from tests.support.sample_batches import T0, usage


def _hour(i: int, workload: str, container: str = "app", **kw: object) -> ContainerUsageHour:
    cpu = 0.1 + 0.01 * i + (0.5 if workload == "b" else 0.0)
    return replace(usage(T0 + timedelta(hours=i), workload, cpu), container=container, **kw)


def _store(sessions: sessionmaker[Session], rows: list[ContainerUsageHour]) -> None:
    window = TimeWindow(T0 - timedelta(days=1), T0 + timedelta(days=3))
    with sessions() as s, s.begin():
        write_batch(s, Batch(usage=rows), window)


def test_rows_are_grouped_per_container_in_hour_order(sessions: sessionmaker[Session]) -> None:
    rows = [
        _hour(i, w, c) for i in range(48) for w, c in (("a", "app"), ("b", "app"), ("a", "side"))
    ]
    random.Random(3).shuffle(rows)  # written in any order
    rows.append(_hour(50, "a", throttled_ratio=0.25))
    _store(sessions, rows)
    with sessions() as s:
        got = load_hourly_columns(s, T0 + timedelta(hours=2), T0 + timedelta(hours=51))
    keys = {(k[1], k[3], k[4]) for k in got}
    assert keys == {("tacos", "a", "app"), ("tacos", "b", "app"), ("tacos", "a", "side")}
    a = next(v for k, v in got.items() if k[3:] == ("a", "app"))
    b = next(v for k, v in got.items() if k[3:] == ("b", "app"))
    # [start, end): hours 2..47 and 50; strictly ascending, exact epoch seconds
    expected = [(T0 + timedelta(hours=i)).timestamp() for i in [*range(2, 48), 50]]
    assert a.hour_start_s.tolist() == expected
    assert len(b) == 46
    assert a.cpu_p50.tolist() == [0.1 + 0.01 * i for i in [*range(2, 48), 50]]
    assert b.cpu_p50[0] == 0.1 + 0.02 + 0.5  # not mixed up with a's rows
    assert np.all(a.samples == 12) and np.all(a.pods == 2.0)
    assert math.isnan(a.throttled_ratio[0]) and a.throttled_ratio[-1] == 0.25


def test_namespace_filter_and_empty_window(sessions: sessionmaker[Session]) -> None:
    _store(sessions, [_hour(i, "a") for i in range(5)])
    with sessions() as s:
        assert load_hourly_columns(s, T0, T0 + timedelta(hours=5), ["other"]) == {}
        assert load_hourly_columns(s, T0 + timedelta(days=1), T0 + timedelta(days=2)) == {}
        (only,) = load_hourly_columns(s, T0, T0 + timedelta(hours=5), ["tacos"]).values()
    assert len(only) == 5


def test_unordered_percentiles_are_repaired_upwards(sessions: sessionmaker[Session]) -> None:
    bad = replace(_hour(0, "a"), cpu_p90=0.05, cpu_p95=0.04, memory_max=1.0)
    _store(sessions, [bad])
    with sessions() as s:
        (cols,) = load_hourly_columns(s, T0, T0 + timedelta(hours=1)).values()
    assert cols.cpu_p90[0] == cols.cpu_p95[0] == bad.cpu_p50
    assert cols.cpu_p99[0] == bad.cpu_p99
    assert cols.memory_max[0] == bad.memory_p95
