"""``GitLabProvider``: the same weekly merge request through GitLab's REST API v4.

Calls: ``GET /projects/{id}`` (the token must have Developer access or more to push
a branch), ``GET /projects/{id}/merge_requests?state=opened&source_branch=..&
target_branch=..`` (paginated by ``Link``), ``POST /projects/{id}/merge_requests``
(a 409 "Another open merge request already exists" race falls back to update) and
``PUT /projects/{id}/merge_requests/{iid}``. ``{id}`` is the URL-encoded project
path (``group/subgroup/name``), ``api_url`` is ``https://HOST/api/v4``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

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
DEVELOPER = 30  # GitLab access level that may push non-protected branches
_PROJECT = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")


class GitLabProvider:
    def __init__(
        self,
        repository: str,
        token: str,
        api_url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not _PROJECT.match(repository):
            raise ProviderError(f"repository must be group/name, got {repository!r}")
        if "api.github.com" in api_url:
            raise ProviderError("git.api_url points at GitHub; for GitLab use https://HOST/api/v4")
        self.project = repository
        self._rest = RestClient(
            "GitLab",
            api_url,
            token,
            {"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"GitLabProvider({self.project} at {self._rest.base})"

    def close(self) -> None:
        self._rest.close()

    @property
    def project_path(self) -> str:
        return f"projects/{quote(self.project, safe='')}"

    def _mr(self, data: Any, what: str) -> PullRequest:
        try:
            return PullRequest(
                number=int(data["iid"]),
                url=str(data["web_url"]),
                head=str(data["source_branch"]),
                base=str(data["target_branch"]),
            )
        except (KeyError, TypeError, ValueError):
            raise ServerError(f"GitLab {what}: unexpected merge request shape") from None

    def check_access(self) -> None:
        what = "project lookup"
        data = self._rest.json(self._rest.request("GET", self.project_path, what), what)
        if not isinstance(data, dict):
            raise ServerError(f"GitLab {what}: unexpected project shape")
        if data.get("archived"):
            raise PermissionDeniedError(f"GitLab: {self.project} is archived", 403)
        perms = data.get("permissions")
        if isinstance(perms, dict):
            levels = [
                (perms.get(k) or {}).get("access_level") or 0
                for k in ("project_access", "group_access")
            ]
            if max(levels) < DEVELOPER:
                raise PermissionDeniedError(
                    f"GitLab: the token can read {self.project} but needs Developer access "
                    "to push a branch",
                    403,
                )

    def find_open(self, head: str, base: str | None = None) -> PullRequest | None:
        what = "merge request search"
        params = {
            "state": "opened",
            "source_branch": head,
            "per_page": "100",
            **({"target_branch": base} if base else {}),
        }
        for item in self._rest.list_items(
            f"{self.project_path}/merge_requests", what, params, MAX_PAGES
        ):
            mr = self._mr(item, what)
            if mr.head == head and (base is None or mr.base == base):
                return mr
        return None

    def create(
        self, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequest:
        what = "merge request creation"
        payload = {
            "source_branch": head,
            "target_branch": base,
            "title": title,
            "description": body,
            "labels": ",".join(labels),
        }
        resp = self._rest.request("POST", f"{self.project_path}/merge_requests", what, json=payload)
        return self._mr(self._rest.json(resp, what), what)

    def update(self, iid: int, title: str, body: str, labels: Sequence[str] = ()) -> PullRequest:
        what = "merge request update"
        payload = {"title": title, "description": body, "add_labels": ",".join(labels)}
        resp = self._rest.request(
            "PUT", f"{self.project_path}/merge_requests/{iid}", what, json=payload
        )
        return self._mr(self._rest.json(resp, what), what)

    def ensure_pull_request(
        self, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequestOutcome:
        existing = self.find_open(head, base)
        if existing is not None:
            return PullRequestOutcome(self.update(existing.number, title, body, labels), False)
        try:
            return PullRequestOutcome(self.create(head, base, title, body, labels), True)
        except RequestRejectedError as exc:
            if "already exists" not in str(exc):
                raise
            again = self.find_open(head, base)
            if again is None:
                raise
            return PullRequestOutcome(self.update(again.number, title, body, labels), False)
