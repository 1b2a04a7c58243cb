"""``GitHubProvider``: the four REST calls a weekly PR needs, over httpx.

Only the configured base URL is ever contacted (``Link`` headers pointing
elsewhere are not followed), the token travels in the ``Authorization`` header
only, and every failure becomes a ``ProviderError`` subclass whose message names
the call and GitHub's own explanation, never the token.

Calls: find the open PR of a branch (``GET /repos/{o}/{r}/pulls?state=open&head=
{owner}:{branch}``, paginated), create (``POST /repos/{o}/{r}/pulls``, a 422
"already exists" race falls back to find-and-update), update (``PATCH
/repos/{o}/{r}/pulls/{n}``) and label (``POST /repos/{o}/{r}/issues/{n}/labels``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from rightsizing.gitops.errors import (
    AuthenticationError,
    PermissionDeniedError,
    ProviderError,
    RepositoryNotFoundError,
    RequestRejectedError,
    ServerError,
)
from rightsizing.gitops.provider import PullRequest, PullRequestOutcome

MAX_PAGES = 20
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


def _message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.reason_phrase or "no details"
    if not isinstance(data, dict):
        return "no details"
    parts = [str(data.get("message", "")).strip()]
    for err in data.get("errors") or []:
        if isinstance(err, dict):
            parts.append(str(err.get("message") or err.get("code") or "").strip())
        else:
            parts.append(str(err))
    text = "; ".join(p for p in parts if p) or "no details"
    return text[:300]


class GitHubProvider:
    def __init__(
        self,
        repository: str,
        token: str,
        api_url: str = "https://api.github.com",
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not _REPO.match(repository):
            raise ProviderError(f"repository must be owner/name, got {repository!r}")
        if not token or any(ch.isspace() for ch in token):
            raise AuthenticationError("the GitHub token is empty or contains whitespace")
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
            raise ProviderError(
                f"api_url must be an http(s) URL without credentials, got {api_url!r}"
            )
        self.owner, self.name = repository.split("/")
        self._token = token
        self._base = api_url.rstrip("/") + "/"
        self._client = httpx.Client(
            base_url=self._base,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "tacos-finops",
            },
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never show the token
        return f"GitHubProvider({self.owner}/{self.name} at {self._base})"

    def close(self) -> None:
        self._client.close()

    # -- plumbing -------------------------------------------------------------------------

    def _request(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(
                f"GitHub {what}: no answer from {self._base} ({type(exc).__name__})"
            ) from None
        if resp.is_success:
            return resp
        msg = f"GitHub {what} ({method} {urlsplit(str(resp.request.url)).path}): HTTP {resp.status_code}: {_message(resp)}"
        msg = msg.replace(self._token, "***")
        status = resp.status_code
        if status == 401:
            raise AuthenticationError(msg + " — check the token (expired or revoked?)", status)
        if status == 403:
            raise PermissionDeniedError(
                msg + " — the token needs contents and pull-requests write access", status
            )
        if status == 404:
            raise RepositoryNotFoundError(
                msg + " — check git.repository, or the token cannot see it", status
            )
        if status == 422:
            raise RequestRejectedError(msg, status)
        if status >= 500:
            raise ServerError(msg, status)
        raise ProviderError(msg, status)

    def _json(self, resp: httpx.Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise ServerError(f"GitHub {what}: the answer is not JSON", resp.status_code) from None

    def _pr(self, data: Any, what: str) -> PullRequest:
        try:
            return PullRequest(
                number=int(data["number"]),
                url=str(data["html_url"]),
                head=str(data["head"]["ref"]),
                base=str(data["base"]["ref"]),
            )
        except (KeyError, TypeError, ValueError):
            raise ServerError(f"GitHub {what}: unexpected pull request shape") from None

    def _next_page(self, resp: httpx.Response) -> str | None:
        m = _NEXT.search(resp.headers.get("link", ""))
        if not m:
            return None
        url = urljoin(self._base, m.group(1))
        # Keep to the configured server: a Link elsewhere would receive our token.
        return url if url.startswith(self._base) else None

    # -- API --------------------------------------------------------------------------------

    @property
    def repo_path(self) -> str:
        return f"repos/{self.owner}/{self.name}"

    def check_access(self) -> None:
        data = self._json(
            self._request("GET", self.repo_path, "repository lookup"), "repository lookup"
        )
        perms = data.get("permissions") if isinstance(data, dict) else None
        if isinstance(perms, dict) and not perms.get("push", False):
            raise PermissionDeniedError(
                f"GitHub: the token can read {self.owner}/{self.name} but not push to it", 403
            )
        if isinstance(data, dict) and data.get("archived"):
            raise PermissionDeniedError(f"GitHub: {self.owner}/{self.name} is archived", 403)

    def find_open(self, head: str, base: str | None = None) -> PullRequest | None:
        url: str | None = f"{self.repo_path}/pulls"
        params: dict[str, str] | None = {
            "state": "open",
            "head": f"{self.owner}:{head}",
            "per_page": "100",
        }
        for _ in range(MAX_PAGES):
            if url is None:
                return None
            resp = self._request("GET", url, "pull request search", params=params)
            data = self._json(resp, "pull request search")
            if not isinstance(data, list):
                raise ServerError("GitHub pull request search: expected a list")
            for item in data:
                pr = self._pr(item, "pull request search")
                if pr.head == head and (base is None or pr.base == base):
                    return pr
            url, params = self._next_page(resp), None
        return None

    def create(self, head: str, base: str, title: str, body: str) -> PullRequest:
        payload = {"head": head, "base": base, "title": title, "body": body}
        resp = self._request(
            "POST", f"{self.repo_path}/pulls", "pull request creation", json=payload
        )
        return self._pr(self._json(resp, "pull request creation"), "pull request creation")

    def update(self, number: int, title: str, body: str) -> PullRequest:
        resp = self._request(
            "PATCH",
            f"{self.repo_path}/pulls/{number}",
            "pull request update",
            json={"title": title, "body": body},
        )
        return self._pr(self._json(resp, "pull request update"), "pull request update")

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._request(
                "POST",
                f"{self.repo_path}/issues/{number}/labels",
                "labelling",
                json={"labels": list(labels)},
            )

    def ensure_pull_request(
        self, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequestOutcome:
        existing = self.find_open(head, base)
        created = False
        if existing is None:
            try:
                pr = self.create(head, base, title, body)
                created = True
            except RequestRejectedError as exc:
                # Another replica (or a person) opened it between our search and create.
                if "already exists" not in str(exc):
                    raise
                again = self.find_open(head, base)
                if again is None:
                    raise
                pr = self.update(again.number, title, body)
        else:
            pr = self.update(existing.number, title, body)
        self.add_labels(pr.number, labels)
        return PullRequestOutcome(pr, created)
