"""A real Prometheus server loaded with test data, on a free loopback port.

Tests describe series as Python values; :func:`write_openmetrics` writes them as
OpenMetrics text, ``promtool tsdb create-blocks-from openmetrics`` turns that into
TSDB blocks, and :class:`PrometheusServer` serves the blocks with the Debian
``prometheus`` binary. Reusable by every area (import from ``tests.support``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.support.components import free_port, require_binary

Sample = tuple[float, float]  # (unix seconds, value)


@dataclass
class SeriesData:
    """One series: metric name, labels and (timestamp, value) samples."""

    name: str
    labels: Mapping[str, str]
    samples: Sequence[Sample] = field(default_factory=list)


def _fmt_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(float(v))


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def write_openmetrics(series: Iterable[SeriesData], out: IO[str]) -> int:
    """Write families contiguously (as OpenMetrics requires); return samples written."""
    by_name: dict[str, list[SeriesData]] = {}
    for s in series:
        by_name.setdefault(s.name, []).append(s)
    count = 0
    for name in sorted(by_name):
        out.write(f"# TYPE {name} gauge\n")
        for s in by_name[name]:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
            prefix = f"{name}{{{labels}}} "
            for t, v in sorted(s.samples):
                out.write(f"{prefix}{_fmt_value(v)} {t:.3f}\n")
                count += 1
    out.write("# EOF\n")
    return count


def create_blocks(openmetrics_file: Path, data_dir: Path, max_block_duration: str = "") -> None:
    """Run ``promtool tsdb create-blocks-from openmetrics``; raise with its output on failure."""
    promtool = require_binary("promtool", "apt-get install prometheus")
    cmd = [promtool, "tsdb", "create-blocks-from", "openmetrics"]
    if max_block_duration:
        cmd.append(f"--max-block-duration={max_block_duration}")
    cmd += [str(openmetrics_file), str(data_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"promtool failed ({done.returncode}): {done.stderr[-2000:]}")


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1, made with openssl."""
    openssl = require_binary("openssl", "apt-get install openssl")
    d = directory
    ext = d / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    steps = [
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca",
        "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1",
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
        f"-days 2 -extfile {ext}",
    ]
    for args in steps:
        subprocess.run([openssl, *args.split()], cwd=d, check=True, capture_output=True, timeout=60)
    return TlsFiles(d / "ca.crt", d / "server.crt", d / "server.key")


class PrometheusServer:
    """A Prometheus process serving ``data_dir`` on 127.0.0.1; stop() ends it.

    Other engineers' servers share this machine, so a free port can be taken between
    choosing it and binding it: readiness is checked on Prometheus's own answer, and
    a start that loses the race is retried on another port."""

    def __init__(
        self, data_dir: Path, *, extra_args: Sequence[str] = (), tls: TlsFiles | None = None
    ):
        self.binary = require_binary("prometheus", "apt-get install prometheus")
        self.tls = tls
        args = list(extra_args)
        if tls is not None:
            web = data_dir / "web-config.yml"
            web.write_text(f"tls_server_config:\n  cert_file: {tls.cert}\n  key_file: {tls.key}\n")
            args.append(f"--web.config.file={web}")
        config = data_dir / "prometheus-test.yml"
        config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
        self._log = (data_dir / "prometheus.log").open("a")
        for _attempt in range(3):
            self.port = free_port()
            self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
            self.process = subprocess.Popen(
                [
                    self.binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={data_dir}",
                    "--storage.tsdb.retention.time=20y",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=info",
                    *args,
                ],
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            if self._wait_ready():
                return
        self._log.close()
        raise RuntimeError(f"prometheus did not start; see {data_dir / 'prometheus.log'}")

    def _wait_ready(self, timeout: float = 60.0) -> bool:
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(self.tls.ca)) if self.tls else True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # e.g. the port was taken meanwhile
            try:
                r = httpx.get(f"{self.url}/-/ready", timeout=1, verify=verify)
                if r.status_code == 200 and "Prometheus" in r.text:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.process.wait(timeout=10)
        return False

    def cpu_seconds(self) -> float:
        """The server's own CPU time (user + system) from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


@contextmanager
def prometheus_with(series: Iterable[SeriesData], workdir: Path) -> Iterator[PrometheusServer]:
    """Load ``series`` into a fresh TSDB under ``workdir`` and serve it."""
    data_dir = workdir / "tsdb"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    om = workdir / "data.om"
    with om.open("w") as f:
        write_openmetrics(series, f)
    create_blocks(om, data_dir)
    server = PrometheusServer(data_dir)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ProxyLog:
    """What the proxy saw: one (method, path, headers, body) per request."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    # Content-Encoding of each forwarded answer ("" when uncompressed)
    encodings: list[str] = field(default_factory=list)


class FaultyProxy:
    """An HTTP proxy in front of a real Prometheus that can misbehave on demand.

    ``mode``: "pass" forwards; "5xx" answers 503; "malformed" answers 200 with
    broken JSON; "slow" sleeps ``delay`` seconds first; "close" drops the
    connection. ``fail_after`` lets that many requests pass before misbehaving, so a
    failure can land in the middle of a collection. Every request is logged.
    """

    def __init__(self, upstream: str):
        import http.server
        import threading

        self.upstream = upstream.rstrip("/")
        self.mode = "pass"
        self.delay = 3.0
        self.fail_after = 0
        self.version = ""  # when set, /api/v1/status/buildinfo answers with this version
        # when set, range answers (uncompressed) are passed through it: a real answer
        # with one defect planted, for the client's checks
        self.rewrite: Callable[[bytes], bytes] | None = None
        self.log = ProxyLog()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.log.requests.append((self.command, self.path, dict(self.headers), body))
                if proxy.version and self.path.startswith("/api/v1/status/buildinfo"):
                    info = {"status": "success", "data": {"version": proxy.version}}
                    self._send(200, json.dumps(info).encode(), "application/json")
                    return
                misbehave = proxy.mode != "pass" and len(proxy.log.requests) > proxy.fail_after
                if misbehave and proxy.mode == "5xx":
                    self._send(503, b"upstream connect error", "text/plain")
                    return
                if misbehave and proxy.mode == "malformed":
                    self._send(
                        200, b'{"status":"success","data":{"resultType":"matr', "application/json"
                    )
                    return
                if misbehave and proxy.mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if misbehave and proxy.mode == "slow":
                    time.sleep(proxy.delay)
                fwd_headers = {
                    "Content-Type": self.headers.get("Content-Type", ""),
                    # what the client asked for; without it httpx would ask for gzip
                    "Accept-Encoding": self.headers.get("Accept-Encoding", "identity"),
                }
                with httpx.stream(
                    self.command,
                    proxy.upstream + self.path,
                    content=body,
                    headers={k: v for k, v in fwd_headers.items() if v},
                    timeout=60,
                ) as resp:
                    raw = b"".join(resp.iter_raw())  # passed on as the server encoded it
                encoding = resp.headers.get("content-encoding", "")
                proxy.log.encodings.append(encoding)
                if proxy.rewrite is not None and "query_range" in self.path and not encoding:
                    raw = proxy.rewrite(raw)
                ctype = resp.headers.get("content-type", "")
                self._send(resp.status_code, raw, ctype, encoding)

            def _send(self, status: int, payload: bytes, ctype: str, encoding: str = "") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    if encoding:
                        self.send_header("Content-Encoding", encoding)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _handle
            do_POST = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
