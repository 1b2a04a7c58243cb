"""Per-pod series grouped into their workload by Kubernetes pod names."""

import numpy as np
import pytest

from rightsizing.evaluation import ReplaySeries
from rightsizing.evaluation.pod_names import group_by_pod_names, uneven_groups, workload_of


@pytest.mark.parametrize(
    ("series_id", "workload"),
    [
        ("tacos/gateway-api-7d9f8b6c4d-x2x7k/app", "tacos/gateway-api/app"),  # Deployment
        ("gateway-api-7d9f8b6c4d-x2x7k", "gateway-api"),
        ("reservation-worker-5c6b9f7d8-qw2zt/worker", "reservation-worker/worker"),
        ("kube-system/node-exporter-x2x7k", "kube-system/node-exporter"),  # DaemonSet
        ("batch/nightly-report-29012345-bz8kp/job", "batch/nightly-report/job"),  # CronJob
        ("db.v2-7d9f8b6c4d-x2x7k", "db.v2"),  # dots are allowed in names
        ("tacos/postgres-0/db", None),  # StatefulSet ordinals are not read
        ("tacos/gateway-api/app", None),  # already a workload
        ("c_1234", None),  # a trace's container id
        ("web-aeiou", None),  # vowels: never generated
        ("web-b1c3d", None),  # 1 and 3: never generated
        ("Web-7d9f8b6c4d-x2x7k", None),  # upper case: not a Kubernetes name
        ("", None),
    ],
)
def test_workload_of_reads_generated_pod_names(series_id, workload):
    assert workload_of(series_id) == workload


def _series(series_id: str, start_day: float, days: float, group: str = "") -> ReplaySeries:
    t = 1.7e9 + start_day * 86400.0 + np.arange(0.0, days * 86400.0, 300.0)
    return ReplaySeries(series_id, t, np.full(t.size, 0.1), np.full(t.size, 1e8), group=group)


def test_pods_of_one_workload_share_a_group_and_nothing_else_changes():
    pods = [
        _series("tacos/api-7d9f8b6c4d-x2x7k/app", 0, 6),
        _series("tacos/api-5c6b9f7d8-qw2zt/app", 6, 6),  # after a rollout: a new hash
        _series("tacos/api-5c6b9f7d8-zz4kb/app", 6, 6),
        _series("tacos/lonely-7d9f8b6c4d-x2x7k/app", 0, 12),  # the only one: left alone
        _series("tacos/web-7d9f8b6c4d-x2x7k/app", 0, 12, group="mine"),  # a group wins
        _series("tacos/postgres-0/db", 0, 12),
    ]
    out, count, workloads = group_by_pod_names(pods)
    assert (count, workloads) == (3, {"tacos/api/app"})
    assert [s.group for s in out] == [
        "tacos/api/app",
        "tacos/api/app",
        "tacos/api/app",
        "",
        "mine",
        "",
    ]
    for before, after in zip(pods, out, strict=True):  # only the group is set
        assert after.series_id == before.series_id
        assert after.times_s is before.times_s and after.cpu is before.cpu
    assert group_by_pod_names(pods[3:]) == (pods[3:], 0, set())  # nothing to group


def _pod(name: str, start_day: float, days: float, level: float, idle_days: float = 0.0):
    one = _series(name, start_day, days, group="ns/api/app")
    cpu = np.full(one.times_s.size, level)
    weights = np.where(one.times_s < one.times_s[0] + idle_days * 86400.0, 0.0, 1.0)
    cpu[weights == 0] = 0.0  # a pod at zero replicas uses nothing: not its level
    return ReplaySeries(
        one.series_id, one.times_s, cpu, one.memory, weights=weights, group=one.group
    )


def test_pods_side_by_side_at_unlike_levels_are_named():
    pods = [
        _pod("ns/api-7d9f8b6c4d-x2x7k/app", 0, 8, 0.1),
        _pod("ns/api-7d9f8b6c4d-q2w5z/app", 2, 6, 0.5),
    ]
    warning = uneven_groups(pods, {"ns/api/app"})
    assert warning is not None
    assert "1 of 1 containers grouped by pod name" in warning
    assert "ns/api/app: 0.1 and 0.5 cores" in warning
    assert "--no-pod-groups" in warning


@pytest.mark.parametrize(
    "pods",
    [
        # alike: within 3x of each other
        [("a", 0, 8, 0.1, 0.0), ("b", 0, 8, 0.29, 0.0)],
        # a rollout: the new generation at a new level, side by side for minutes only
        [("a", 0, 6, 0.1, 0.0), ("b", 5.99, 6, 0.9, 0.0)],
        # the busiest under the CPU floor: the floor sizes them all
        [("a", 0, 8, 0.001, 0.0), ("b", 0, 8, 0.009, 0.0)],
        # idle for most of its life (zero replicas) but at the others' level when it ran
        [("a", 0, 8, 0.2, 0.0), ("b", 0, 8, 0.2, 5.0)],
        # one pod: nothing to compare
        [("a", 0, 8, 0.1, 0.0)],
    ],
    ids=["alike", "rollout", "under-the-floor", "idle-hours-are-not-a-level", "one-pod"],
)
def test_pods_that_are_alike_or_not_side_by_side_say_nothing(pods):
    series = [_pod(f"ns/api-7d9f8b6c4d-{n}x2x7/app", *rest) for n, *rest in pods]
    assert uneven_groups(series, {"ns/api/app"}) is None


def test_only_the_groups_read_from_pod_names_are_checked():
    pods = [
        _pod("ns/api-7d9f8b6c4d-x2x7k/app", 0, 8, 0.1),
        _pod("ns/api-7d9f8b6c4d-q2w5z/app", 0, 8, 1.0),
    ]
    assert uneven_groups(pods, set()) is None  # the export's own group column: its choice
    assert uneven_groups(pods, {"ns/api/app"}) is not None
