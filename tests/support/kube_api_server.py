"""A local HTTP server that speaks the Kubernetes API's list wire format.

No kube-apiserver can be installed on these machines, so tests drive the official
``kubernetes`` client through a kubeconfig at this server. It serves objects in
their real JSON shapes, paginates lists with ``limit`` / ``continue`` exactly like
the API server (``metadata.continue`` plus ``remainingItemCount``), answers 403 with
a real ``Status`` object for paths marked forbidden, 404 for API groups that are
not installed, and records every request so tests can assert what was asked.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class KubeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class KubeApiState:
    """Lists by collection path (e.g. ``/apis/apps/v1/namespaces/tacos/deployments``)."""

    lists: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    forbidden: set[str] = field(default_factory=set)
    valid_token: str | None = None  # when set, other bearer tokens get 401
    fail_status: int = 0  # when set, every request gets this status
    requests: list[KubeRequest] = field(default_factory=list)


def _status(code: int, reason: str, message: str, details: Mapping[str, str]) -> bytes:
    return json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "details": dict(details),
            "code": code,
        }
    ).encode()


def _forbidden_message(path: str) -> tuple[str, dict[str, str]]:
    parts = path.strip("/").split("/")
    group = "" if parts[0] == "api" else parts[1]
    resource = parts[-1]
    ns = parts[parts.index("namespaces") + 1] if "namespaces" in parts[:-1] else ""
    who = 'User "system:serviceaccount:finops:finops"'
    scope = f' in the namespace "{ns}"' if ns else " at the cluster scope"
    full = f"{resource}.{group}" if group else resource
    return (
        f'{full} is forbidden: {who} cannot list resource "{resource}" in API group '
        f'"{group}"{scope}',
        {"group": group, "kind": resource},
    )


def _any_namespace(path: str) -> str:
    parts = path.split("/")
    if "namespaces" in parts[:-2]:
        parts[parts.index("namespaces") + 1] = "*"
    return "/".join(parts)


class KubeApiServer:
    """Serve ``state`` on 127.0.0.1; ``kubeconfig(path)`` writes a kubeconfig for it."""

    def __init__(self, state: KubeApiState | None = None):
        self.state = state or KubeApiState()
        st = self.state

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                st.requests.append(KubeRequest("GET", parts.path, query, dict(self.headers)))
                path = parts.path.rstrip("/")
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if st.fail_status:
                    self._send(
                        st.fail_status, _status(st.fail_status, "InternalError", "etcd timeout", {})
                    )
                elif st.valid_token is not None and token != st.valid_token:
                    self._send(401, _status(401, "Unauthorized", "Unauthorized", {}))
                elif path in st.forbidden:
                    message, details = _forbidden_message(path)
                    self._send(403, _status(403, "Forbidden", message, details))
                elif path in st.objects:
                    self._send(200, json.dumps(st.objects[path]).encode())
                elif path in st.lists:
                    self._send(200, self._page(path, query))
                elif _any_namespace(path) in {_any_namespace(p) for p in st.lists}:
                    # The resource type exists, just not in this namespace: an empty list.
                    kind = next(
                        k
                        for p, (k, _) in st.lists.items()
                        if _any_namespace(p) == _any_namespace(path)
                    )
                    self._send(
                        200, json.dumps({"kind": kind, "metadata": {}, "items": []}).encode()
                    )
                else:
                    self._send(
                        404,
                        _status(
                            404, "NotFound", "the server could not find the requested resource", {}
                        ),
                    )

            def _page(self, path: str, query: dict[str, list[str]]) -> bytes:
                kind, items = st.lists[path]
                offset = 0
                if "continue" in query:
                    offset = int(base64.b64decode(query["continue"][0]).decode())
                limit = int(query["limit"][0]) if "limit" in query else len(items)
                page = items[offset : offset + limit]
                meta: dict[str, Any] = {"resourceVersion": "12345"}
                if offset + limit < len(items):
                    meta["continue"] = base64.b64encode(str(offset + limit).encode()).decode()
                    meta["remainingItemCount"] = len(items) - offset - limit
                api_version = (
                    path.split("/namespaces")[0].removeprefix("/apis/").removeprefix("/api/")
                )
                return json.dumps(
                    {"kind": kind, "apiVersion": api_version, "metadata": meta, "items": page}
                ).encode()

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def add_list(self, path: str, kind: str, items: list[dict[str, Any]]) -> None:
        self.state.lists[path.rstrip("/")] = (kind, items)

    def add_object(self, path: str, obj: dict[str, Any]) -> None:
        self.state.objects[path.rstrip("/")] = obj

    def kubeconfig(self, path: Path, token: str = "test-token", context: str = "test") -> Path:
        """Write a kubeconfig pointing at this server with a bearer token user."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "local", "cluster": {"server": self.url}}],
            "users": [{"name": "finops", "user": {"token": token}}],
            "contexts": [{"name": context, "context": {"cluster": "local", "user": "finops"}}],
            "current-context": context,
        }
        path.write_text(json.dumps(config))
        return path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
