"""Pod Security "restricted" over every pod template (Rollouts included) and the namespaces."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from .checks.findings import report
from .checks.pod_security import check_namespaces, check_pod_security, check_pod_spec
from .conftest import FINOPS_OVERLAYS, TACOS_OVERLAYS, short


@pytest.mark.parametrize("directory", TACOS_OVERLAYS + FINOPS_OVERLAYS, ids=short)
def test_overlays_are_restricted(rendered, directory: Path) -> None:
    objects = rendered(directory)
    findings = check_pod_security(objects)
    assert findings == [], report(findings)
    assert any(o["kind"] == "Namespace" for o in objects)


GOOD: dict[str, Any] = {
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [
        {
            "name": "app",
            "image": "x",
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
        }
    ],
    "volumes": [{"name": "tmp", "emptyDir": {}}],
}


def test_good_spec_passes() -> None:
    assert check_pod_spec(GOOD, "pod") == []


def _mutate(path: str, value: Any) -> dict[str, Any]:
    spec = copy.deepcopy(GOOD)
    node: Any = spec
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node.setdefault(k, {})
    node[keys[-1]] = value
    return spec


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("hostNetwork", True, "hostNetwork: true is forbidden"),
        ("hostPID", True, "hostPID: true is forbidden"),
        ("volumes", [{"name": "h", "hostPath": {"path": "/"}}], "volume h uses hostPath"),
        ("securityContext.runAsNonRoot", False, "runAsNonRoot must be true"),
        ("securityContext.runAsUser", 0, "pod runAsUser: 0"),
        ("securityContext.seccompProfile", {"type": "Unconfined"}, "pod seccompProfile Unconfined"),
        (
            "securityContext.sysctls",
            [{"name": "kernel.msgmax", "value": "1"}],
            "sysctl kernel.msgmax",
        ),
        ("containers.0.securityContext.privileged", True, "container app: privileged"),
        (
            "containers.0.securityContext.allowPrivilegeEscalation",
            True,
            "allowPrivilegeEscalation must be false",
        ),
        (
            "containers.0.securityContext.capabilities",
            {"drop": ["NET_RAW"]},
            "capabilities.drop must contain ALL",
        ),
        (
            "containers.0.securityContext.capabilities",
            {"drop": ["ALL"], "add": ["NET_ADMIN"]},
            "adds capabilities NET_ADMIN",
        ),
        ("containers.0.securityContext.procMount", "Unmasked", "procMount Unmasked"),
        ("containers.0.ports", [{"containerPort": 80, "hostPort": 80}], "hostPort 80"),
        (
            "containers.0.securityContext.appArmorProfile",
            {"type": "Unconfined"},
            "appArmorProfile Unconfined",
        ),
    ],
)
def test_each_violation_is_named(path: str, value: Any, message: str) -> None:
    findings = check_pod_spec(_mutate(path, value), "pod")
    assert any(message in f.message for f in findings), report(findings)


def test_net_bind_service_is_the_one_allowed_capability() -> None:
    spec = _mutate(
        "containers.0.securityContext.capabilities", {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    )
    assert check_pod_spec(spec, "pod") == []


def test_init_containers_are_checked_too() -> None:
    spec = copy.deepcopy(GOOD)
    spec["initContainers"] = [{"name": "init", "image": "x"}]
    messages = [f.message for f in check_pod_spec(spec, "pod")]
    assert "initContainer init: allowPrivilegeEscalation must be false" in messages


def test_namespace_must_enforce_audit_and_warn_restricted() -> None:
    ns = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "x",
            "labels": {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }
    assert [f.message for f in check_namespaces([ns])] == [
        "label pod-security.kubernetes.io/enforce is not 'restricted'",
        "label pod-security.kubernetes.io/audit is not 'restricted'",
    ]


@pytest.mark.parametrize("directory", TACOS_OVERLAYS + FINOPS_OVERLAYS, ids=short)
def test_pod_security_version_is_the_targeted_eks_version(rendered, directory: Path) -> None:
    from .checks.schemas import EKS_VERSION

    [ns] = [o for o in rendered(directory) if o["kind"] == "Namespace"]
    labels = ns["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == f"v{EKS_VERSION}"
