"""Cross-references inside each overlay, cost labels everywhere, and the workload rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from .checks.cost_labels import COST_LABELS, check_cost_labels
from .checks.findings import report
from .checks.hardening import check_hardening
from .checks.references import check_references
from .checks.scaling import check_replicas_left_to_scaler
from .conftest import ALL_DIRS, FINOPS_OVERLAYS, TACOS_OVERLAYS, short


@pytest.mark.parametrize("directory", ALL_DIRS, ids=short)
def test_every_reference_resolves(rendered, directory: Path) -> None:
    findings = check_references(rendered(directory))
    assert findings == [], report(findings)


@pytest.mark.parametrize("directory", ALL_DIRS, ids=short)
def test_every_object_and_pod_template_carries_the_cost_labels(rendered, directory: Path) -> None:
    findings = check_cost_labels(rendered(directory))
    assert findings == [], report(findings)


@pytest.mark.parametrize("directory", TACOS_OVERLAYS + FINOPS_OVERLAYS, ids=short)
def test_workload_rules(rendered, directory: Path) -> None:
    objects = rendered(directory)
    findings = check_hardening(objects) + check_replicas_left_to_scaler(objects)
    assert findings == [], report(findings)


def test_cost_labels_match_the_finops_cost_tags() -> None:
    """The labels we check are the ones the finops config maps to AWS tags."""
    import yaml

    from .conftest import MANIFESTS

    config = yaml.safe_load((MANIFESTS / "finops" / "base" / "config.yaml").read_text())
    assert sorted(t["label"] for t in config["cost_tags"].values()) == sorted(COST_LABELS)


def test_every_scaled_selector_kind_is_checked(rendered) -> None:
    """Each HPA, ScaledObject, PDB, Service and NetworkPolicy of prod points at a workload."""
    objects = rendered(TACOS_OVERLAYS[2])
    for o in objects:
        if o["kind"] == "PodDisruptionBudget":
            o["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] += "-typo"
        if o["kind"] == "ScaledObject":
            o["spec"]["scaleTargetRef"]["name"] = "worker"
        if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "gateway-api":
            o["spec"]["metrics"][0]["containerResource"]["container"] = "linkerd-proxy"
    messages = [str(f) for f in check_references(objects)]
    assert sum("PodDisruptionBudget" in m and "matches no workload" in m for m in messages) == 5
    assert any("scales Deployment/worker, which does not exist" in m for m in messages)
    assert (
        "[references] HorizontalPodAutoscaler/tacos/gateway-api: "
        "scales on container linkerd-proxy, which Rollout/gateway-api lacks" in messages
    )


def test_pinned_replicas_under_an_autoscaler_is_flagged(rendered) -> None:
    objects = rendered(TACOS_OVERLAYS[2])
    worker = next(o for o in objects if o["kind"] == "Deployment")
    worker["spec"]["replicas"] = 3
    [finding] = check_replicas_left_to_scaler(objects)
    assert "ScaledObject/tacos/reservation-worker owns the replica count" in finding.message
