"""Pod -> workload mapping from kube-state-metrics owner series (pure)."""

from __future__ import annotations

import pytest

from collectors.prometheus.errors import UnknownOwnerKind
from collectors.prometheus.ownership import OwnerIndex


def owner(pod: str, kind: str, name: str, controller: str = "true") -> dict[str, str]:
    return {
        "__name__": "kube_pod_owner",
        "pod": pod,
        "owner_kind": kind,
        "owner_name": name,
        "owner_is_controller": controller,
    }


def rs_owner(rs: str, kind: str, name: str) -> dict[str, str]:
    return {
        "__name__": "kube_replicaset_owner",
        "replicaset": rs,
        "owner_kind": kind,
        "owner_name": name,
    }


def job_owner(job: str, kind: str, name: str) -> dict[str, str]:
    return {"__name__": "kube_job_owner", "job_name": job, "owner_kind": kind, "owner_name": name}


INDEX = OwnerIndex.from_series(
    [
        owner("api-7d4-abcde", "ReplicaSet", "api-7d4"),
        rs_owner("api-7d4", "Deployment", "api"),
        owner("pay-6c9-kkkkk", "ReplicaSet", "pay-6c9"),
        rs_owner("pay-6c9", "Rollout", "pay"),
        owner("orphan-rs-zzzzz", "ReplicaSet", "orphan-rs"),
        rs_owner("orphan-rs", "<none>", "<none>"),
        owner("db-0", "StatefulSet", "db"),
        owner("agent-x1y2z", "DaemonSet", "agent"),
        owner("report-1-abcde", "Job", "report-1"),
        job_owner("report-1", "CronJob", "report"),
        owner("adhoc-abcde", "Job", "adhoc"),
        job_owner("adhoc", "<none>", "<none>"),
        owner("bare", "<none>", "<none>"),
        owner("kube-proxy-node1", "Node", "node1"),
        owner("clone-0", "CloneSet", "clone"),
        # a non-controller reference listed after the controller must not win
        owner("db-0", "ConfigMap", "x", controller="false"),
    ]
)


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ("api-7d4-abcde", ("Deployment", "api")),
        ("pay-6c9-kkkkk", ("Rollout", "pay")),
        ("orphan-rs-zzzzz", ("ReplicaSet", "orphan-rs")),
        ("db-0", ("StatefulSet", "db")),
        ("agent-x1y2z", ("DaemonSet", "agent")),
        ("report-1-abcde", ("CronJob", "report")),
        ("adhoc-abcde", ("Job", "adhoc")),
        ("bare", ("Pod", "bare")),
        ("kube-proxy-node1", ("Pod", "kube-proxy-node1")),
        # never listed by kube-state-metrics: attributed by name
        ("api-7d4-qwert", ("Deployment", "api")),
        ("report-1-zzzzz", ("CronJob", "report")),
        ("db-1", ("StatefulSet", "db")),
        ("mystery", ("Pod", "mystery")),
    ],
)
def test_workload_of(pod: str, expected: tuple[str, str]) -> None:
    assert INDEX.workload_of("tacos", pod) == expected


def test_unknown_kind_raises_with_hint() -> None:
    with pytest.raises(
        UnknownOwnerKind, match=r"pod tacos/clone-0 is owned by unknown kind 'CloneSet'"
    ):
        INDEX.workload_of("tacos", "clone-0")


def test_extra_kinds_are_workloads() -> None:
    index = OwnerIndex.from_series([owner("clone-0", "CloneSet", "clone")], frozenset({"CloneSet"}))
    assert index.workload_of("tacos", "clone-0") == ("CloneSet", "clone")


def test_unknown_replicaset_owner_raises() -> None:
    index = OwnerIndex.from_series(
        [owner("x-abc-aaaaa", "ReplicaSet", "x-abc"), rs_owner("x-abc", "Foo", "x")]
    )
    with pytest.raises(UnknownOwnerKind, match="ReplicaSet x-abc is owned by unknown kind 'Foo'"):
        index.workload_of("tacos", "x-abc-aaaaa")
