"""The job's git: the token reaches an HTTP remote as a header, never in argv or errors."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from app.gitops.errors import GitCommandError
from app.gitops.git import Git, check_repo_url
from tests.support.components import free_port, require_binary

TOKEN = "ghp_headerOnlyToken42"


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        Recorder.seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(403)  # like GitHub for a token without access
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"denied")


@pytest.fixture
def http_remote() -> Iterator[str]:
    require_binary("git", "apt-get install -y git")
    Recorder.seen = []
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Recorder)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield f"http://127.0.0.1:{port}/tacos/platform-manifests.git"
    server.shutdown()
    server.server_close()


def test_token_goes_in_the_authorization_header_only(http_remote: str, tmp_path: Path) -> None:
    git = Git(tmp_path / "repo", TOKEN)
    with pytest.raises(GitCommandError, match="git clone failed") as exc:
        git.clone(http_remote, "main")
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert Recorder.seen, "git never contacted the remote"
    for path, auth in Recorder.seen:
        assert auth == expected
        assert TOKEN not in path
    assert TOKEN not in str(exc.value)
    assert expected.split()[1] not in str(exc.value)
    assert not (tmp_path / "repo" / ".git" / "config").exists()


def test_masking_covers_the_token_and_its_base64_form(tmp_path: Path) -> None:
    git = Git(tmp_path, TOKEN, "oauth2")
    b64 = base64.b64encode(f"oauth2:{TOKEN}".encode()).decode()
    assert git.mask(f"fatal: {TOKEN} and {b64}") == "fatal: *** and ***"


@pytest.mark.parametrize(
    "url",
    [
        "https://x-access-token:ghp_abc@github.com/o/r.git",
        "https://ghp_abc@github.com/o/r.git",
        "ssh://git:secret@host/r.git",
    ],
)
def test_urls_with_credentials_are_refused(url: str) -> None:
    with pytest.raises(GitCommandError, match="must not contain credentials") as exc:
        check_repo_url(url)
    assert "ghp_abc" not in str(exc.value) and "secret" not in str(exc.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/o/r.git",
        "git@github.com:o/r.git",
        "ssh://git@host/r.git",
        "file:///srv/r.git",
    ],
)
def test_ordinary_urls_pass(url: str) -> None:
    assert check_repo_url(url) == url
