"""The scope check: resources and autoscaler targets may change, nothing else."""

from __future__ import annotations

import pytest

from rightsizing.gitops.errors import ManifestError
from rightsizing.gitops.scope import out_of_scope
from tests.unit.gitops.manifests import DEPLOYMENT, HPA, KEDA


@pytest.mark.parametrize(
    ("text", "old", "new"),
    [
        (DEPLOYMENT, "cpu: 500m ", "cpu: 250m "),
        (DEPLOYMENT, "memory: 1Gi", "memory: 2Gi"),
        (HPA, "averageUtilization: 70", "averageUtilization: 55"),
        (KEDA, 'value: "60"', 'value: "75"'),
    ],
)
def test_editable_fields_pass(text: str, old: str, new: str) -> None:
    assert out_of_scope(text, text.replace(old, new), "f.yaml") == []


@pytest.mark.parametrize(
    ("text", "old", "new"),
    [
        (DEPLOYMENT, "replicas: 3", "replicas: 4"),
        (DEPLOYMENT, "inventory-api:1.2.3", "inventory-api:1.2.4"),
        (DEPLOYMENT, "targetPort: 8080", "targetPort: 8081"),
        (HPA, "maxReplicas: 30", "maxReplicas: 31"),
        (HPA, 'averageValue: "700"', 'averageValue: "500"'),
    ],
)
def test_anything_else_is_reported(text: str, old: str, new: str) -> None:
    problems = out_of_scope(text, text.replace(old, new), "f.yaml")
    assert len(problems) == 1 and "changed outside resources" in problems[0]


def test_document_count_and_parse_errors() -> None:
    assert out_of_scope(DEPLOYMENT, DEPLOYMENT + "---\nkind: X\n", "f.yaml") == [
        "f.yaml: 2 documents before, 3 after"
    ]
    with pytest.raises(ManifestError, match="does not parse after patching"):
        out_of_scope(DEPLOYMENT, DEPLOYMENT + "  bad: [\n", "f.yaml")
