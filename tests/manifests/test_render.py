"""Every overlay renders with the real `kubectl kustomize`, with what each environment needs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .checks.errors import RenderError
from .checks.render import parse_documents, render, to_yaml
from .conftest import ALL_DIRS, ENVIRONMENTS, FINOPS_OVERLAYS, TACOS_OVERLAYS, short

SERVICES = [
    "gateway-api",
    "inventory-api",
    "payment-sim-api",
    "reservation-api",
    "reservation-worker",
]


@pytest.mark.parametrize("directory", ALL_DIRS, ids=short)
def test_overlay_renders(rendered, directory: Path) -> None:
    objects = rendered(directory)
    assert objects, f"{short(directory)} rendered nothing"
    assert "000000000000" not in to_yaml(objects), "a placeholder account id survived the overlay"


@pytest.mark.parametrize("directory", TACOS_OVERLAYS, ids=short)
def test_tacos_overlay_has_every_service(rendered, directory: Path) -> None:
    objects = rendered(directory)
    kinds = Counter(o["kind"] for o in objects)
    assert kinds["Rollout"] == 4
    assert kinds["Deployment"] == 1
    assert kinds["HorizontalPodAutoscaler"] == 4
    assert kinds["ScaledObject"] == 1
    assert kinds["PodDisruptionBudget"] == 5
    assert kinds["ServiceMonitor"] == 5
    workloads = sorted(
        o["metadata"]["name"] for o in objects if o["kind"] in ("Rollout", "Deployment")
    )
    assert workloads == SERVICES
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {
        "tacos"
    }


def _env_of(directory: Path) -> str:
    return directory.name


@pytest.mark.parametrize("directory", TACOS_OVERLAYS + FINOPS_OVERLAYS, ids=short)
def test_environment_label_and_account(rendered, directory: Path) -> None:
    objects = rendered(directory)
    env = _env_of(directory)
    assert {o["metadata"]["labels"]["environment"] for o in objects} == {env}
    accounts = {
        o["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].split(":")[4]
        for o in objects
        if o["kind"] == "ServiceAccount"
    }
    assert len(accounts) == 1, f"{env}: IRSA roles span several accounts: {accounts}"


def test_environments_differ_where_they_should(rendered) -> None:
    by_env = {e: rendered(d) for e, d in zip(ENVIRONMENTS, TACOS_OVERLAYS, strict=True)}

    def hpa_max(env: str) -> dict[str, int]:
        return {
            o["metadata"]["name"]: o["spec"]["maxReplicas"]
            for o in by_env[env]
            if o["kind"] == "HorizontalPodAutoscaler"
        }

    def images(env: str) -> set[str]:
        return {
            c["image"]
            for o in by_env[env]
            if o["kind"] in ("Rollout", "Deployment")
            for c in o["spec"]["template"]["spec"]["containers"]
        }

    assert (
        hpa_max("dev")["gateway-api"]
        < hpa_max("staging")["gateway-api"]
        < hpa_max("prod")["gateway-api"]
    )
    assert images("dev").isdisjoint(images("prod")), "dev and prod run the same image digests"
    accounts = {
        e: next(
            o
            for o in by_env[e]
            if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("tacos-environment")
        )["data"]["AWS_ACCOUNT_ID"]
        for e in ENVIRONMENTS
    }
    assert len(set(accounts.values())) == 3


def test_generated_config_name_follows_into_rollouts(rendered) -> None:
    """The hashed ConfigMap name reaches Rollout pod templates (kustomizeconfig.yaml)."""
    objects = rendered(TACOS_OVERLAYS[2])
    cm = next(
        o["metadata"]["name"]
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("tacos-environment-")
    )
    for o in objects:
        if o["kind"] == "Rollout":
            refs = [
                e["configMapRef"]["name"]
                for e in o["spec"]["template"]["spec"]["containers"][0]["envFrom"]
            ]
            assert refs == [cm], o["metadata"]["name"]
            assert o["spec"]["template"]["metadata"]["labels"]["environment"] == "prod"


def test_missing_directory_is_a_render_error(kubectl: str, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="failed"):
        render(tmp_path / "nope", kubectl)


def test_broken_kustomization_is_a_render_error(kubectl: str, tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    with pytest.raises(RenderError, match=r"missing\.yaml"):
        render(tmp_path, kubectl)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "not YAML"),
        ("- 1\n- 2\n", "not a Kubernetes object"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "no metadata.name"),
    ],
)
def test_parse_rejects_non_objects(text: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        parse_documents(text, source="test")
