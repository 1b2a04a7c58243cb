"""A local HTTP server speaking Slack's incoming-webhook wire format.

POST JSON ``{"text": ...}`` → ``200 ok`` (text/html body "ok", as Slack answers).
``fail_next`` makes the next N posts fail with a status (500, or 429 with
``Retry-After``) so tests can drive the real ``slack_sdk`` client through errors.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class SlackWebhookServer:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.failures: list[int] = []
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                outer.requests += 1
                if outer.failures:
                    status = outer.failures.pop(0)
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"rate_limited" if status == 429 else b"internal_error")
                    return
                outer.messages.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/services/T000/B000/XXXX"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
