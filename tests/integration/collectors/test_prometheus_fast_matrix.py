"""Range answers from a real Prometheus through the byte-level fast path: the same
series as decoding the JSON, and a defect planted in a real answer is still caught
(or, where the JSON path accepts it, still read right)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import numpy as np
import pytest

from collectors.prometheus import PrometheusConnection, PrometheusResponseError
from collectors.prometheus import client as client_module
from collectors.prometheus.client import PrometheusClient, Series
from tests.integration.collectors.prom_scenario import T0_DT
from tests.support.prometheus_server import FaultyProxy, PrometheusServer

pytestmark = pytest.mark.prometheus

QUERIES = (
    "rate(container_cpu_usage_seconds_total[5m])",
    "container_memory_working_set_bytes",  # holds NaN samples and a scrape gap
)
START, END = T0_DT - timedelta(minutes=10), T0_DT + timedelta(hours=2)


@pytest.fixture
def proxy(scenario_prometheus: PrometheusServer) -> Iterator[FaultyProxy]:
    p = FaultyProxy(scenario_prometheus.url)
    yield p
    p.stop()


def _query(url: str, query: str, max_points: int = 10_000) -> list[Series]:
    with PrometheusClient(PrometheusConnection(url), max_points=max_points) as c:
        return c.query_range(query, START, END, timedelta(minutes=1))


def _by_labels(series: list[Series]) -> dict[tuple[tuple[str, str], ...], Series]:
    return {tuple(sorted(s.labels.items())): s for s in series}


def _count_fast(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many answers the fast path read (it returns None when it declines)."""
    used = [0]
    real = client_module.parse_values

    def spy(segments: list[bytes]) -> object:
        out = real(segments)
        used[0] += out is not None
        return out

    monkeypatch.setattr(client_module, "parse_values", spy)
    return used


def _same(a: list[Series], b: list[Series]) -> None:
    sa, sb = _by_labels(a), _by_labels(b)
    assert sa.keys() == sb.keys() and sa
    for k in sa:
        assert np.array_equal(sa[k].timestamps, sb[k].timestamps)
        assert np.array_equal(sa[k].values, sb[k].values, equal_nan=True)


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_reads_what_the_json_path_reads(
    scenario_prometheus: PrometheusServer, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    used = _count_fast(monkeypatch)
    fast = _query(scenario_prometheus.url, query, max_points=40)  # chunked: 4 answers
    assert used[0] == 4
    monkeypatch.setattr(client_module, "lift_values", lambda content: None)
    slow = _query(scenario_prometheus.url, query, max_points=40)
    _same(fast, slow)
    if "memory" in query:
        assert any(np.isnan(s.values).any() for s in fast)


def _first_value(replace: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Rewrite the first sample value of the answer (``"0.25"`` → ``replace(b"0.25")``)."""

    def rewrite(body: bytes) -> bytes:
        m = re.search(rb'"values":\[\[([0-9.]+),("[^"]*")\]', body)
        assert m is not None, body[:200]
        return body[: m.start(2)] + replace(m.group(2)) + body[m.end(2) :]

    return rewrite


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (lambda v: b"null", "bad sample"),
        (lambda v: b'"zero"', "could not convert string to float"),
        (lambda v: v + b',"1"', "bad sample"),
    ],
    ids=["null", "not-a-number", "three-elements"],
)
def test_a_planted_defect_is_still_an_error(
    proxy: FaultyProxy, replace: Callable[[bytes], bytes], message: str
) -> None:
    proxy.rewrite = _first_value(replace)
    with pytest.raises(PrometheusResponseError, match=message):
        _query(proxy.url, QUERIES[1])


def test_an_unquoted_value_is_read_by_the_json_path(
    proxy: FaultyProxy, scenario_prometheus: PrometheusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prometheus always quotes values; a proxy that does not still gives the same data."""
    proxy.rewrite = _first_value(lambda v: v.strip(b'"'))
    used = _count_fast(monkeypatch)
    got = _query(proxy.url, QUERIES[1])
    assert used[0] == 0  # declined: the JSON path read it
    _same(got, _query(scenario_prometheus.url, QUERIES[1]))
