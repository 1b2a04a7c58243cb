"""``moto_server`` on loopback, with a recording, fault-injecting proxy in front.

moto answers Cost Explorer from results the test queues (one per distinct request
body, in order) and does not interpret GroupBy or Filter, so tests must assert
what the collector asked: :class:`AwsProxy` records the ``X-Amz-Target`` and JSON
body of every request, and can answer the next requests with a real AWS JSON
error (``LimitExceededException``, ``ExpiredTokenException``, ...) instead.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.components import free_port, require


def _moto_binary() -> str | None:
    local = Path(sys.executable).with_name("moto_server")
    return str(local) if local.exists() else shutil.which("moto_server")


class MotoServer:
    """A ``moto_server`` process on 127.0.0.1; ``stop()`` ends it."""

    def __init__(self) -> None:
        binary = _moto_binary()
        require(binary is not None, "moto_server not found: pip install 'moto[server]'")
        assert binary is not None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not start")

    def reset(self) -> None:
        httpx.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def queue_cost_and_usage(
        self, *results: dict[str, Any], account_id: str = "123456789012"
    ) -> None:
        """Queue GetCostAndUsage answers, handed out one per distinct request body."""
        response = httpx.post(
            f"{self.url}/moto-api/static/ce/cost-and-usage-results",
            json={"results": list(results), "account_id": account_id},
            timeout=10,
        )
        response.raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class AwsCall:
    target: str  # e.g. "AWSInsightsIndexService.GetCostAndUsage"
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Fault:
    """Answer the next ``count`` requests with this AWS error."""

    code: str
    message: str
    status: int = 400
    count: int = 1
    only_target: str = ""


@dataclass
class AwsProxy:
    """Forward to moto, recording calls; inject queued :class:`Fault` answers."""

    upstream: str
    calls: list[AwsCall] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    responders: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)
    """Answer a JSON-protocol operation locally (for APIs moto lacks, e.g. Pricing)."""

    def __post_init__(self) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {"_raw": raw.decode(errors="replace")}
                proxy.calls.append(AwsCall(target, body, dict(self.headers)))
                fault = next(
                    (f for f in proxy.faults if f.count > 0 and f.only_target in target), None
                )
                if fault is not None:
                    fault.count -= 1
                    if target:  # JSON protocol (Cost Explorer, Pricing)
                        payload = json.dumps({"__type": fault.code, "message": fault.message})
                        ctype = "application/x-amz-json-1.1"
                    else:  # query protocol (STS, EC2): an XML ErrorResponse
                        payload = (
                            "<ErrorResponse><Error><Type>Sender</Type>"
                            f"<Code>{fault.code}</Code><Message>{fault.message}</Message>"
                            "</Error><RequestId>test</RequestId></ErrorResponse>"
                        )
                        ctype = "text/xml"
                    self._send(fault.status, payload.encode(), {"Content-Type": ctype})
                    return
                operation = target.rsplit(".", 1)[-1]
                if operation in proxy.responders:
                    answer = json.dumps(proxy.responders[operation](body)).encode()
                    self._send(200, answer, {"Content-Type": "application/x-amz-json-1.1"})
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in {"host", "content-length"}
                }
                resp = httpx.post(
                    proxy.upstream + self.path, content=raw, headers=headers, timeout=30
                )
                self._send(
                    resp.status_code,
                    resp.content,
                    {"Content-Type": resp.headers.get("content-type", "")},
                )

            def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def targets(self) -> list[str]:
        return [c.target.rsplit(".", 1)[-1] for c in self.calls]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fake_aws_env() -> dict[str, str]:
    """Environment variables with obviously fake credentials for moto."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
