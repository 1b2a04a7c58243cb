"""A small GitLab REST v4 server on 127.0.0.1 in the real wire format.

``GET /api/v4/projects/{id}`` (``permissions.project_access.access_level``),
``GET .../merge_requests`` filtered by ``state``/``source_branch``/``target_branch``
and paginated with ``per_page``/``page`` + ``Link``, ``POST .../merge_requests``
(201; 409 with GitLab's list-shaped ``message`` for a duplicate open source branch),
``PUT .../merge_requests/{iid}``. 401 ``{"message": "401 Unauthorized"}`` for a wrong
token, 404 ``{"message": "404 Project Not Found"}``. ``{id}`` is the URL-encoded path.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote

from tests.support.components import free_port


@dataclass
class FakeGitLab:
    project: str
    token: str
    access_level: int = 30
    filter_target: bool = True  # False: leave the target check to the client (pagination)
    mrs: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, str, dict[str, str], Any]] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v4"

    def start(self) -> FakeGitLab:
        self.port = free_port()
        handler = type("Handler", (_Handler,), {"gl": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def add_mr(self, source: str, target: str = "main", state: str = "opened") -> dict[str, Any]:
        iid = len(self.mrs) + 1
        mr = {
            "id": 5000 + iid,
            "iid": iid,
            "project_id": 42,
            "title": f"MR {iid}",
            "description": "",
            "state": state,
            "source_branch": source,
            "target_branch": target,
            "labels": [],
            "web_url": f"https://gitlab.example/{self.project}/-/merge_requests/{iid}",
        }
        self.mrs.append(mr)
        return mr


class _Handler(BaseHTTPRequestHandler):
    gl: FakeGitLab

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        gl = self.gl
        # The raw path: the project id must arrive URL-encoded (group%2Fname).
        raw_path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        with gl._lock:
            gl.requests.append((method, raw_path, query, dict(self.headers.items()), body))
            if self.headers.get("Authorization") != f"Bearer {gl.token}":
                self._send(401, {"message": "401 Unauthorized"})
                return
            prefix = f"/api/v4/projects/{quote(gl.project, safe='')}"
            if not raw_path.startswith(prefix):
                self._send(404, {"message": "404 Project Not Found"})
                return
            self._route(method, raw_path[len(prefix) :], parse_qs(query), body)

    def _route(self, method: str, rest: str, q: dict[str, list[str]], body: Any) -> None:
        gl = self.gl
        if method == "GET" and rest == "":
            access = {"access_level": gl.access_level, "notification_level": 3}
            self._send(
                200,
                {
                    "id": 42,
                    "path_with_namespace": gl.project,
                    "archived": False,
                    "permissions": {"project_access": access, "group_access": None},
                },
            )
            return
        if rest == "/merge_requests" and method == "GET":
            items = [
                m
                for m in gl.mrs
                if m["state"] == q.get("state", ["opened"])[0]
                and m["source_branch"] == q.get("source_branch", [m["source_branch"]])[0]
                and (
                    not gl.filter_target
                    or m["target_branch"] == q.get("target_branch", [m["target_branch"]])[0]
                )
            ]
            per_page, page = int(q.get("per_page", ["20"])[0]), int(q.get("page", ["1"])[0])
            headers = {}
            if page * per_page < len(items):
                qs = "&".join(f"{k}={v[0]}" for k, v in q.items() if k != "page")
                headers["Link"] = (
                    f'<{self.gl.url}/projects/{quote(gl.project, safe="")}/merge_requests?{qs}&page={page + 1}>; rel="next"'
                )
            self._send(200, items[(page - 1) * per_page : page * per_page], headers)
            return
        if rest == "/merge_requests" and method == "POST":
            for m in gl.mrs:
                if m["state"] == "opened" and m["source_branch"] == body["source_branch"]:
                    self._send(
                        409,
                        {
                            "message": [
                                f"Another open merge request already exists for this source branch: !{m['iid']}"
                            ]
                        },
                    )
                    return
            mr = gl.add_mr(body["source_branch"], body["target_branch"])
            mr.update(title=body["title"], description=body.get("description", ""))
            mr["labels"] = [x for x in body.get("labels", "").split(",") if x]
            self._send(201, mr)
            return
        m = re.fullmatch(r"/merge_requests/(\d+)", rest)
        if m and method == "PUT":
            mr = gl.mrs[int(m.group(1)) - 1]
            mr.update(title=body["title"], description=body["description"])
            for x in body.get("add_labels", "").split(","):
                if x and x not in mr["labels"]:
                    mr["labels"].append(x)
            self._send(200, mr)
            return
        self._send(404, {"message": "404 Not found"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")
