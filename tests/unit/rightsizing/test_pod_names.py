"""Per-pod series grouped into their workload by Kubernetes pod names."""

import numpy as np
import pytest

from rightsizing.evaluation import ReplaySeries
from rightsizing.evaluation.pod_names import group_by_pod_names, workload_of


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
    assert (count, workloads) == (3, 1)
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
    assert group_by_pod_names(pods[3:]) == (pods[3:], 0, 0)  # nothing to group
