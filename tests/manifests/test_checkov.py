"""checkov on the rendered output of every overlay (Rollouts scanned as Deployments, offline).

checkov lives in its own virtualenv (.venv-checkov, made by mk/manifests.mk): it pins many
packages and must not constrain the project's. Zero failures; a skip would have to be an
inline ``checkov.io/skipN`` annotation with its reason, and there is none.
"""

from __future__ import annotations

import pytest

from tests.support.components import require

from .checks.checkov_scan import find_checkov, run_checkov, scannable
from .checks.findings import report
from .conftest import ALL_DIRS, BROKEN, TACOS_OVERLAYS


@pytest.fixture(scope="module")
def checkov() -> str:
    path = find_checkov()
    require(path is not None, "checkov not installed: run `make checkov` (creates .venv-checkov)")
    assert path is not None
    return path


@pytest.mark.slow
def test_every_overlay_passes_checkov(rendered, checkov: str) -> None:
    objects = [o for d in ALL_DIRS for o in rendered(d)]
    passed, failed = run_checkov(objects, checkov)
    assert failed == [], report(failed)
    # 4 Rollouts x 3 environments were scanned as Deployments, not ignored.
    assert passed > 1000


def test_rollouts_are_scanned_as_deployments(rendered) -> None:
    objects = scannable(rendered(TACOS_OVERLAYS[2]))
    assert not any(o["kind"] == "Rollout" for o in objects)
    assert sum(o["kind"] == "Deployment" for o in objects) == 5


def test_no_inline_skips(rendered) -> None:
    for d in ALL_DIRS:
        for o in rendered(d):
            assert not any(
                k.startswith("checkov.io/skip") for k in (o["metadata"].get("annotations") or {})
            )


@pytest.mark.slow
def test_broken_overlay_fails_checkov(rendered, checkov: str) -> None:
    _, failed = run_checkov(rendered(BROKEN / "tacos"), checkov)
    found = {(f.subject, f.message.split()[0]) for f in failed}
    assert ("Deployment.tacos.payment-sim-api", "CKV_K8S_43") in found, report(
        failed
    )  # image digest
    assert ("Deployment.tacos.payment-sim-api", "CKV_K8S_22") in found, report(
        failed
    )  # read-only root fs
    assert ("Deployment.tacos.gateway-api", "CKV_K8S_20") in found, report(
        failed
    )  # privilege escalation
