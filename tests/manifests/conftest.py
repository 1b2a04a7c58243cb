"""Fixtures for the manifest tests: the real kubectl, each overlay rendered once per session."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.components import require

from .checks.render import find_kubectl, render

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = REPO / "manifests"
BROKEN = Path(__file__).resolve().parent / "broken"
ENVIRONMENTS = ("dev", "staging", "prod")
TACOS_OVERLAYS = [MANIFESTS / "tacos" / "overlays" / e for e in ENVIRONMENTS]
FINOPS_OVERLAYS = [MANIFESTS / "finops" / "overlays" / e for e in ENVIRONMENTS]
OTHER_DIRS = [MANIFESTS / "argocd", MANIFESTS / "platform"]
ALL_DIRS = TACOS_OVERLAYS + FINOPS_OVERLAYS + OTHER_DIRS


def short(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


@cache
def _render_cached(directory: Path, kubectl: str) -> tuple[dict[str, Any], ...]:
    return tuple(render(directory, kubectl))


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = find_kubectl()
    require(
        path is not None,
        "kubectl not found (PATH, $KUBECTL or .tools/kubectl; `make -f mk/manifests.mk kubectl`)",
    )
    assert path is not None
    return path


@pytest.fixture(scope="session")
def rendered(kubectl: str):  # type: ignore[no-untyped-def]
    """rendered(path) -> fresh list of that directory's objects (a copy: tests may mutate it)."""
    import copy

    def get(directory: Path) -> list[dict[str, Any]]:
        return copy.deepcopy(list(_render_cached(directory, kubectl)))

    return get
