"""A small, strict client for the Prometheus HTTP API (``/api/v1``).

Why not ``prometheus-api-client``: it does not merge chunked range queries, hides
HTTP status codes, and cannot sign requests for AMP. This client does one thing:
send a query, check every part of the answer, and raise a clear
:class:`PrometheusError` naming the URL, the query and the status. It counts the
requests it makes so runs and benchmarks can report them.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import orjson

from collectors.prometheus.connection import PrometheusConnection
from collectors.prometheus.errors import (
    PrometheusQueryError,
    PrometheusResponseError,
    PrometheusUnavailable,
)
from collectors.prometheus.matrix_text import lift_values, parse_values
from collectors.prometheus.sigv4 import SigV4HttpxAuth

log = logging.getLogger(__name__)

MAX_POINTS_PER_SERIES = 11_000
"""Prometheus refuses range queries that would return more points per series."""


@dataclass
class Series:
    """One series of a range query: its labels and its samples, sorted by time."""

    labels: dict[str, str]
    timestamps: npt.NDArray[np.int64]  # unix seconds
    values: npt.NDArray[np.float64]


class PrometheusClient:
    """Synchronous client; one instance per connection, reuses its HTTP connection."""

    def __init__(self, connection: PrometheusConnection, *, max_points: int = 10_000):
        if not 1 < max_points <= MAX_POINTS_PER_SERIES:
            raise ValueError(f"max_points must be in 2..{MAX_POINTS_PER_SERIES}")
        self.connection = connection
        self.max_points = max_points
        self.requests_made = 0
        self._count_lock = threading.Lock()
        auth: httpx.Auth | None = None
        if connection.sigv4_region is not None:
            auth = SigV4HttpxAuth(connection.sigv4_region, connection.sigv4_service)
        self._auth = auth
        self._http = httpx.Client(
            base_url=connection.url.rstrip("/") + "/",
            timeout=connection.timeout,
            verify=connection.ssl_context(),
            headers={
                "Accept-Encoding": "gzip" if connection.compress_responses else "identity",
                **connection.headers,
            },
            auth=auth,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints ---------------------------------------------------------------

    def query_range(
        self, query: str, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]:
        """Evaluate ``query`` at ``start, start+step, ..., <= end``, split into chunks
        below the server's per-series point limit and merged back per label set."""
        step_s = int(step.total_seconds())
        if step_s <= 0 or step.total_seconds() != step_s:
            raise ValueError("step must be a whole number of seconds")
        t0, t1 = int(start.timestamp()), int(end.timestamp())
        if t1 < t0:
            raise ValueError("end before start")
        merged: dict[
            tuple[tuple[str, str], ...],
            list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
        ] = {}
        chunk_span = step_s * (self.max_points - 1)
        chunk_start = t0
        while chunk_start <= t1:
            chunk_end = min(chunk_start + chunk_span, t1)
            # Paused from decoding until the decoded answer is gone: re-enabled while
            # it is alive, the collector's next run would walk all of it (measured: 3 s
            # of a 14-day collection).
            with gc_paused():
                response = self._request(
                    "api/v1/query_range",
                    {
                        "query": query,
                        "start": str(chunk_start),
                        "end": str(chunk_end),
                        "step": str(step_s),
                    },
                    query,
                )
                series = self._matrix(response, "api/v1/query_range", query)
                del response  # the answer's bytes, freed before the next chunk
            for labels, ts, vs in series:
                merged.setdefault(tuple(sorted(labels.items())), []).append((ts, vs))
            chunk_start = chunk_end + step_s
        out: list[Series] = []
        for key, parts in merged.items():
            if len(parts) == 1:
                out.append(Series(dict(key), parts[0][0], parts[0][1]))
                continue
            ts_all = np.concatenate([ts for ts, _ in parts])
            vs_all = np.concatenate([vs for _, vs in parts])
            order = np.argsort(ts_all, kind="stable")
            out.append(Series(dict(key), ts_all[order], vs_all[order]))
        return out

    def query(self, query: str, at: datetime) -> list[tuple[dict[str, str], float]]:
        """An instant query; returns (labels, value) per series of the vector."""
        data = self._call("api/v1/query", {"query": query, "time": str(int(at.timestamp()))}, query)
        if data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
            raise self._shape_error(query, "expected a vector result")
        out: list[tuple[dict[str, str], float]] = []
        for item in data["result"]:
            labels = _labels(item, query, self.connection.safe_url)
            value = item.get("value")
            if not isinstance(value, list) or len(value) != 2:
                raise self._shape_error(query, "vector sample is not [time, value]")
            out.append((labels, _float(value[1], query, self.connection.safe_url)))
        return out

    def series(
        self, matchers: Sequence[str], start: datetime, end: datetime
    ) -> list[dict[str, str]]:
        """Label sets of the series matching any of ``matchers`` with data in [start, end].

        The series endpoint reads only the index, which makes it the gentlest way to
        learn pod ownership over a long window."""
        params: dict[str, str | list[str]] = {
            "match[]": list(matchers),
            "start": str(int(start.timestamp())),
            "end": str(int(end.timestamp())),
        }
        data = self._call("api/v1/series", params, " | ".join(matchers))
        if not isinstance(data, list):
            raise self._shape_error(" | ".join(matchers), "series data is not a list")
        out: list[dict[str, str]] = []
        for item in data:
            if not isinstance(item, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in item.items()
            ):
                raise self._shape_error(" | ".join(matchers), "series entry is not a label map")
            out.append(dict(item))
        return out

    def build_version(self) -> str:
        """The server's version from ``/api/v1/status/buildinfo`` ("" when not served)."""
        try:
            data = self._call("api/v1/status/buildinfo", {}, "buildinfo", method="GET")
        except PrometheusQueryError:
            return ""  # Thanos/Mimir/AMP may not serve it; callers assume the 2.x semantics
        version = data.get("version") if isinstance(data, dict) else None
        return version if isinstance(version, str) else ""

    # -- transport ---------------------------------------------------------------

    def _call(
        self,
        path: str,
        params: Mapping[str, str | list[str]],
        query: str,
        method: str = "POST",
    ) -> Any:
        response = self._request(path, params, query, method)
        return self._envelope(self._json(response, path, query), response, path, query)

    def _matrix(
        self, response: httpx.Response, path: str, query: str
    ) -> list[tuple[dict[str, str], npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
        """A range answer's series: samples read straight from the bytes when the answer
        is plain pairs (``matrix_text``), else the whole answer decoded and checked."""
        url = self.connection.safe_url
        lifted = lift_values(response.content) if response.status_code == 200 else None
        if lifted is not None:
            skeleton, segments = lifted
            try:
                body = orjson.loads(skeleton)
            except ValueError:
                body = None  # the ordinary path below names what is wrong
            if isinstance(body, dict) and body.get("status") == "success":
                fast = _lifted_matrix(body.get("data"), segments, query, url)
                if fast is not None:
                    self._envelope(body, response, path, query)  # warnings are logged
                    return fast
        body = self._json(response, path, query)
        return _parse_matrix(self._envelope(body, response, path, query), query, url)

    def _request(
        self,
        path: str,
        params: Mapping[str, str | list[str]],
        query: str,
        method: str = "POST",
    ) -> httpx.Response:
        url = self._url(path)
        headers: dict[str, str] = {}
        token = self.connection.bearer_token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        basic = self.connection.basic_auth()
        auth: httpx.Auth | httpx._client.UseClientDefault = (
            httpx.BasicAuth(*basic) if basic is not None else httpx.USE_CLIENT_DEFAULT
        )
        with self._count_lock:
            self.requests_made += 1
        try:
            if method == "GET":
                response = self._http.get(path, headers=headers, auth=auth)
            else:  # POST keeps long PromQL out of URLs and access logs
                response = self._http.post(path, data=dict(params), headers=headers, auth=auth)
        except httpx.TimeoutException as exc:
            raise PrometheusUnavailable(
                f"Prometheus at {url} timed out after {self.connection.timeout:g}s "
                f"on query {query!r}"
            ) from exc
        except httpx.HTTPError as exc:
            raise PrometheusUnavailable(
                f"cannot reach Prometheus at {url}: {type(exc).__name__}: {exc}"
            ) from exc
        status = response.status_code
        if status >= 500:
            raise PrometheusUnavailable(
                f"Prometheus at {url} answered HTTP {status} on query {query!r}: "
                f"{_excerpt(response)}"
            )
        if status in (401, 403):
            raise PrometheusQueryError(
                f"Prometheus at {url} refused our credentials (HTTP {status}); check the "
                "bearer token, basic auth or AWS role"
            )
        return response

    def _url(self, path: str) -> str:
        return f"{self.connection.safe_url.rstrip('/')}/{path}"

    def _json(self, response: httpx.Response, path: str, query: str) -> Any:
        """The answer decoded; an answer that is not JSON is refused by status."""
        url, status = self._url(path), response.status_code
        try:
            with gc_paused():
                return orjson.loads(response.content)
        except ValueError as exc:
            if status >= 400:
                raise PrometheusQueryError(
                    f"Prometheus at {url} answered HTTP {status} on query {query!r}: "
                    f"{_excerpt(response)}"
                ) from exc
            raise PrometheusResponseError(
                f"Prometheus at {url} answered HTTP {status} with malformed JSON on query "
                f"{query!r}: {_excerpt(response)}"
            ) from exc

    def _envelope(self, body: Any, response: httpx.Response, path: str, query: str) -> Any:
        """The answer's ``data``, once its envelope says success (warnings are logged)."""
        url, status = self._url(path), response.status_code
        if not isinstance(body, dict) or body.get("status") not in {"success", "error"}:
            raise PrometheusResponseError(
                f"Prometheus at {url} answered HTTP {status} without an API envelope on "
                f"query {query!r}: {_excerpt(response)}"
            )
        if body["status"] == "error" or status >= 400:
            raise PrometheusQueryError(
                f"Prometheus at {url} rejected query {query!r} (HTTP {status}, "
                f"{body.get('errorType', 'error')}): {body.get('error', '')}"
            )
        for warning in body.get("warnings") or []:
            log.warning("Prometheus warning on query %r: %s", query, warning)
        if "data" not in body:
            raise PrometheusResponseError(f"Prometheus at {url} answered without data on {query!r}")
        return body["data"]

    def _shape_error(self, query: str, what: str) -> PrometheusResponseError:
        return _bad(self.connection.safe_url, query, what)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large answer is decoded and converted.

    Why: a day of a thousand-workload namespace is millions of small lists and strings,
    and each burst of allocations triggers collections that walk all of them again:
    decoding took three times as long with the collector on (measured), yet decoded
    JSON has no reference cycles to find; reference counting frees it all. Concurrent
    callers may overlap: the collector stays off until the first of them leaves, then
    is on again, as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _bad(url: str, query: str, what: str) -> PrometheusResponseError:
    return PrometheusResponseError(
        f"unexpected answer from Prometheus at {url} on query {query!r}: {what}"
    )


def _excerpt(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200] + ("…" if len(text) > 200 else "")


def _labels(item: Any, query: str, url: str) -> dict[str, str]:
    metric = item.get("metric") if isinstance(item, dict) else None
    if not isinstance(metric, dict) or not all(isinstance(v, str) for v in metric.values()):
        raise _bad(url, query, "series without labels")
    return dict(metric)


def _float(raw: Any, query: str, url: str) -> float:
    # Prometheus sends values as strings, including "NaN", "+Inf" and "-Inf".
    if not isinstance(raw, str):
        raise _bad(url, query, f"value {raw!r} is not a string")
    try:
        return float(raw)
    except ValueError as exc:
        raise _bad(url, query, f"value {raw!r} is not a number") from exc


def _lifted_matrix(
    data: Any, segments: list[bytes], query: str, url: str
) -> list[tuple[dict[str, str], npt.NDArray[np.int64], npt.NDArray[np.float64]]] | None:
    """The series of a skeleton whose sample arrays were lifted out; None when the
    skeleton and the segments do not match one to one, or a segment is not plain pairs."""
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        return None
    result = data.get("result")
    if not isinstance(result, list) or len(result) != len(segments):
        return None
    if not all(isinstance(item, dict) and item.get("values") == [] for item in result):
        return None
    samples = parse_values(segments)
    if samples is None:
        return None
    return [
        (_labels(item, query, url), ts, vs) for item, (ts, vs) in zip(result, samples, strict=True)
    ]


def _parse_matrix(
    data: Any, query: str, url: str
) -> list[tuple[dict[str, str], npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
    """Series of a matrix answer, converted column-wise by numpy (a day of 2,000 pods
    is over half a million samples: a Python loop per sample would dominate)."""
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        raise _bad(url, query, "expected a matrix")
    result = data.get("result")
    if not isinstance(result, list):
        raise _bad(url, query, "result is not a list")
    out: list[tuple[dict[str, str], npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    for item in result:
        labels = _labels(item, query, url)
        values = item.get("values")
        if not isinstance(values, list):
            raise _bad(url, query, "series without values")
        try:
            # Values are strings ("1.5", "NaN", "+Inf"); numpy parses them like float().
            times, raw = zip(*values, strict=True) if values else ((), ())
            ts = np.array(times, dtype=np.float64)
            vs = np.array(raw, dtype=np.float64)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise _bad(url, query, f"bad sample in series {labels}: {exc}") from exc
        if ts.size and not np.isfinite(ts).all():
            raise _bad(url, query, "non-finite timestamp")
        # numpy turns None into NaN; a real NaN sample arrives as the string "NaN".
        for idx in np.flatnonzero(np.isnan(vs)).tolist():
            if not isinstance(values[idx][1], str):
                raise _bad(url, query, f"bad sample in series {labels}: {values[idx]!r}")
        out.append((labels, np.rint(ts).astype(np.int64), vs))
    return out
