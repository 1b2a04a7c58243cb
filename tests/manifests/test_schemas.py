"""Strict schemas: built-ins via kubernetes-validate (EKS 1.33), custom resources via the real
CRD schemas (copied with attribution in crds/SOURCES.md), CEL rules via cel-python."""

from __future__ import annotations

from pathlib import Path

import pytest

from .checks.cel_rules import check_cel
from .checks.errors import SchemaMissingError
from .checks.findings import report
from .checks.schemas import EKS_VERSION, check_schemas, crd_index, to_json_schema, validate_object
from .checks.workloads import as_deployment
from .conftest import ALL_DIRS, TACOS_OVERLAYS, short


@pytest.mark.parametrize("directory", ALL_DIRS, ids=short)
def test_every_object_validates_strictly(rendered, directory: Path) -> None:
    objects = rendered(directory)
    assert check_schemas(objects) == [], report(check_schemas(objects))


@pytest.mark.parametrize("directory", TACOS_OVERLAYS, ids=short)
def test_rollout_pod_templates_validate_as_deployments(rendered, directory: Path) -> None:
    """The Rollout CRD leaves resources open; the same template as a Deployment is strict."""
    rollouts = [o for o in rendered(directory) if o["kind"] == "Rollout"]
    assert len(rollouts) == 4
    findings = [f for r in rollouts for f in validate_object(as_deployment(r))]
    assert findings == [], report(findings)


@pytest.mark.parametrize("directory", ALL_DIRS, ids=short)
def test_cel_rules_hold_and_all_were_evaluated(rendered, directory: Path) -> None:
    result = check_cel(rendered(directory))
    assert result.findings == [], report(result.findings)
    assert result.not_evaluated == [], result.not_evaluated


def test_cel_rules_are_actually_evaluated_on_our_objects(rendered) -> None:
    # prod has an HTTPRoute and a ScaledObject, whose CRDs carry CEL rules.
    assert check_cel(rendered(TACOS_OVERLAYS[2])).evaluated >= 10


def test_cel_rule_failure_is_reported_with_the_crd_message(rendered) -> None:
    objects = rendered(TACOS_OVERLAYS[2])
    so = next(o for o in objects if o["kind"] == "ScaledObject")
    so["spec"]["minReplicaCount"] = 40
    findings = check_cel([so]).findings
    assert [f.message for f in findings] == [
        "spec: minReplicaCount must be less than or equal to maxReplicaCount"
    ]


def test_uses_the_served_crd_versions() -> None:
    index = crd_index()
    assert ("external-secrets.io/v1", "ExternalSecret") in index
    assert ("external-secrets.io/v1beta1", "ExternalSecret") not in index  # not served in v2.9
    assert ("argoproj.io/v1alpha1", "Rollout") in index
    assert EKS_VERSION == "1.33"


def test_int_or_string_nullable_and_closed_objects() -> None:
    schema = to_json_schema(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "note": {"type": "string", "nullable": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        }
    )
    assert schema["additionalProperties"] is False
    assert schema["properties"]["port"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert schema["properties"]["note"]["type"] == ["string", "null"]
    assert "additionalProperties" not in schema["properties"]["free"]


def test_unknown_field_in_custom_resource_is_a_finding(rendered) -> None:
    so = next(o for o in rendered(TACOS_OVERLAYS[0]) if o["kind"] == "ScaledObject")
    so["spec"]["maxReplicas"] = 3  # the HPA spelling, not KEDA's
    [finding] = validate_object(so)
    assert "'maxReplicas' was unexpected" in finding.message


def test_wrong_type_in_builtin_is_a_finding(rendered) -> None:
    hpa = next(o for o in rendered(TACOS_OVERLAYS[0]) if o["kind"] == "HorizontalPodAutoscaler")
    hpa["spec"]["maxReplicas"] = "ten"
    [finding] = validate_object(hpa)
    assert "spec.maxReplicas" in finding.message
    assert "1.33" in finding.message


def test_unknown_kind_cannot_pass_silently() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(SchemaMissingError, match=r"no schema for example\.com/v1 Widget"):
        validate_object(obj)
