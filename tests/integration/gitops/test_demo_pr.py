"""The real engine's output (demo data) through the PR job, drift guard included."""

from __future__ import annotations

from pathlib import Path

from app.gitops.job import open_rightsizing_pr
from app.ingest import run_collector
from app.recommendations.service import run_recommendations
from collectors.demo import DemoCollector
from tests.integration.gitops.conftest import Env, git

INVENTORY = "manifests/tacos/base/inventory-api.yaml"


def edit_inventory(
    remote: Path, work: Path, message: str, edits: tuple[tuple[str, str], ...]
) -> None:
    """A platform engineer edits the inventory-api manifest on main."""
    git("clone", "-q", str(remote), str(work))
    path = work / INVENTORY
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    git("commit", "-q", "-am", message, cwd=work)
    git("push", "-q", "origin", "main", cwd=work)


def declare_as_rollout(remote: Path, tmp: Path) -> None:
    """The demo cluster runs the API services as Argo Rollouts, as manifests/ declares them."""
    edits = (
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inventory-api",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: inventory-api",
        ),
    )
    edit_inventory(remote, tmp / "rollout", "inventory-api: an Argo Rollout", edits)


def sync_repo_to_cluster(remote: Path, tmp: Path) -> None:
    """A platform engineer updates main to what the demo cluster runs (2 cores, 4 GiB)."""
    edits = (
        ("cpu: 500m ", "cpu: '2' "),
        ('memory: "512Mi"', 'memory: "4Gi"'),
        ("cpu: '1'", "cpu: '2'"),
        ("memory: 1Gi", "memory: 4Gi"),
    )
    edit_inventory(remote, tmp / "engineer", "inventory-api: match the cluster", edits)


def test_demo_recommendations_become_a_pull_request(lite_env: Env, tmp_path: Path) -> None:
    collector = DemoCollector(days=9)
    window = collector.full_window()
    for part in window.split(window.duration / 3):
        assert run_collector(lite_env.sessions, collector, part).ok
    run_id = run_recommendations(lite_env.sessions)
    declare_as_rollout(lite_env.remote, tmp_path)

    # The seed repository says 500m where the demo cluster runs 2 cores: not written.
    first = open_rightsizing_pr(lite_env.ctx)
    assert first.status == "no-changes"
    assert first.patch is not None
    reasons = {s.change.ref.name: s.reason for s in first.patch.skipped}
    assert reasons["inventory-api"].startswith(
        "manifest differs from the cluster (cpu request 500m in the file, 2 in the cluster"
    )
    assert reasons["payment-sim-api"] == "not found in manifests"
    assert lite_env.branch_sha() is None

    sync_repo_to_cluster(lite_env.remote, tmp_path)
    result = open_rightsizing_pr(lite_env.ctx)
    assert result.status == "opened", result.message
    assert result.run_id == run_id
    body = lite_env.github.pulls[0]["body"]
    row = next(line for line in body.splitlines() if line.startswith("| tacos/inventory-api |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["tacos/inventory-api", "inventory-api", "CPU request", "2"]
    assert cells[4].endswith("m") and 1000 <= int(cells[4][:-1]) < 2000  # a decrease, gradual
    # Evidence from the engine, with units a person reads.
    assert "history\\_days = " in body and "data\\_points = " in body
