"""Fixtures: a bare git remote seeded with realistic manifests, a local GitHub, DB rows."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.context import AppContext
from app.db.session import make_session_factory
from app.recommendations.models import RecommendationRow, RecommendationRun
from app.settings import load_settings
from tests.integration.gitops.github_server import FakeGitHub
from tests.support.components import require_binary
from tests.support.databases import empty_tables

SEED = Path(__file__).parent / "seed"
TOKEN = "ghp_gitopsTestToken0123456789"
TOKEN_ENV = "FINOPS_TEST_GITOPS_TOKEN"
MI = 2**20
WINDOW = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def git(*args: str, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Platform Team",
        GIT_AUTHOR_EMAIL="platform@example.com",
        GIT_COMMITTER_NAME="Platform Team",
        GIT_COMMITTER_EMAIL="platform@example.com",
    )
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository (the 'GitHub' remote) whose main holds the seed manifests."""
    require_binary("git", "apt-get install -y git")
    work = tmp_path / "seed-work"
    shutil.copytree(SEED, work)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "seed manifests", cwd=work)
    bare = tmp_path / "platform-manifests.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    return bare


@pytest.fixture
def github(remote: Path) -> Iterator[FakeGitHub]:
    server = FakeGitHub("tacos", "platform-manifests", TOKEN, bare_repo=remote).start()
    yield server
    server.stop()


@dataclass
class Env:
    ctx: AppContext
    remote: Path
    github: FakeGitHub
    sessions: sessionmaker[Session]

    def branch_diff(self) -> str:
        return git("--git-dir", str(self.remote), "diff", "main", "finops/rightsizing")

    def branch_sha(self) -> str | None:
        try:
            return git(
                "--git-dir", str(self.remote), "rev-parse", "refs/heads/finops/rightsizing"
            ).strip()
        except subprocess.CalledProcessError:
            return None


def make_ctx(engine: Engine, sessions: sessionmaker[Session], **git_overrides: Any) -> AppContext:
    git_cfg = {
        "repo_url": "",
        "repository": "tacos/platform-manifests",
        "token": {"env": TOKEN_ENV},
        "manifests_path": "manifests/tacos",
        **git_overrides,
    }
    settings = load_settings(
        database_url=engine.url.render_as_string(hide_password=False), git=git_cfg
    )
    return AppContext(settings=settings, engine=engine, sessions=sessions)


def _env(engine: Engine, remote: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    sessions = make_session_factory(engine)
    ctx = make_ctx(engine, sessions, repo_url=f"file://{remote}", api_url=github.url)
    return Env(ctx, remote, github, sessions)


@pytest.fixture
def env(engine: Engine, remote: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Env:
    """On SQLite and on PostgreSQL: for the tests that exercise what is read from the DB."""
    return _env(engine, remote, github, monkeypatch)


@pytest.fixture
def lite_env(
    sqlite_engine: Engine, remote: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Env]:
    """SQLite only: for the git and forge behaviour, which does not depend on the database."""
    empty_tables(sqlite_engine)
    yield _env(sqlite_engine, remote, github, monkeypatch)
    empty_tables(sqlite_engine)


def row(
    workload: str,
    container: str,
    kind: str = "Deployment",
    *,
    current: tuple[Any, Any, Any, Any],
    recommended: tuple[Any, Any, Any, Any] | None,
    saving: str = "10",
    hpa: list[dict[str, Any]] | None = None,
    namespace: str = "tacos",
    cluster: str = "prod",
) -> dict[str, Any]:
    def dec(v: Any) -> Decimal | None:
        return None if v is None else Decimal(str(v))

    names = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")
    out: dict[str, Any] = {
        "cluster": cluster,
        "namespace": namespace,
        "workload_kind": kind,
        "workload": workload,
        "container": container,
        "status": "recommended" if recommended else "no_recommendation",
        "reason": None if recommended else "insufficient-data",
        "evidence": [
            {"name": "cpu_p95", "value": 0.212, "unit": "cores", "note": ""},
            {
                "name": "memory_daily_peak_max",
                "value": 301 * MI,
                "unit": "bytes",
                "note": "last 8 days",
            },
            {"name": "history_days", "value": 14.0, "unit": "days", "note": ""},
            {"name": "data_points", "value": 4032.0, "unit": "count", "note": ""},
        ],
        "notes": [],
        "hpa": hpa or [],
        "monthly_saving": Decimal(saving) if recommended else None,
        "confidence": 0.8 if recommended else None,
    }
    for n, v in zip(names, current, strict=True):
        out[f"current_{n}"] = dec(v)
    for n, v in zip(names, recommended or (None,) * 4, strict=True):
        out[n] = dec(v)
    return out


def insert_run(
    sessions: sessionmaker[Session], rows: list[dict[str, Any]], status: str = "success"
) -> int:
    with sessions() as s, s.begin():
        run = RecommendationRun(
            strategy="tacos",
            started_at=datetime.now(UTC),
            finished_at=datetime.now(UTC),
            window_start=WINDOW[0],
            window_end=WINDOW[1],
            containers=len(rows),
            recommended=sum(r["status"] == "recommended" for r in rows),
            status=status,
        )
        s.add(run)
        s.flush()
        for r in rows:
            s.add(RecommendationRow(run_id=run.id, **r))
        return run.id


# The week's recommendations for the seed manifests.
INVENTORY = row(
    "inventory-api",
    "inventory-api",
    current=(0.5, 1, 512 * MI, 1024 * MI),
    recommended=(0.25, 1, 384 * MI, 1024 * MI),
    saving="41.20",
)
GATEWAY = row(
    "gateway-api",
    "gateway-api",
    "Rollout",
    current=(0.5, 1, 256 * MI, 512 * MI),
    recommended=(0.7, 1, 256 * MI, 512 * MI),
    saving="-18.40",
    hpa=[
        {
            "resource": "cpu",
            "current_target_percent": 70.0,
            "new_target_percent": 50.0,
            "scale_out_point": 0.35,
            "kept": True,
            "note": "",
        }
    ],
)
WORKER = row(
    "reservation-worker",
    "worker",
    current=(0.25, None, 256 * MI, 256 * MI),
    recommended=(0.25, None, 256 * MI, 320 * MI),
    saving="-2.10",
)
MISSING = row(
    "payment-sim-api",
    "payment-sim-api",
    current=(0.5, 1, 256 * MI, 512 * MI),
    recommended=(0.3, 1, 256 * MI, 512 * MI),
    saving="9.00",
)
NO_REC = row(
    "coredns",
    "coredns",
    current=(0.1, None, 70 * MI, 170 * MI),
    recommended=None,
    namespace="kube-system",
)
WEEK = [INVENTORY, GATEWAY, WORKER, MISSING, NO_REC]
