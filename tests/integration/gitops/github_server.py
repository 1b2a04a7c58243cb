"""A small GitHub REST server on 127.0.0.1 speaking the real wire format.

It implements what ``GitHubProvider`` calls, with GitHub's JSON shapes and status
codes: ``GET /repos/{o}/{r}`` (with ``permissions``), ``GET .../pulls`` filtered
by ``state`` and ``head=owner:branch`` and paginated with ``per_page``/``page``
and a ``Link`` header, ``POST .../pulls`` (201; 422 "A pull request already
exists" for a duplicate open head/base; 422 when the head branch does not exist
in the bare repository the server is bound to), ``PATCH .../pulls/{n}`` and
``POST .../issues/{n}/labels``. 401 for a wrong token (``Bad credentials``),
404 for an unknown repository. Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.components import free_port


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    owner: str
    name: str
    token: str
    bare_repo: Path | None = None
    push: bool = True
    pulls: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    port: int = 0
    link_base: str | None = None  # where Link headers point (default: this server)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeGitHub:
        self.port = free_port()
        handler = type("Handler", (_Handler,), {"gh": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def add_pull(
        self, head: str, base: str = "main", state: str = "open", owner: str | None = None
    ) -> dict[str, Any]:
        number = len(self.pulls) + 1
        o = owner or self.owner
        pr = {
            "number": number,
            "id": 1000 + number,
            "state": state,
            "title": f"PR {number}",
            "body": "",
            "html_url": f"https://github.example/{self.owner}/{self.name}/pull/{number}",
            "url": f"{self.url}/repos/{self.owner}/{self.name}/pulls/{number}",
            "head": {"ref": head, "label": f"{o}:{head}", "sha": "0" * 40},
            "base": {"ref": base, "label": f"{self.owner}:{base}"},
            "labels": [],
            "user": {"login": "tacos-finops[bot]"},
        }
        self.pulls.append(pr)
        return pr

    def branch_exists(self, branch: str) -> bool:
        if self.bare_repo is None:
            return True
        out = subprocess.run(
            [
                "git",
                "--git-dir",
                str(self.bare_repo),
                "rev-parse",
                "--verify",
                "-q",
                f"refs/heads/{branch}",
            ],
            capture_output=True,
            check=False,
        )
        return out.returncode == 0


class _Handler(BaseHTTPRequestHandler):
    gh: FakeGitHub

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        gh = self.gh
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with gh._lock:
            gh.requests.append(
                Recorded(method, parts.path, parts.query, dict(self.headers.items()), body)
            )
            if gh.fail_next:
                status, payload = gh.fail_next.pop(0)
                self._send(status, payload)
                return
        if self.headers.get("Authorization") != f"Bearer {gh.token}":
            self._send(
                401,
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                },
            )
            return
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", parts.path)
        if not m or (m.group(1), m.group(2)) != (gh.owner, gh.name):
            self._send(
                404,
                {
                    "message": "Not Found",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "404",
                },
            )
            return
        rest = m.group(3) or ""
        with gh._lock:
            self._route(method, rest, parse_qs(parts.query), body)

    def _route(self, method: str, rest: str, query: dict[str, list[str]], body: Any) -> None:
        gh = self.gh
        if method == "GET" and rest == "":
            self._send(
                200,
                {
                    "id": 1,
                    "name": gh.name,
                    "full_name": f"{gh.owner}/{gh.name}",
                    "archived": False,
                    "default_branch": "main",
                    "permissions": {"admin": False, "push": gh.push, "pull": True},
                },
            )
            return
        if method == "GET" and rest == "/pulls":
            state = query.get("state", ["open"])[0]
            head = query.get("head", [None])[0]
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            items = [
                p
                for p in gh.pulls
                if (state == "all" or p["state"] == state)
                and (head is None or p["head"]["label"] == head)
            ]
            chunk = items[(page - 1) * per_page : page * per_page]
            headers = {}
            last = max(1, -(-len(items) // per_page))
            if page < last:
                base = f"{gh.link_base or gh.url}/repos/{gh.owner}/{gh.name}/pulls"
                q = f"state={state}" + (f"&head={head}" if head else "") + f"&per_page={per_page}"
                headers["Link"] = (
                    f'<{base}?{q}&page={page + 1}>; rel="next", <{base}?{q}&page={last}>; rel="last"'
                )
            self._send(200, chunk, headers)
            return
        if method == "POST" and rest == "/pulls":
            missing = [k for k in ("head", "base", "title") if not (body or {}).get(k)]
            if missing:
                self._send(
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {
                                "resource": "PullRequest",
                                "code": "missing_field",
                                "field": missing[0],
                            }
                        ],
                    },
                )
                return
            if not gh.branch_exists(body["head"]):
                self._send(
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
                    },
                )
                return
            for p in gh.pulls:
                if (
                    p["state"] == "open"
                    and p["head"]["ref"] == body["head"]
                    and p["base"]["ref"] == body["base"]
                ):
                    self._send(
                        422,
                        {
                            "message": "Validation Failed",
                            "errors": [
                                {
                                    "resource": "PullRequest",
                                    "code": "custom",
                                    "message": f"A pull request already exists for {gh.owner}:{body['head']}.",
                                }
                            ],
                        },
                    )
                    return
            pr = gh.add_pull(body["head"], body["base"])
            pr["title"], pr["body"] = body["title"], body.get("body") or ""
            self._send(201, pr)
            return
        m = re.fullmatch(r"/pulls/(\d+)", rest)
        if method == "PATCH" and m:
            n = int(m.group(1))
            if not 1 <= n <= len(gh.pulls):
                self._send(404, {"message": "Not Found"})
                return
            pr = gh.pulls[n - 1]
            for k in ("title", "body", "state"):
                if k in (body or {}):
                    pr[k] = body[k]
            self._send(200, pr)
            return
        m = re.fullmatch(r"/issues/(\d+)/labels", rest)
        if method == "POST" and m:
            pr = gh.pulls[int(m.group(1)) - 1]
            names = [lbl["name"] for lbl in pr["labels"]]
            for name in (body or {}).get("labels", []):
                if name not in names:
                    pr["labels"].append({"name": name, "color": "ededed"})
            self._send(200, pr["labels"])
            return
        self._send(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")
