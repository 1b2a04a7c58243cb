"""Least privilege: our Roles are read-only, finops reads exactly what its collectors read, and
its IAM policy allows exactly the AWS calls it makes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from .checks.findings import report
from .checks.rbac import (
    FINOPS_AWS_ACTIONS,
    check_finops_cluster_role,
    check_iam_policy,
    check_roles_read_only,
)
from .conftest import FINOPS_OVERLAYS, MANIFESTS, TACOS_OVERLAYS, short

POLICY = MANIFESTS / "finops" / "iam" / "finops-policy.json"


@pytest.mark.parametrize("directory", TACOS_OVERLAYS + FINOPS_OVERLAYS, ids=short)
def test_roles_are_read_only(rendered, directory: Path) -> None:
    objects = rendered(directory)
    assert any(o["kind"] in ("Role", "ClusterRole") for o in objects)
    findings = check_roles_read_only(objects)
    assert findings == [], report(findings)


@pytest.mark.parametrize("directory", FINOPS_OVERLAYS, ids=short)
def test_finops_reads_exactly_what_collectors_read(rendered, directory: Path) -> None:
    findings = check_finops_cluster_role(rendered(directory))
    assert findings == [], report(findings)


def test_finops_role_drift_is_named(rendered) -> None:
    objects = rendered(FINOPS_OVERLAYS[2])
    role = next(o for o in objects if o["kind"] == "ClusterRole")
    role["rules"][0]["resources"] = ["namespaces", "pods", "nodes", "resourcequotas", "secrets"]
    role["rules"][-1]["verbs"] = ["get", "list", "watch", "patch"]
    role["rules"] = [r for r in role["rules"] if "keda.sh" not in r["apiGroups"]]
    messages = sorted(f.message for f in check_finops_cluster_role(objects))
    assert messages == [
        "grants core/secrets, which no collector reads",
        "lacks keda.sh/scaledobjects, which the collectors read",
        "rule 0: grants access to secrets",
        "rule 4: grants patch; changes go through Git, not the API",
        "rule 4: verbs ['get', 'list', 'patch', 'watch'] are not exactly get/list/watch",
    ]


def test_finops_uses_its_own_service_account_with_irsa(rendered) -> None:
    objects = rendered(FINOPS_OVERLAYS[2])
    binding = next(o for o in objects if o["kind"] == "ClusterRoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "finops", "namespace": "finops"}
    ]
    sa = next(
        o for o in objects if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "finops"
    )
    assert (
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        == "arn:aws:iam::210987654321:role/tacos-finops"
    )
    deploy = next(o for o in objects if o["kind"] == "Deployment")
    assert deploy["spec"]["replicas"] == 1
    assert deploy["spec"]["strategy"]["type"] == "Recreate"
    token = next(
        v for v in deploy["spec"]["template"]["spec"]["volumes"] if v["name"] == "kube-api-access"
    )
    assert token["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] == 3600


def test_iam_policy_allows_exactly_the_calls_made() -> None:
    policy = json.loads(POLICY.read_text())
    assert check_iam_policy(policy) == []
    assert {
        "ce:GetCostAndUsage",
        "ce:GetCostForecast",
        "pricing:GetProducts",
        "ec2:DescribeSpotPriceHistory",
    } == FINOPS_AWS_ACTIONS


def test_iam_policy_drift_is_named() -> None:
    policy = json.loads(POLICY.read_text())
    broken = copy.deepcopy(policy)
    broken["Statement"][0]["Action"] = ["ce:*"]
    broken["Statement"].append({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    messages = sorted(str(f) for f in check_iam_policy(broken))
    assert messages == [
        "[iam] finops-policy: allows ce:*, which the service never calls",
        "[iam] finops-policy: does not allow ce:GetCostAndUsage, which the service calls",
        "[iam] finops-policy: does not allow ce:GetCostForecast, which the service calls",
        "[iam] statement 0: wildcard action ce:*",
        "[iam] statement 3: NotAction allows everything else",
    ]
