"""Verification before push: scope of the change and ``kubectl kustomize`` of each overlay."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.gitops.errors import VerificationError
from app.gitops.verify import find_kubectl, kustomize_dirs, render_all, verify
from tests.integration.gitops.conftest import SEED
from tests.support.components import require_binary

BASE = "manifests/tacos/base"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SEED, root)
    return root


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str) -> dict[str, str]:
    text = read(root, rel)
    assert old in text
    (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    return {rel: read(root, rel)}


def test_finds_every_kustomization(tree: Path) -> None:
    dirs = [str(d.relative_to(tree)) for d in kustomize_dirs(tree)]
    assert dirs == [BASE, "manifests/tacos/overlays/prod"]


def test_a_resources_change_passes_and_is_rendered(tree: Path) -> None:
    kubectl = require_binary("kubectl", "kubectl 1.32 renders kustomize overlays offline")
    rel = f"{BASE}/inventory-api.yaml"
    before_files = {rel: read(tree, rel)}
    before = render_all(tree, kubectl)
    after_files = edit(tree, rel, "cpu: 500m ", "cpu: 250m ")
    after = render_all(tree, kubectl)
    assert "cpu: 250m" in after.outputs["manifests/tacos/overlays/prod"]
    result = verify(before_files, after_files, before, after)
    assert (result.files_checked, result.overlays_rendered) == (1, 2)
    assert result.warnings == ()


def test_a_change_outside_resources_is_refused(tree: Path) -> None:
    kubectl = find_kubectl()
    rel = f"{BASE}/inventory-api.yaml"
    before_files = {rel: read(tree, rel)}
    before = render_all(tree, kubectl)
    after_files = edit(tree, rel, "replicas: 3", "replicas: 1")
    after = render_all(tree, kubectl)
    with pytest.raises(VerificationError, match="nothing was pushed") as exc:
        verify(before_files, after_files, before, after)
    assert "Deployment inventory-api) changed outside resources" in str(exc.value)


def test_a_patch_that_breaks_an_overlay_is_refused(tree: Path) -> None:
    kubectl = require_binary("kubectl", "kubectl 1.32 renders kustomize overlays offline")
    rel = f"{BASE}/hpa.yaml"
    before_files = {rel: read(tree, rel)}
    before = render_all(tree, kubectl)
    # The overlay's patch target disappears: kustomize must catch it.
    after_files = edit(tree, rel, "name: gateway-api\nspec:", "name: gateway-apj\nspec:")
    after = render_all(tree, kubectl)
    with pytest.raises(VerificationError) as exc:
        verify(before_files, after_files, before, after)
    assert "kustomize manifests/tacos/overlays/prod no longer renders" in str(exc.value)


def test_an_overlay_broken_on_the_base_branch_is_a_warning(tree: Path) -> None:
    kubectl = require_binary("kubectl", "kubectl 1.32 renders kustomize overlays offline")
    (tree / "manifests/tacos/overlays/prod/kustomization.yaml").write_text(
        "resources: [../../missing]\n", encoding="utf-8"
    )
    rel = f"{BASE}/inventory-api.yaml"
    before_files = {rel: read(tree, rel)}
    before = render_all(tree, kubectl)
    after_files = edit(tree, rel, "cpu: 500m ", "cpu: 250m ")
    result = verify(before_files, after_files, before, render_all(tree, kubectl))
    assert len(result.warnings) == 1
    assert "does not render on the base branch either" in result.warnings[0]


def test_without_kubectl_only_files_are_checked(tree: Path) -> None:
    rel = f"{BASE}/inventory-api.yaml"
    before_files = {rel: read(tree, rel)}
    after_files = edit(tree, rel, "cpu: 500m ", "cpu: 250m ")
    empty = render_all(tree, None)
    assert empty.outputs == {} and empty.failed == {}
    assert verify(before_files, after_files, empty, empty).overlays_rendered == 0
