"""``GitHubProvider``: the four REST calls a weekly PR needs, over httpx.

Calls: find the open PR of a branch (``GET /repos/{o}/{r}/pulls?state=open&head=
{owner}:{branch}``, paginated by ``Link``), create (``POST /repos/{o}/{r}/pulls``; a
422 "already exists" race falls back to find-and-update), update (``PATCH
/repos/{o}/{r}/pulls/{n}``) and label (``POST /repos/{o}/{r}/issues/{n}/labels``).
The token goes only in the ``Authorization`` header (see ``rest.RestClient``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx

from rightsizing.gitops.errors import (
    PermissionDeniedError,
    ProviderError,
    RequestRejectedError,
    ServerError,
)
from rightsizing.gitops.provider import PullRequest, PullRequestOutcome
from rightsizing.gitops.rest import RestClient

MAX_PAGES = 20
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


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
        self.owner, self.name = repository.split("/")
        self._rest = RestClient(
            "GitHub",
            api_url,
            token,
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:  # never show the token
        return f"GitHubProvider({self.owner}/{self.name} at {self._rest.base})"

    def close(self) -> None:
        self._rest.close()

    @property
    def repo_path(self) -> str:
        return f"repos/{self.owner}/{self.name}"

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

    def check_access(self) -> None:
        what = "repository lookup"
        data = self._rest.json(self._rest.request("GET", self.repo_path, what), what)
        perms = data.get("permissions") if isinstance(data, dict) else None
        if isinstance(perms, dict) and not perms.get("push", False):
            raise PermissionDeniedError(
                f"GitHub: the token can read {self.owner}/{self.name} but not push to it", 403
            )
        if isinstance(data, dict) and data.get("archived"):
            raise PermissionDeniedError(f"GitHub: {self.owner}/{self.name} is archived", 403)

    def find_open(self, head: str, base: str | None = None) -> PullRequest | None:
        what = "pull request search"
        params = {"state": "open", "head": f"{self.owner}:{head}", "per_page": "100"}
        for item in self._rest.list_items(f"{self.repo_path}/pulls", what, params, MAX_PAGES):
            pr = self._pr(item, what)
            if pr.head == head and (base is None or pr.base == base):
                return pr
        return None

    def create(self, head: str, base: str, title: str, body: str) -> PullRequest:
        what = "pull request creation"
        payload = {"head": head, "base": base, "title": title, "body": body}
        resp = self._rest.request("POST", f"{self.repo_path}/pulls", what, json=payload)
        return self._pr(self._rest.json(resp, what), what)

    def update(self, number: int, title: str, body: str) -> PullRequest:
        what = "pull request update"
        resp = self._rest.request(
            "PATCH", f"{self.repo_path}/pulls/{number}", what, json={"title": title, "body": body}
        )
        return self._pr(self._rest.json(resp, what), what)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._rest.request(
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
