"""Every way Prometheus can fail ends the run with a clear error and no rows;
the next run over the same window catches up in full."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from collectors.prometheus import (
    PrometheusCollector,
    PrometheusConnection,
    PrometheusError,
    PrometheusQueryError,
    PrometheusResponseError,
    PrometheusUnavailable,
    PrometheusUsageSource,
)
from collectors.records import CollectorError, TimeWindow
from tests.integration.collectors.prom_scenario import T0_DT
from tests.support.components import free_port
from tests.support.prometheus_server import FaultyProxy, PrometheusServer

pytestmark = pytest.mark.prometheus

WINDOW = TimeWindow(T0_DT, T0_DT + timedelta(hours=2))


@pytest.fixture
def proxy(scenario_prometheus: PrometheusServer) -> Iterator[FaultyProxy]:
    p = FaultyProxy(scenario_prometheus.url)
    yield p
    p.stop()


def make(
    url: str, timeout: float = 5.0, concurrency: int = 1, **conn: object
) -> PrometheusCollector:
    """Sequential by default, so a failure injected after N requests hits a known query."""
    connection = PrometheusConnection(url, cluster_label="cluster", timeout=timeout, **conn)  # type: ignore[arg-type]
    return PrometheusCollector(
        PrometheusUsageSource(
            connection, cluster="tacos-prod", namespaces=("tacos",), concurrency=concurrency
        )
    )


def expected(scenario_prometheus: PrometheusServer) -> int:
    return len(make(scenario_prometheus.url).collect(WINDOW).usage)


def test_server_down(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    with caplog.at_level(logging.ERROR), pytest.raises(PrometheusUnavailable) as err:
        make(f"http://127.0.0.1:{port}").collect(WINDOW)
    assert f"cannot reach Prometheus at http://127.0.0.1:{port}/api/v1/status/buildinfo" in str(
        err.value
    )
    assert isinstance(err.value, CollectorError)
    assert "prometheus collection failed for tacos-prod" in caplog.text


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        (
            "5xx",
            PrometheusUnavailable,
            r"answered HTTP 503 on query 'max_over_time.container_memory_working_set_bytes",
        ),
        (
            "malformed",
            PrometheusResponseError,
            r"answered HTTP 200 with malformed JSON on query 'max_over_time",
        ),
        (
            "close",
            PrometheusUnavailable,
            r"cannot reach Prometheus at http://127\.0\.0\.1:\d+/api/v1/query_range",
        ),
    ],
)
def test_failure_mid_run_then_catch_up(
    scenario_prometheus: PrometheusServer,
    proxy: FaultyProxy,
    mode: str,
    error: type[PrometheusError],
    message: str,
) -> None:
    proxy.mode, proxy.fail_after = mode, 2  # buildinfo and the CPU query pass, memory fails
    col = make(proxy.url)
    with pytest.raises(error, match=message):
        col.collect(WINDOW)
    proxy.mode = "pass"
    assert len(col.collect(WINDOW).usage) == expected(scenario_prometheus)


def test_slow_server_times_out(scenario_prometheus: PrometheusServer, proxy: FaultyProxy) -> None:
    proxy.mode, proxy.delay = "slow", 2.0
    col = make(proxy.url, timeout=0.5)
    with pytest.raises(PrometheusUnavailable, match=r"timed out after 0\.5s on query 'buildinfo'"):
        col.collect(WINDOW)
    proxy.mode = "pass"
    assert len(col.collect(WINDOW).usage) == expected(scenario_prometheus)


def test_bad_query_is_reported_with_the_server_reason(
    scenario_prometheus: PrometheusServer,
) -> None:
    conn = PrometheusConnection(scenario_prometheus.url)
    col = PrometheusCollector(PrometheusUsageSource(conn, cluster="x"))
    with pytest.raises(
        PrometheusQueryError, match=r"rejected query 'sum\(' \(HTTP 400, bad_data\)"
    ):
        col.client.query_range("sum(", T0_DT, T0_DT + timedelta(hours=1), timedelta(minutes=5))


def test_bearer_token_read_from_file_at_call_time(proxy: FaultyProxy, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first-token\n")
    col = make(proxy.url, bearer_token_file=token)
    col.collect(WINDOW)
    token.write_text("rotated-token")
    col.collect(WINDOW)
    auths = [h.get("Authorization") for _, _, h, _ in proxy.log.requests]
    assert auths[0] == "Bearer first-token"
    assert auths[-1] == "Bearer rotated-token"


def test_missing_token_file_is_a_clear_error(tmp_path: Path) -> None:
    col = make("http://127.0.0.1:9", bearer_token_file=tmp_path / "absent")
    with pytest.raises(PrometheusError, match=r"cannot read Prometheus bearer token file .*absent"):
        col.collect(WINDOW)


def test_basic_auth_from_env(proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROM_PASS", "s3cret")
    col = make(proxy.url, basic_auth_user="finops", basic_auth_password_env="PROM_PASS")
    col.collect(WINDOW)
    want = "Basic " + base64.b64encode(b"finops:s3cret").decode()
    assert {h.get("Authorization") for _, _, h, _ in proxy.log.requests} == {want}


def test_credentials_never_in_errors(proxy: FaultyProxy, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("very-secret-token")
    proxy.mode = "5xx"
    with pytest.raises(PrometheusUnavailable) as err:
        make(proxy.url, bearer_token_file=token).collect(WINDOW)
    assert "very-secret-token" not in str(err.value)
    with pytest.raises(ValueError, match="must not carry credentials"):
        PrometheusConnection("http://user:pw@127.0.0.1:9090")


def test_sigv4_signs_every_request(proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
    make(proxy.url, sigv4_region="eu-west-1").collect(WINDOW)
    for _, _, headers, _ in proxy.log.requests:
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert "/eu-west-1/aps/aws4_request" in headers["Authorization"]
        assert headers["X-Amz-Security-Token"] == "session-token"
        assert "X-Amz-Date" in headers


@pytest.mark.parametrize("compress", [False, True])
def test_response_compression_is_opt_in(
    scenario_prometheus: PrometheusServer, proxy: FaultyProxy, compress: bool
) -> None:
    # Uncompressed by default: gzip costs the server about as much CPU as the query.
    rows = make(proxy.url, compress_responses=compress).collect(WINDOW).usage
    assert len(rows) == expected(scenario_prometheus)
    asked = {h.get("Accept-Encoding") for _, _, h, _ in proxy.log.requests}
    assert asked == {"gzip" if compress else "identity"}
    query_answers = [
        enc
        for (_, path, _, _), enc in zip(proxy.log.requests, proxy.log.encodings, strict=True)
        if path.startswith("/api/v1/query_range")
    ]
    assert query_answers and set(query_answers) == {"gzip" if compress else ""}


def test_one_auth_scheme_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        PrometheusConnection(
            "http://127.0.0.1:9090", bearer_token_env="X", sigv4_region="eu-west-1"
        )


def test_custom_ca(tmp_path: Path) -> None:
    """A real Prometheus serving TLS with a private CA: trusted with ca_file, refused without."""
    from tests.support.prometheus_server import make_tls_files

    tls = make_tls_files(tmp_path)
    data = tmp_path / "tsdb"
    data.mkdir()
    server = PrometheusServer(data, tls=tls)
    try:
        trusted = make(server.url, ca_file=tls.ca)
        assert trusted.collect(WINDOW).usage == []  # empty TSDB, but the TLS handshake worked
        with pytest.raises(PrometheusUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            make(server.url).collect(WINDOW)
    finally:
        server.stop()


def test_failure_with_concurrent_queries(
    scenario_prometheus: PrometheusServer, proxy: FaultyProxy
) -> None:
    proxy.mode, proxy.fail_after = "5xx", 3
    col = make(proxy.url, concurrency=4)
    with pytest.raises(PrometheusUnavailable, match="answered HTTP 503 on query"):
        col.collect(WINDOW)
    proxy.mode = "pass"
    assert len(col.collect(WINDOW).usage) == expected(scenario_prometheus)


@pytest.mark.parametrize(
    ("version", "memory_range"), [("2.42.0", "[299999ms]"), ("3.1.0", "[300s]")]
)
def test_range_semantics_follow_the_server_version(
    proxy: FaultyProxy, version: str, memory_range: str
) -> None:
    """2.x range selectors include both ends, 3.x are left-open: each reads a sample once."""
    from urllib.parse import parse_qs

    proxy.version = version
    make(proxy.url).collect(WINDOW)
    queries = [
        parse_qs(body.decode()).get("query", [""])[0] for _, _, _, body in proxy.log.requests
    ]
    memory = next(q for q in queries if "container_memory_working_set_bytes" in q)
    assert memory_range in memory
