"""``GitHubProvider`` against a local server speaking GitHub's REST wire format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rightsizing.gitops.errors import (
    AuthenticationError,
    PermissionDeniedError,
    ProviderError,
    RepositoryNotFoundError,
    RequestRejectedError,
    ServerError,
)
from rightsizing.gitops.github import GitHubProvider
from tests.integration.gitops.github_server import FakeGitHub

TOKEN = "ghp_test0123456789abcdefTOKEN"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    server = FakeGitHub("tacos", "platform-manifests", TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def provider(gh: FakeGitHub) -> Iterator[GitHubProvider]:
    p = GitHubProvider("tacos/platform-manifests", TOKEN, gh.url)
    yield p
    p.close()


def test_creates_then_updates_the_same_pull_request(
    gh: FakeGitHub, provider: GitHubProvider
) -> None:
    first = provider.ensure_pull_request("finops/rightsizing", "main", "T1", "B1", ["rightsizing"])
    second = provider.ensure_pull_request("finops/rightsizing", "main", "T2", "B2", ["rightsizing"])
    assert first.created and not second.created
    assert first.pull_request.number == second.pull_request.number == 1
    assert len(gh.pulls) == 1
    assert (gh.pulls[0]["title"], gh.pulls[0]["body"]) == ("T2", "B2")
    assert [lbl["name"] for lbl in gh.pulls[0]["labels"]] == ["rightsizing"]
    calls = [(r.method, r.path) for r in gh.requests]
    assert calls == [
        ("GET", "/repos/tacos/platform-manifests/pulls"),
        ("POST", "/repos/tacos/platform-manifests/pulls"),
        ("POST", "/repos/tacos/platform-manifests/issues/1/labels"),
        ("GET", "/repos/tacos/platform-manifests/pulls"),
        ("PATCH", "/repos/tacos/platform-manifests/pulls/1"),
        ("POST", "/repos/tacos/platform-manifests/issues/1/labels"),
    ]
    assert "head=tacos%3Afinops%2Frightsizing" in gh.requests[0].query
    assert gh.requests[1].body == {
        "head": "finops/rightsizing",
        "base": "main",
        "title": "T1",
        "body": "B1",
    }


def test_token_only_in_the_authorization_header(gh: FakeGitHub, provider: GitHubProvider) -> None:
    provider.ensure_pull_request("finops/rightsizing", "main", "T", "B")
    for r in gh.requests:
        assert r.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in r.path + r.query + str(r.body)
        assert r.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert TOKEN not in repr(provider)


def test_closed_and_other_pull_requests_are_ignored(
    gh: FakeGitHub, provider: GitHubProvider
) -> None:
    for i in range(30):
        gh.add_pull(f"feature-{i}")
    gh.add_pull("finops/rightsizing", state="closed")
    gh.add_pull("finops/rightsizing", owner="a-fork")  # same branch name in a fork
    assert provider.find_open("finops/rightsizing") is None
    target = gh.add_pull("finops/rightsizing")
    found = provider.find_open("finops/rightsizing")
    assert found is not None and found.number == target["number"] == 33


def test_pagination_follows_link_headers(gh: FakeGitHub, provider: GitHubProvider) -> None:
    # Same head label on many open PRs against other bases: only base "main" matches,
    # and it is on the third page of 100.
    for i in range(250):
        gh.add_pull("finops/rightsizing", base=f"release-{i}")
    target = gh.add_pull("finops/rightsizing", base="main")
    found = provider.find_open("finops/rightsizing", "main")
    assert found is not None and found.number == target["number"] == 251
    pages = [r for r in gh.requests if r.path.endswith("/pulls")]
    assert len(pages) == 3
    assert "page=3" in pages[2].query


def test_a_link_to_another_host_is_not_followed(gh: FakeGitHub, provider: GitHubProvider) -> None:
    for i in range(120):
        gh.add_pull("finops/rightsizing", base=f"b{i}")
    gh.link_base = "http://attacker.example"  # our token must never go there
    assert provider.find_open("finops/rightsizing", "main") is None
    assert len([r for r in gh.requests if r.path.endswith("/pulls")]) == 1


def test_duplicate_race_422_falls_back_to_update(gh: FakeGitHub, provider: GitHubProvider) -> None:
    # Another replica opens the PR between our search and our create.
    real_find = provider.find_open
    calls = {"n": 0}

    def racing_find(head: str, base: str | None = None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            result = real_find(head, base)
            gh.add_pull(head, base or "main")
            return result
        return real_find(head, base)

    provider.find_open = racing_find  # type: ignore[method-assign]
    outcome = provider.ensure_pull_request("finops/rightsizing", "main", "T", "B")
    assert not outcome.created and outcome.pull_request.number == 1
    assert len(gh.pulls) == 1 and gh.pulls[0]["title"] == "T"


@pytest.mark.parametrize(
    ("status", "payload", "error", "hint"),
    [
        (401, {"message": "Bad credentials"}, AuthenticationError, "check the token"),
        (
            403,
            {"message": "Resource not accessible by integration"},
            PermissionDeniedError,
            "write access",
        ),
        (404, {"message": "Not Found"}, RepositoryNotFoundError, "git.repository"),
        (
            422,
            {"message": "Validation Failed", "errors": [{"code": "invalid", "field": "base"}]},
            RequestRejectedError,
            "invalid",
        ),
        (500, {"message": "Server Error"}, ServerError, "HTTP 500"),
        (502, "<html>bad gateway</html>", ServerError, "HTTP 502"),
        (418, {"message": "teapot"}, ProviderError, "HTTP 418"),
    ],
)
def test_errors_are_clear_and_never_show_the_token(
    gh: FakeGitHub,
    provider: GitHubProvider,
    status: int,
    payload: object,
    error: type[ProviderError],
    hint: str,
) -> None:
    gh.fail_next.append((status, payload))  # type: ignore[arg-type]
    with pytest.raises(error) as exc:
        provider.create("finops/rightsizing", "main", "T", "B")
    assert exc.value.status == status
    assert hint in str(exc.value)
    assert "POST /repos/tacos/platform-manifests/pulls" in str(exc.value)
    assert TOKEN not in str(exc.value)
    assert gh.pulls == []


def test_wrong_token_and_read_only_token(gh: FakeGitHub) -> None:
    bad = GitHubProvider("tacos/platform-manifests", "ghp_wrong", gh.url)
    with pytest.raises(AuthenticationError, match="Bad credentials"):
        bad.check_access()
    bad.close()
    gh.push = False
    ro = GitHubProvider("tacos/platform-manifests", TOKEN, gh.url)
    with pytest.raises(PermissionDeniedError, match="not push"):
        ro.check_access()
    ro.close()


def test_unknown_repository(gh: FakeGitHub) -> None:
    p = GitHubProvider("tacos/nope", TOKEN, gh.url)
    with pytest.raises(RepositoryNotFoundError, match="404"):
        p.check_access()
    p.close()


def test_unreachable_server_is_a_server_error() -> None:
    from tests.support.components import free_port

    p = GitHubProvider("tacos/x", TOKEN, f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ServerError, match="no answer"):
        p.check_access()
    p.close()


@pytest.mark.parametrize(
    ("repo", "token", "url", "error"),
    [
        ("no-slash", TOKEN, "http://127.0.0.1:1", ProviderError),
        ("a/b/c", TOKEN, "http://127.0.0.1:1", ProviderError),
        ("a/b", "", "http://127.0.0.1:1", AuthenticationError),
        ("a/b", "tok en", "http://127.0.0.1:1", AuthenticationError),
        ("a/b", TOKEN, "ftp://x", ProviderError),
        ("a/b", TOKEN, "https://user:pw@api.github.com", ProviderError),
    ],
)
def test_bad_configuration_is_refused(
    repo: str, token: str, url: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        GitHubProvider(repo, token, url)
