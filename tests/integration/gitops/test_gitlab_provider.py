"""``GitLabProvider`` against a local server in GitLab's REST v4 wire format, and the job."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.gitops.job import open_rightsizing_pr
from rightsizing.gitops.errors import AuthenticationError, PermissionDeniedError, ProviderError
from rightsizing.gitops.gitlab import GitLabProvider
from tests.integration.gitops.conftest import TOKEN, WEEK, Env, insert_run, make_ctx
from tests.integration.gitops.gitlab_server import FakeGitLab

PROJECT = "traffic-tacos/platform/manifests"  # a nested group


@pytest.fixture
def gl() -> Iterator[FakeGitLab]:
    server = FakeGitLab(PROJECT, TOKEN).start()
    yield server
    server.stop()


def test_creates_then_updates_one_merge_request(gl: FakeGitLab) -> None:
    p = GitLabProvider(PROJECT, TOKEN, gl.url)
    first = p.ensure_pull_request("finops/rightsizing", "main", "T1", "B1", ["rightsizing"])
    second = p.ensure_pull_request(
        "finops/rightsizing", "main", "T2", "B2", ["rightsizing", "finops"]
    )
    p.close()
    assert first.created and not second.created
    assert first.pull_request.number == second.pull_request.number == 1
    [mr] = gl.mrs
    assert (mr["title"], mr["description"], mr["labels"]) == ("T2", "B2", ["rightsizing", "finops"])
    paths = {path for _, path, _, _, _ in gl.requests}
    assert paths == {
        "/api/v4/projects/traffic-tacos%2Fplatform%2Fmanifests/merge_requests",
        "/api/v4/projects/traffic-tacos%2Fplatform%2Fmanifests/merge_requests/1",
    }
    assert all(TOKEN not in path + query for _, path, query, _, _ in gl.requests)


def test_pagination_and_the_409_race(gl: FakeGitLab) -> None:
    for i in range(150):
        gl.add_mr("finops/rightsizing", target=f"release-{i}")
    target = gl.add_mr("finops/rightsizing", target="main")
    gl.filter_target = False  # the client's own target check, across pages of 100
    p = GitLabProvider(PROJECT, TOKEN, gl.url)
    found_main = p.find_open("finops/rightsizing", "main")
    assert found_main is not None and found_main.number == target["iid"] == 151
    pages = [q for m, path, q, _, _ in gl.requests if path.endswith("/merge_requests")]
    assert len(pages) == 2 and "page=2" in pages[1]
    # A duplicate create gets GitLab's 409 and falls back to update.
    gl.mrs.clear()
    real_find = p.find_open
    calls = {"n": 0}

    def racing(head: str, base: str | None = None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            gl.add_mr(head, base or "main")
            return None
        return real_find(head, base)

    p.find_open = racing  # type: ignore[method-assign]
    outcome = p.ensure_pull_request("finops/rightsizing", "main", "T", "B")
    p.close()
    assert not outcome.created and len(gl.mrs) == 1 and gl.mrs[0]["title"] == "T"


def test_errors(gl: FakeGitLab) -> None:
    bad = GitLabProvider(PROJECT, "glpat-wrong", gl.url)
    with pytest.raises(AuthenticationError, match="401 Unauthorized") as exc:
        bad.check_access()
    assert "glpat-wrong" not in str(exc.value)
    bad.close()
    gl.access_level = 20  # Reporter
    ro = GitLabProvider(PROJECT, TOKEN, gl.url)
    with pytest.raises(PermissionDeniedError, match="Developer access"):
        ro.check_access()
    ro.close()
    with pytest.raises(ProviderError, match="group/name"):
        GitLabProvider("noslash", TOKEN, gl.url)


def test_the_job_opens_a_merge_request_on_gitlab(lite_env: Env, gl: FakeGitLab) -> None:
    insert_run(lite_env.sessions, WEEK)
    ctx = make_ctx(
        lite_env.ctx.engine,
        lite_env.sessions,
        repo_url=f"file://{lite_env.remote}",
        provider="gitlab",
        api_url=gl.url,
        repository=PROJECT,
    )
    first = open_rightsizing_pr(ctx)
    second = open_rightsizing_pr(ctx)
    assert (first.status, second.status) == ("opened", "updated")
    [mr] = gl.mrs
    assert mr["source_branch"] == "finops/rightsizing"
    assert "not found in manifests" in mr["description"]
    assert sorted(mr["labels"]) == ["finops", "rightsizing"]
    assert lite_env.branch_sha() is not None
