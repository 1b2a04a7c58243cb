"""The weekly PR job end to end: real git remote, local GitHub, both databases."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from app.errors import ConfigError
from app.gitops.errors import GitCommandError
from app.gitops.job import BRANCH, open_rightsizing_pr
from rightsizing.gitops.errors import AuthenticationError, ProviderError
from tests.integration.gitops.conftest import (
    GATEWAY,
    INVENTORY,
    MI,
    TOKEN_ENV,
    WEEK,
    Env,
    git,
    insert_run,
    make_ctx,
    row,
)


def changed(diff: str) -> list[str]:
    """The -/+ lines of a unified diff, with the file each belongs to."""
    out, current = [], ""
    for line in diff.splitlines():
        if line.startswith("+++ b/"):
            current = line.removeprefix("+++ b/")
        elif line.startswith(("-", "+")) and not line.startswith(("---", "+++")):
            out.append(f"{current}: {line}")
    return out


EXPECTED_FIRST_WEEK = [
    "manifests/tacos/base/gateway-api.yaml: -              cpu: 500m",
    "manifests/tacos/base/gateway-api.yaml: +              cpu: 700m",
    "manifests/tacos/base/hpa.yaml: -          averageUtilization: 70   # keep headroom for bursts",
    "manifests/tacos/base/hpa.yaml: +          averageUtilization: 50   # keep headroom for bursts",
    "manifests/tacos/base/inventory-api.yaml: -              cpu: 500m      # p95 was 420m before the cache (March)",
    'manifests/tacos/base/inventory-api.yaml: -              memory: "512Mi"',
    "manifests/tacos/base/inventory-api.yaml: +              cpu: 250m      # p95 was 420m before the cache (March)",
    'manifests/tacos/base/inventory-api.yaml: +              memory: "384Mi"',
    "manifests/tacos/base/reservation-worker.yaml: -                        memory: 256Mi   # OOM-killed twice in November",
    "manifests/tacos/base/reservation-worker.yaml: +                        memory: 320Mi   # OOM-killed twice in November",
]


def test_first_run_opens_one_pr_touching_exactly_the_expected_lines(env: Env) -> None:
    run_id = insert_run(env.sessions, WEEK)
    result = open_rightsizing_pr(env.ctx)
    assert result.status == "opened", result.message
    assert changed(env.branch_diff()) == EXPECTED_FIRST_WEEK
    # One commit on top of main, by tacos-finops.
    log = git("--git-dir", str(env.remote), "log", "--format=%an <%ae>|%s", f"main..{BRANCH}")
    assert log.splitlines() == [
        f"tacos-finops <finops@localhost>|rightsizing: 3 containers from run {run_id} (tacos)"
    ]
    [pr] = env.github.pulls
    assert (pr["head"]["ref"], pr["base"]["ref"], pr["state"]) == (BRANCH, "main", "open")
    assert pr["title"] == "Rightsizing: 3 workloads, saves $20.70/month"
    body = pr["body"]
    assert "| tacos/inventory-api | inventory-api | CPU request | 500m | 250m | $41.20 |" in body
    assert "| tacos/gateway-api | gateway-api | CPU request | 500m | 700m | -$18.40 |" in body
    assert "| tacos/Deployment/payment-sim-api | payment-sim-api | not found in manifests |" in body
    assert "coredns" not in body  # not a recommendation
    assert "| 70% | 50% |" in body  # the HPA target moved with the request
    assert sorted(lbl["name"] for lbl in pr["labels"]) == ["finops", "rightsizing"]
    assert result.pr_url == pr["html_url"]
    assert "kubectl not on PATH" not in " ".join(result.warnings) or shutil.which("kubectl") is None


def test_second_week_updates_the_same_pr_and_rebuilds_the_branch(env: Env) -> None:
    insert_run(env.sessions, WEEK)
    assert open_rightsizing_pr(env.ctx).status == "opened"
    first_sha = env.branch_sha()
    newer = {**INVENTORY, "cpu_request": Decimal("0.3"), "monthly_saving": Decimal("33.00")}
    insert_run(env.sessions, [newer, GATEWAY])
    result = open_rightsizing_pr(env.ctx)
    assert result.status == "updated", result.message
    assert len(env.github.pulls) == 1
    lines = changed(env.branch_diff())
    assert (
        "manifests/tacos/base/inventory-api.yaml: +              cpu: 300m      # p95 was 420m before the cache (March)"
        in lines
    )
    assert not any("reservation-worker" in line for line in lines)  # no longer recommended
    assert env.branch_sha() != first_sha
    assert (
        git("--git-dir", str(env.remote), "rev-list", "--count", f"main..{BRANCH}").strip() == "1"
    )
    assert "$33.00" in env.github.pulls[0]["body"]


def test_rerun_with_the_same_data_pushes_nothing_and_updates_the_pr(lite_env: Env) -> None:
    insert_run(lite_env.sessions, WEEK)
    open_rightsizing_pr(lite_env.ctx)
    sha = lite_env.branch_sha()
    result = open_rightsizing_pr(lite_env.ctx)
    assert result.status == "updated"
    assert lite_env.branch_sha() == sha
    assert len(lite_env.github.pulls) == 1


def test_no_changes_open_nothing(lite_env: Env) -> None:
    same = row(
        "inventory-api",
        "inventory-api",
        current=(0.5, 1, 512 * MI, 1024 * MI),
        recommended=("0.500", "1.0", 512 * MI, 1024 * MI),
    )
    insert_run(lite_env.sessions, [same])
    result = open_rightsizing_pr(lite_env.ctx)
    assert result.status == "no-changes"
    assert "the manifests already match all 1 applicable recommendations" in result.message
    assert "no pull request" in result.message
    assert lite_env.branch_sha() is None
    assert lite_env.github.pulls == []
    assert [r.method for r in lite_env.github.requests] == ["GET"]  # only the access check


def test_no_run_and_empty_run(env: Env) -> None:
    assert open_rightsizing_pr(env.ctx).status == "no-run"
    insert_run(env.sessions, [row("x", "x", current=(1, 1, 1, 1), recommended=None)])
    assert open_rightsizing_pr(env.ctx).status == "no-recommendations"
    insert_run(env.sessions, WEEK, status="failed")  # a failed run is never used
    assert open_rightsizing_pr(env.ctx).status == "no-recommendations"
    assert env.branch_sha() is None


def test_bad_token_is_a_clear_error_and_nothing_is_pushed(
    lite_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_run(lite_env.sessions, WEEK)
    monkeypatch.setenv(TOKEN_ENV, "ghp_revoked")
    with pytest.raises(AuthenticationError, match="401: Bad credentials — check the token") as exc:
        open_rightsizing_pr(lite_env.ctx)
    assert "ghp_revoked" not in str(exc.value)
    assert lite_env.branch_sha() is None
    assert lite_env.github.pulls == []


def test_missing_token_is_a_config_error(lite_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    insert_run(lite_env.sessions, WEEK)
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(ConfigError, match=f"{TOKEN_ENV} is not set"):
        open_rightsizing_pr(lite_env.ctx)
    assert lite_env.branch_sha() is None
    # A dry run against a remote that needs no token still shows the diff.
    assert open_rightsizing_pr(lite_env.ctx, dry_run=True).status == "dry-run"


def test_hostile_names_are_escaped_in_the_pr_body(lite_env: Env) -> None:
    hostile = row(
        "evil|name`x`",
        "<script>alert(1)</script>",
        current=(0.5, 1, 512 * MI, 1024 * MI),
        recommended=(0.3, 1, 512 * MI, 1024 * MI),
        namespace="@platform-team",
    )
    insert_run(lite_env.sessions, [INVENTORY, hostile])
    open_rightsizing_pr(lite_env.ctx)
    body = lite_env.github.pulls[0]["body"]
    assert (
        "| &#64;platform-team/Deployment/evil\\|name\\`x\\` | "
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt; | not found in manifests |" in body
    )
    assert "<script>" not in body and "@platform-team" not in body


def test_same_workload_from_two_clusters_is_not_written(lite_env: Env) -> None:
    staging = {**INVENTORY, "cluster": "staging", "cpu_request": Decimal("0.1")}
    insert_run(lite_env.sessions, [INVENTORY, staging, GATEWAY])
    open_rightsizing_pr(lite_env.ctx)
    lines = changed(lite_env.branch_diff())
    assert not any("inventory-api" in line for line in lines)
    assert (
        "recommended for several clusters \\(prod, staging\\)" in lite_env.github.pulls[0]["body"]
    )


def test_dry_run_returns_the_diff_and_pushes_nothing(lite_env: Env) -> None:
    insert_run(lite_env.sessions, WEEK)
    result = open_rightsizing_pr(lite_env.ctx, dry_run=True)
    assert result.status == "dry-run"
    assert changed(result.diff) == EXPECTED_FIRST_WEEK
    assert lite_env.branch_sha() is None
    assert lite_env.github.requests == []


def test_git_provider_none_pushes_the_branch_only(lite_env: Env) -> None:
    insert_run(lite_env.sessions, WEEK)
    ctx = make_ctx(
        lite_env.ctx.engine,
        lite_env.sessions,
        repo_url=f"file://{lite_env.remote}",
        provider="none",
    )
    result = open_rightsizing_pr(ctx)
    assert result.status == "pushed"
    assert changed(lite_env.branch_diff()) == EXPECTED_FIRST_WEEK
    assert open_rightsizing_pr(ctx).status == "unchanged"
    assert lite_env.github.requests == []


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"manifests_path": "../outside"}, ConfigError, "must stay inside the repository"),
        ({"manifests_path": "manifests/nope"}, ConfigError, "is not a directory"),
        ({"base_branch": "does-not-exist"}, GitCommandError, "git clone failed"),
        (
            {"repo_url": "https://user:secret@example.com/x.git"},
            GitCommandError,
            "must not contain credentials",
        ),
        (
            {"provider": "gitlab", "api_url": "https://api.github.com"},
            ProviderError,
            "for GitLab use",
        ),
    ],
)
def test_configuration_mistakes_are_clear_and_push_nothing(
    lite_env: Env, overrides: dict[str, str], error: type[Exception], match: str
) -> None:
    insert_run(lite_env.sessions, WEEK)
    cfg = {"repo_url": f"file://{lite_env.remote}", "api_url": lite_env.github.url, **overrides}
    ctx = make_ctx(lite_env.ctx.engine, lite_env.sessions, **cfg)
    with pytest.raises(error, match=match) as exc:
        open_rightsizing_pr(ctx)
    assert "secret" not in str(exc.value)
    assert lite_env.branch_sha() is None


def test_repo_url_is_required(lite_env: Env) -> None:
    ctx = make_ctx(lite_env.ctx.engine, lite_env.sessions)
    with pytest.raises(ConfigError, match=r"git\.repo_url is not set"):
        open_rightsizing_pr(ctx)


def test_no_changes_message_fits_its_counts() -> None:
    from app.gitops.job import _no_changes_message

    assert _no_changes_message(7, 0, 6) == (
        "run 7: none of the 6 recommendations could be applied to the manifests: no pull request"
    )
    assert "already match all 2 applicable recommendations (1 not applicable)" in (
        _no_changes_message(7, 2, 1)
    )
