"""The deliberately broken overlays (broken/) make every check fail, each with a message that
names the object and the fix. Together with the passing overlays this shows the checks can fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.components import require_binary

from .checks.capacity import (
    check_db_connections,
    check_limit_range,
    check_quota,
    check_rps_capacity,
)
from .checks.cel_rules import check_cel
from .checks.cost_labels import check_cost_labels
from .checks.findings import Finding, report
from .checks.hardening import check_hardening
from .checks.model import load_model
from .checks.network_graph import check_network_graph
from .checks.pod_security import check_pod_security
from .checks.promql import check_promql
from .checks.rbac import check_finops_cluster_role, check_iam_policy, check_roles_read_only
from .checks.references import check_references
from .checks.scaling import check_replicas_left_to_scaler
from .checks.schemas import check_schemas
from .conftest import BROKEN
from .test_lint import yamllint

Objs = list[dict[str, Any]]
TACOS = BROKEN / "tacos"

CASES: list[tuple[str, Callable[[Objs], list[Finding]], str]] = [
    (
        "schema-builtin",
        check_schemas,
        "[schema] Service/tacos/gateway-api: spec: Additional properties are not allowed "
        "('sessionAffinityTimeout' was unexpected) (Kubernetes 1.33)",
    ),
    (
        "schema-crd",
        check_schemas,
        "[schema] Rollout/tacos/inventory-api: spec: Additional properties are not allowed "
        "('canaryOnly' was unexpected)",
    ),
    (
        "cel",
        lambda o: check_cel(o).findings,
        "[cel] HTTPRoute/tacos/gateway-api: spec.rules[0].timeouts: backendRequest timeout cannot "
        "be longer than request timeout",
    ),
    (
        "pod-security",
        check_pod_security,
        "[pod-security] Rollout/tacos/gateway-api: container gateway-api: allowPrivilegeEscalation "
        "must be false",
    ),
    (
        "pod-security-caps",
        check_pod_security,
        "[pod-security] Rollout/tacos/gateway-api: container gateway-api: adds capabilities "
        "NET_ADMIN",
    ),
    (
        "pod-security-namespace",
        check_pod_security,
        "[pod-security] Namespace/tacos: label pod-security.kubernetes.io/enforce is not "
        "'restricted'",
    ),
    (
        "hardening-digest",
        check_hardening,
        "[hardening] Rollout/tacos/payment-sim-api: container payment-sim-api: image "
        "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/tacos/payment-sim-api:latest is not "
        "pinned by digest (@sha256:...)",
    ),
    (
        "hardening-rootfs",
        check_hardening,
        "[hardening] Rollout/tacos/payment-sim-api: container payment-sim-api: "
        "readOnlyRootFilesystem must be true "
        "(mount an emptyDir where it writes)",
    ),
    (
        "references-pdb",
        check_references,
        "[references] PodDisruptionBudget/tacos/inventory-api: selector {'matchLabels': "
        "{'app.kubernetes.io/name': "
        "'inventory'}} matches no workload's pods",
    ),
    (
        "references-monitor",
        check_references,
        "[references] ServiceMonitor/tacos/payment-sim-api: endpoint port http-metrics is not a "
        "port name of the "
        "selected Service(s)",
    ),
    (
        "cost-labels",
        check_cost_labels,
        "[cost-labels] Service/tacos/payment-sim-api: missing cost label(s) team",
    ),
    (
        "cost-labels-template",
        check_cost_labels,
        "[cost-labels] Deployment/tacos/reservation-worker: pod template lacks cost label "
        "cost-center: its pods' cost "
        "would fall to the namespace defaults",
    ),
    (
        "replicas",
        check_replicas_left_to_scaler,
        "[replicas] Deployment/tacos/reservation-worker: sets spec.replicas=3 but "
        "ScaledObject/tacos/reservation-worker "
        "owns the replica count; Argo CD self-heal would reset every scale event",
    ),
    (
        "rbac",
        check_roles_read_only,
        "[rbac] Role/tacos/tacos-developer: rule 6: grants create; changes go through Git, not the "
        "API",
    ),
]
MODEL_CASES: list[tuple[str, Callable[[Objs, Any], list[Finding]], str]] = [
    (
        "network-extra",
        check_network_graph,
        "[network] payment-sim-api: may reach postgres:5432/TCP, which the documented call graph "
        "does not have",
    ),
    (
        "network-missing",
        check_network_graph,
        "[network] reservation-api: documented call to inventory-api:8080/TCP is not allowed by "
        "the NetworkPolicies",
    ),
    (
        "quota",
        check_quota,
        "[quota] ResourceQuota/tacos/tacos-quota: requests.cpu=50 does not admit the fleet at max "
        "replicas plus surge, "
        "which needs 124.45",
    ),  # prod's 146.85 less (57 - 25) gateway pods x 0.7 cpu
    (
        "rps",
        check_rps_capacity,
        "[rps] HorizontalPodAutoscaler/tacos/gateway-api: max 20 x target 700 = 14000 < 30000: the "
        "HPA sits at its "
        "maximum at the design load",
    ),
    (
        "rps-capacity",
        check_rps_capacity,
        "[rps] Rollout/tacos/gateway-api: max 20 replicas x 1000 rps/pod = 20000 < 30000 rps "
        "needed at 30000 rps aggregate",
    ),
    (
        "db-pool",
        check_db_connections,
        "[db] Rollout/tacos/inventory-api: DB_POOL_MAX_SIZE=30 disagrees with "
        "capacity.tacos.io/db-pool-per-pod=8",
    ),
]


@pytest.fixture(scope="module")
def broken(rendered) -> Objs:  # type: ignore[no-untyped-def]
    return rendered(TACOS)


@pytest.mark.parametrize(("name", "check", "expected"), CASES, ids=[c[0] for c in CASES])
def test_check_fails_with_a_clear_message(broken: Objs, name: str, check, expected: str) -> None:
    messages = [str(f) for f in check(broken)]
    assert expected in messages, f"{name}: expected\n  {expected}\ngot\n" + "\n".join(messages)


@pytest.mark.parametrize(
    ("name", "check", "expected"), MODEL_CASES, ids=[c[0] for c in MODEL_CASES]
)
def test_model_check_fails_with_a_clear_message(
    broken: Objs, name: str, check, expected: str
) -> None:
    messages = [str(f) for f in check(broken, load_model(broken))]
    assert expected in messages, f"{name}: expected\n  {expected}\ngot\n" + "\n".join(messages)


def test_db_connection_limit_overrun(broken: Objs) -> None:
    messages = [f.message for f in check_db_connections(broken, load_model(broken))]
    # reservation 38 x 10 + inventory 63 x 30 + worker 38 x 5 = 380 + 1890 + 190
    assert any(
        m.startswith(
            "reservation-worker (30+8) x 5 + inventory-api (50+13) x 30 + reservation-api (30+8) x "
            "10 = 2460"
        )
        and m.endswith("> 1400 usable (1500 max - 100 reserved)")
        for m in messages
    ), report(check_db_connections(broken, load_model(broken)))


def test_limit_range_overrun(broken: Objs) -> None:
    messages = [str(f) for f in check_limit_range(broken)]
    assert (
        "[limitrange] Rollout/tacos/reservation-api: container reservation-api limit memory=4Gi "
        "above the "
        "LimitRange max 1Gi"
    ) in messages


def test_promtool_rejects_the_broken_rule(broken: Objs, tmp_path: Path) -> None:
    [finding] = check_promql(
        broken, require_binary("promtool", "apt-get install prometheus"), tmp_path
    )
    assert "parse error" in finding.message


def test_yamllint_rejects_the_bait() -> None:
    proc = yamllint(BROKEN / "lint" / "bad.yaml")
    assert proc.returncode == 1
    assert 'duplication of key "name" in mapping (key-duplicates)' in proc.stdout
    assert "trailing spaces (trailing-spaces)" in proc.stdout


def test_finops_reader_drift(rendered) -> None:
    messages = [str(f) for f in check_finops_cluster_role(rendered(BROKEN / "finops"))]
    assert (
        "[rbac] ClusterRole/finops-reader: grants core/secrets, which no collector reads"
        in messages
    )
    assert (
        "[rbac] ClusterRole/finops-reader: lacks argoproj.io/rollouts, which the collectors read"
        in messages
    )


def test_finops_iam_drift() -> None:
    messages = [
        str(f)
        for f in check_iam_policy(json.loads((BROKEN / "finops" / "iam-policy.json").read_text()))
    ]
    assert messages == [
        "[iam] statement 0: wildcard action ce:*",
        "[iam] finops-policy: allows ce:*, which the service never calls",
        "[iam] finops-policy: allows s3:GetObject, which the service never calls",
        "[iam] finops-policy: does not allow ce:GetCostAndUsage, which the service calls",
        "[iam] finops-policy: does not allow ce:GetCostForecast, which the service calls",
        "[iam] finops-policy: does not allow pricing:GetProducts, which the service calls",
    ]
