"""The manifest patcher: exact one-line edits, clear refusals, nothing else touched."""

from __future__ import annotations

import difflib
from decimal import Decimal

import pytest
import yaml

from rightsizing.gitops.changes import HpaTarget, ResourceValues
from rightsizing.gitops.patcher import NOT_FOUND, patch_tree
from tests.unit.gitops.manifests import DEPLOYMENT, HPA, KEDA, MI, WORKER, change


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def test_one_value_changed_is_a_one_line_diff_keeping_comments_and_quotes() -> None:
    result = patch_tree({"d.yaml": DEPLOYMENT}, [change()])
    new = result.files["d.yaml"]
    removed, added = changed_lines(DEPLOYMENT, new)
    assert removed == [
        "              cpu: 500m      # measured p95 was 420m in March",
        '              memory: "512Mi"',
    ]
    assert added == [
        "              cpu: 250m      # measured p95 was 420m in March",
        '              memory: "384Mi"',
    ]
    assert [(e.field, e.old, e.new) for e in result.edits] == [
        ("resources.requests.cpu", "500m", "250m"),
        ("resources.requests.memory", "512Mi", "384Mi"),
    ]
    assert result.applied and not result.skipped


def test_equal_quantities_in_another_spelling_are_not_rewritten() -> None:
    # The manifest says '1' and 1Gi; the recommendation is 1.000 cores and 1024Mi.
    rec = ResourceValues(Decimal("0.5"), Decimal("1.000"), Decimal(512 * MI), Decimal(1024 * MI))
    result = patch_tree({"d.yaml": DEPLOYMENT}, [change(recommended=rec)])
    assert not result.changed
    assert result.already_applied and not result.edits


def test_whole_cores_keep_the_files_quoting() -> None:
    rec = ResourceValues(Decimal("0.5"), Decimal(2), Decimal(512 * MI), Decimal(1024 * MI))
    new = patch_tree({"d.yaml": DEPLOYMENT}, [change(recommended=rec)]).files["d.yaml"]
    assert changed_lines(DEPLOYMENT, new) == (
        ["              cpu: '1'"],
        ["              cpu: '2'"],
    )
    doc = next(iter(yaml.safe_load_all(new)))
    assert doc["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "2"


def test_missing_resources_are_added_in_the_files_own_indentation() -> None:
    rec = ResourceValues(Decimal("0.1"), None, Decimal(256 * MI), Decimal(256 * MI))
    cur = ResourceValues(None, None, None, None)
    ch = change("StatefulSet", "reservation-worker", "worker", current=cur, recommended=rec)
    result = patch_tree({"w.yaml": WORKER}, [ch])
    new = result.files["w.yaml"]
    assert new.startswith(WORKER)  # nothing before was re-indented
    assert new[len(WORKER) :] == (
        "                resources:\n"
        "                    requests:\n"
        "                        cpu: 100m\n"
        "                        memory: 256Mi\n"
        "                    limits:\n"
        "                        memory: 256Mi\n"
    )


def test_a_limit_the_engine_dropped_is_removed_but_an_unseen_one_is_kept() -> None:
    rec = ResourceValues(Decimal("0.25"), None, Decimal(512 * MI), Decimal(1024 * MI))
    new = patch_tree({"d.yaml": DEPLOYMENT}, [change(recommended=rec)]).files["d.yaml"]
    removed, _ = changed_lines(DEPLOYMENT, new)
    assert "              cpu: '1'" in removed
    # Same recommendation, but the cluster never reported a CPU limit: leave it alone.
    cur = ResourceValues(Decimal("0.5"), None, Decimal(512 * MI), Decimal(1024 * MI))
    kept = patch_tree({"d.yaml": DEPLOYMENT}, [change(current=cur, recommended=rec)])
    assert "cpu: '1'" in kept.files["d.yaml"]


def test_only_the_named_container_changes() -> None:
    rec = ResourceValues(Decimal("0.05"), None, Decimal(32 * MI), None)
    cur = ResourceValues(Decimal("0.1"), None, Decimal(64 * MI), None)
    ch = change(container="linkerd-proxy", current=cur, recommended=rec)
    new = patch_tree({"d.yaml": DEPLOYMENT}, [ch]).files["d.yaml"]
    assert changed_lines(DEPLOYMENT, new) == (
        ["            requests: {cpu: 100m, memory: 64Mi}"],
        ["            requests: {cpu: 50m, memory: 32Mi}"],
    )


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"name": "missing-api"}, NOT_FOUND),
        ({"kind": "StatefulSet"}, NOT_FOUND),
        ({"container": "sidecar"}, NOT_FOUND),
    ],
)
def test_unknown_workloads_are_reported_not_guessed(kwargs: dict[str, str], why: str) -> None:
    result = patch_tree({"d.yaml": DEPLOYMENT}, [change(**kwargs)])
    assert not result.changed
    assert [s.reason for s in result.skipped] == [why]


def test_a_namespace_in_the_document_must_match() -> None:
    unset = ResourceValues(None, None, None, None)
    ch = change("StatefulSet", "reservation-worker", "worker", namespace="other", current=unset)
    assert patch_tree({"w.yaml": WORKER}, [ch]).skipped[0].reason == NOT_FOUND
    ok = change("StatefulSet", "reservation-worker", "worker", namespace="tacos", current=unset)
    assert patch_tree({"w.yaml": WORKER}, [ok]).changed


def test_several_declarations_with_resources_are_ambiguous() -> None:
    files = {"base/d.yaml": DEPLOYMENT, "overlays/prod/d.yaml": DEPLOYMENT}
    result = patch_tree(files, [change()])
    assert not result.changed
    reason = result.skipped[0].reason
    assert reason.startswith("ambiguous") and "base/d.yaml" in reason
    assert "overlays/prod/d.yaml" in reason


def test_the_one_declaration_with_resources_wins_over_a_bare_patch() -> None:
    patch_only = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inventory-api\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: inventory-api\n"
        "          env: [{name: A, value: b}]\n"
    )
    result = patch_tree({"base/d.yaml": DEPLOYMENT, "prod/patch.yaml": patch_only}, [change()])
    assert list(result.files) == ["base/d.yaml"]


def test_hpa_target_moves_with_the_request_in_its_own_file() -> None:
    ch = change(hpa=(HpaTarget("cpu", 70.0, 63.2),))  # rounds to 63
    result = patch_tree({"d.yaml": DEPLOYMENT, "hpa.yaml": HPA}, [ch])
    assert changed_lines(HPA, result.files["hpa.yaml"]) == (
        ["          averageUtilization: 70   # scale out at 70% of the request"],
        ["          averageUtilization: 63   # scale out at 70% of the request"],
    )
    assert ("hpa.cpu", "70%", "63%") in [(e.field, e.old, e.new) for e in result.edits]


def test_hpa_target_that_differs_from_the_cluster_is_left_with_a_warning() -> None:
    ch = change(hpa=(HpaTarget("cpu", 80.0, 60.0),))
    result = patch_tree({"d.yaml": DEPLOYMENT, "hpa.yaml": HPA}, [ch])
    assert "hpa.yaml" not in result.files
    assert any("70% in the file but 80% in the cluster" in w for w in result.warnings)


def test_hpa_adjustment_not_kept_is_not_written() -> None:
    ch = change(hpa=(HpaTarget("cpu", 70.0, 95.0, kept=False, note="bound"),))
    assert "hpa.yaml" not in patch_tree({"d.yaml": DEPLOYMENT, "hpa.yaml": HPA}, [ch]).files


def test_keda_cpu_trigger_value_stays_a_string() -> None:
    ch = change(
        "StatefulSet",
        "reservation-worker",
        "worker",
        current=ResourceValues(None, None, None, None),
        recommended=ResourceValues(Decimal("0.1"), None, None, None),
        hpa=(HpaTarget("cpu", 60.0, 80.0),),
    )
    result = patch_tree({"w.yaml": WORKER, "keda.yaml": KEDA}, [ch])
    assert changed_lines(KEDA, result.files["keda.yaml"]) == (
        ['        value: "60"'],
        ['        value: "80"'],
    )


def test_invalid_quantity_in_a_manifest_is_reported_and_the_file_left_alone() -> None:
    broken = DEPLOYMENT.replace("cpu: 500m ", "cpu: lots ")
    result = patch_tree({"d.yaml": broken}, [change()])
    assert not result.changed
    assert "cpu request lots in the file, 500m in the cluster" in result.skipped[0].reason


def test_drift_between_manifest_and_cluster_is_not_written() -> None:
    # The repository says 2 cores where the cluster runs 500m: a recommendation computed
    # against 500m (e.g. "halve it to 250m") must not be applied to a file holding 2.
    drifted = DEPLOYMENT.replace("cpu: 500m ", "cpu: '2' ")
    result = patch_tree({"d.yaml": drifted}, [change()])
    assert not result.changed
    [skipped] = result.skipped
    assert skipped.reason.startswith(
        "manifest differs from the cluster (cpu request 2 in the file, 500m in the cluster)"
    )
    # A field the recommendation leaves alone may differ without blocking the rest.
    limit_drift = DEPLOYMENT.replace("memory: 1Gi", "memory: 2Gi")
    assert patch_tree({"d.yaml": limit_drift}, [change()]).changed


def test_unparsable_files_are_skipped_with_a_warning_and_left_alone() -> None:
    helm = "kind: Deployment\nmetadata:\n  name: {{ .Values.name }}  # inventory-api\n  x: [\n"
    result = patch_tree(
        {"d.yaml": DEPLOYMENT, "chart/t.yaml": helm, "README.md": "# x"}, [change()]
    )
    assert list(result.files) == ["d.yaml"]
    assert any(w.startswith("skipped chart/t.yaml") for w in result.warnings)


def test_files_that_do_not_mention_the_workload_are_not_parsed() -> None:
    unrelated = "kind: ConfigMap\nmetadata: {name: other}\ndata: {a: [\n"  # broken, but irrelevant
    result = patch_tree({"d.yaml": DEPLOYMENT, "cm.yaml": unrelated}, [change()])
    assert list(result.files) == ["d.yaml"] and result.warnings == []


def test_a_name_that_is_a_prefix_of_another_is_not_confused() -> None:
    longer = DEPLOYMENT.replace("inventory-api", "inventory-api-v2")
    result = patch_tree({"v2.yaml": longer}, [change()])
    assert not result.changed and result.skipped[0].reason == NOT_FOUND
    both = patch_tree({"v2.yaml": longer, "d.yaml": DEPLOYMENT}, [change()])
    assert list(both.files) == ["d.yaml"]


def test_patching_twice_is_idempotent() -> None:
    once = patch_tree({"d.yaml": DEPLOYMENT, "hpa.yaml": HPA}, [change()]).files
    again = patch_tree({"d.yaml": once["d.yaml"], "hpa.yaml": HPA}, [change()])
    assert not again.changed
