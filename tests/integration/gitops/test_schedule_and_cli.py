"""The weekly job wiring and ``finops rightsizing pr`` as users run it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from typer.testing import CliRunner

from app.cli.main import cli
from app.gitops.schedule import rightsizing_pr_job
from app.scheduling.jobs import job_specs
from tests.integration.gitops.conftest import TOKEN, TOKEN_ENV, WEEK, Env, insert_run, make_ctx


def test_the_pr_job_is_scheduled_with_rightsizing_only_when_configured(lite_env: Env) -> None:
    specs = {s.name: s.crontab for s in job_specs(lite_env.ctx, [])}
    assert specs["rightsizing-pr"] == specs["rightsizing"] == "0 6 * * 1"
    bare = make_ctx(lite_env.ctx.engine, lite_env.sessions)
    names = [s.name for s in job_specs(bare, [])]
    assert "rightsizing" in names and "rightsizing-pr" not in names


def test_job_waits_for_this_weeks_run_then_opens_the_pr(lite_env: Env) -> None:
    fired = datetime.now(UTC) - timedelta(minutes=1)
    naps: list[float] = []

    def sleep(s: float) -> None:  # the run finishes while the job waits
        naps.append(s)
        insert_run(lite_env.sessions, WEEK)

    result = rightsizing_pr_job(lite_env.ctx, fired, wait_s=60, poll_s=5, sleep=sleep)
    assert naps == [5]
    assert result is not None and result.status == "opened"
    assert len(lite_env.github.pulls) == 1


def test_a_failed_run_leaves_the_pr_alone(lite_env: Env) -> None:
    fired = datetime.now(UTC) - timedelta(minutes=1)
    insert_run(lite_env.sessions, WEEK, status="failed")
    assert rightsizing_pr_job(lite_env.ctx, fired, wait_s=1, poll_s=1, sleep=lambda s: None) is None
    assert lite_env.branch_sha() is None and lite_env.github.requests == []


def test_no_run_within_the_wait_is_skipped(lite_env: Env) -> None:
    insert_run(lite_env.sessions, WEEK)  # last week's run: older than the firing time
    fired = datetime.now(UTC) + timedelta(minutes=1)
    naps: list[float] = []
    result = rightsizing_pr_job(lite_env.ctx, fired, wait_s=0.2, poll_s=0.05, sleep=naps.append)
    assert result is None
    assert naps and len(naps) < 10_000  # bounded
    assert lite_env.branch_sha() is None


def test_not_configured_does_nothing(lite_env: Env) -> None:
    ctx = make_ctx(lite_env.ctx.engine, lite_env.sessions)
    assert rightsizing_pr_job(ctx, datetime.now(UTC), wait_s=0, sleep=lambda s: None) is None


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def finops(config: Path, *args: str, token: str) -> Ran:
    """``finops rightsizing pr`` in-process (a subprocess costs seconds of imports)."""
    runner = CliRunner()
    result = runner.invoke(
        cli, ["rightsizing", "pr", "--config", str(config), *args], env={TOKEN_ENV: token}
    )
    return Ran(result.exit_code, result.stdout, result.stderr)


def write_config(lite_env: Env, tmp_path: Path) -> Path:
    cfg = {
        "database_url": lite_env.ctx.settings.database_url,
        "git": {
            "repo_url": f"file://{lite_env.remote}",
            "repository": "tacos/platform-manifests",
            "api_url": lite_env.github.url,
            "token": {"env": TOKEN_ENV},
            "manifests_path": "manifests/tacos",
        },
    }
    path = tmp_path / "finops.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_cli_dry_run_prints_the_diff_and_pushes_nothing(lite_env: Env, tmp_path: Path) -> None:
    insert_run(lite_env.sessions, WEEK)
    proc = finops(write_config(lite_env, tmp_path), "--dry-run", token=TOKEN)
    assert proc.returncode == 0, proc.stderr
    assert "-              cpu: 500m      # p95 was 420m before the cache (March)" in proc.stdout
    assert "+              cpu: 250m      # p95 was 420m before the cache (March)" in proc.stdout
    assert (
        "not applied: tacos/Deployment/payment-sim-api container payment-sim-api: not found in manifests"
        in proc.stderr
    )
    assert "dry run: 3 containers changed in 4 files; nothing committed" in proc.stderr
    assert lite_env.branch_sha() is None and lite_env.github.requests == []


def test_cli_bad_token_exits_2_with_a_clear_message(lite_env: Env, tmp_path: Path) -> None:
    insert_run(lite_env.sessions, WEEK)
    proc = finops(write_config(lite_env, tmp_path), token="ghp_wrong_token")
    assert proc.returncode == 2
    assert "error: GitHub repository lookup" in proc.stderr
    assert "Bad credentials" in proc.stderr
    assert "ghp_wrong_token" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert lite_env.branch_sha() is None


def test_cli_opens_the_pr(lite_env: Env, tmp_path: Path) -> None:
    insert_run(lite_env.sessions, WEEK)
    proc = finops(write_config(lite_env, tmp_path), token=TOKEN)
    assert proc.returncode == 0, proc.stderr
    assert (
        "pull request #1 opened: https://github.example/tacos/platform-manifests/pull/1"
        in proc.stderr
    )
    assert proc.stdout == ""  # the diff is printed only for --dry-run
