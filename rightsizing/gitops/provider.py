"""What the job needs from a Git forge, whichever it is (GitHub, GitLab)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    head: str
    base: str


@dataclass(frozen=True)
class PullRequestOutcome:
    pull_request: PullRequest
    created: bool  # False: an open one for the branch existed and was updated


class PullRequestProvider(Protocol):
    def check_access(self) -> None:
        """Raise ``ProviderError`` unless the token can read the repository and push to it."""

    def ensure_pull_request(
        self, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequestOutcome:
        """Open a pull request from ``head`` into ``base``, or update the open one."""

    def close(self) -> None: ...
