"""A small cluster's worth of series with hand-computed answers.

Two hours of 1-minute scrapes (from T0 - 10 min to T0 + 2 h) in namespace
``tacos`` of cluster ``tacos-prod``, plus a ``tacos-stage`` copy of one pod (to
prove the cluster label filter) and a namespace ``weird`` whose pod is owned by an
unknown controller kind. Each workload exercises one hazard:

- Deployment ``gateway-api``: two pods at 0.25 and 0.75 cores, 100 and 300 MiB,
  a 500 MiB spike exactly on a 5-minute boundary (read once, not twice), pod b
  gone after T0 + 1 h (a stale series must not leak into the next hour), CFS
  throttling 10 % and 30 %.
- Rollout ``reservation-api`` (ReplicaSet owned by an Argo Rollout): a CPU
  counter reset at T0 + 20 min, one restart after an OOM kill.
- StatefulSet ``inventory-db``: a 5-minute stretch of NaN memory samples and a
  20-minute scrape gap in the second hour.
- CronJob ``nightly-report``: a pod that lived 3 minutes and that
  kube-state-metrics never listed (attributed through its Job by name).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.prometheus_server import SeriesData

T0_DT = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
T0 = int(T0_DT.timestamp())
MIB = 1024 * 1024
GIB = 1024 * MIB
NS = "tacos"
PROD = "tacos-prod"


def _minutes(first: int, last: int) -> list[int]:
    """Unix times every 60 s in [T0+first, T0+last] (seconds offsets)."""
    return list(range(T0 + first, T0 + last + 1, 60))


def _pod(cluster: str, ns: str, pod: str, container: str = "app") -> dict[str, str]:
    return {
        "cluster": cluster,
        "namespace": ns,
        "pod": pod,
        "container": container,
        "image": "registry.example/x:1",
    }


def _container_series(
    cluster: str,
    ns: str,
    pod: str,
    times: list[int],
    cores: float,
    mem: float,
    throttled_per_min: float = 0.0,
) -> list[SeriesData]:
    labels = _pod(cluster, ns, pod)
    t_start = times[0]
    return [
        SeriesData(
            "container_cpu_usage_seconds_total",
            labels,
            [(t, cores * (t - t_start) + 100.0) for t in times],
        ),
        SeriesData("container_memory_working_set_bytes", labels, [(t, mem) for t in times]),
        SeriesData(
            "container_cpu_cfs_periods_total",
            labels,
            [(t, 100.0 * (t - t_start) / 60) for t in times],
        ),
        SeriesData(
            "container_cpu_cfs_throttled_periods_total",
            labels,
            [(t, throttled_per_min * (t - t_start) / 60) for t in times],
        ),
    ]


def _ksm(name: str, labels: dict[str, str], times: list[int], value: float = 1.0) -> SeriesData:
    return SeriesData(name, labels, [(t, value) for t in times])


def series() -> list[SeriesData]:
    out: list[SeriesData] = []
    full = _minutes(-600, 7200)
    c = {"cluster": PROD, "namespace": NS}

    # gateway-api: Deployment -> ReplicaSet -> 2 pods
    rs = "gateway-api-5d8f7"
    out.append(
        _ksm(
            "kube_replicaset_owner",
            {
                **c,
                "replicaset": rs,
                "owner_kind": "Deployment",
                "owner_name": "gateway-api",
                "owner_is_controller": "true",
            },
            full,
        )
    )
    a, b = f"{rs}-abcde", f"{rs}-fghij"
    out += _container_series(PROD, NS, a, full, 0.25, 100 * MIB, throttled_per_min=10)
    b_times = _minutes(-600, 3600)
    b_series = _container_series(PROD, NS, b, b_times, 0.75, 300 * MIB, throttled_per_min=30)
    spike_at = T0 + 1800
    b_series[1] = SeriesData(
        b_series[1].name,
        b_series[1].labels,
        [(t, 500 * MIB if t == spike_at else 300 * MIB) for t in b_times],
    )
    out += b_series
    for pod, times in ((a, full), (b, b_times)):
        out.append(
            _ksm(
                "kube_pod_owner",
                {
                    **c,
                    "pod": pod,
                    "owner_kind": "ReplicaSet",
                    "owner_name": rs,
                    "owner_is_controller": "true",
                },
                times,
            )
        )

    # reservation-api: Rollout -> ReplicaSet -> 1 pod; counter reset + OOM restart at T0+20m
    rs2 = "reservation-api-6c9b8"
    pod = f"{rs2}-kkkkk"
    out.append(
        _ksm(
            "kube_replicaset_owner",
            {
                **c,
                "replicaset": rs2,
                "owner_kind": "Rollout",
                "owner_name": "reservation-api",
                "owner_is_controller": "true",
            },
            full,
        )
    )
    out.append(
        _ksm(
            "kube_pod_owner",
            {
                **c,
                "pod": pod,
                "owner_kind": "ReplicaSet",
                "owner_name": rs2,
                "owner_is_controller": "true",
            },
            full,
        )
    )
    res = _container_series(PROD, NS, pod, full, 0.5, 256 * MIB)
    reset_at = T0 + 1200
    res[0] = SeriesData(
        res[0].name,
        res[0].labels,
        [(t, 0.5 * (t - full[0]) if t < reset_at else 30.0 + 0.5 * (t - reset_at)) for t in full],
    )
    out += res
    kl = {**c, "pod": pod, "container": "app", "uid": "u-1"}
    out.append(
        SeriesData(
            "kube_pod_container_status_restarts_total",
            kl,
            [(t, 0.0 if t < reset_at else 1.0) for t in full],
        )
    )
    out.append(
        SeriesData(
            "kube_pod_container_status_last_terminated_reason",
            {**kl, "reason": "OOMKilled"},
            [(t, 0.0 if t < reset_at else 1.0) for t in full],
        )
    )

    # inventory-db: StatefulSet pod, NaN memory in (T0+900, T0+1200], gap (T0+4200, T0+5400]
    db = "inventory-db-0"
    db_times = [t for t in full if not (T0 + 4200 < t <= T0 + 5400)]
    db_series = _container_series(PROD, NS, db, db_times, 1.0, 1 * GIB)
    db_series[0] = SeriesData(
        db_series[0].name, db_series[0].labels, [(t, 1.0 * (t - full[0])) for t in db_times]
    )
    db_series[1] = SeriesData(
        db_series[1].name,
        db_series[1].labels,
        [(t, float("nan") if T0 + 900 < t <= T0 + 1200 else 1.0 * GIB) for t in db_times],
    )
    out += db_series
    out.append(
        _ksm(
            "kube_pod_owner",
            {
                **c,
                "pod": db,
                "owner_kind": "StatefulSet",
                "owner_name": "inventory-db",
                "owner_is_controller": "true",
            },
            db_times,
        )
    )

    # nightly-report: CronJob -> Job -> a pod that lived 3 minutes, unseen by kube-state-metrics
    job = "nightly-report-29500000"
    out.append(
        _ksm(
            "kube_job_owner",
            {
                **c,
                "job_name": job,
                "owner_kind": "CronJob",
                "owner_name": "nightly-report",
                "owner_is_controller": "true",
            },
            _minutes(3600, 3900),
        )
    )
    short = [T0 + 3660, T0 + 3720, T0 + 3780]
    nr = _container_series(PROD, NS, f"{job}-xyzab", short, 1.0, 50 * MIB)
    nr[0] = SeriesData(nr[0].name, nr[0].labels, [(t, 1.0 * (t - short[0])) for t in short])
    out += nr

    # kube-state-metrics inventory (Prometheus-only mode)
    out += inventory_series(full)

    # Another cluster in the same Prometheus: must not leak into tacos-prod.
    out += _container_series("tacos-stage", NS, a, full, 5.0, 4 * GIB)
    out.append(
        _ksm(
            "kube_pod_owner",
            {
                "cluster": "tacos-stage",
                "namespace": NS,
                "pod": a,
                "owner_kind": "ReplicaSet",
                "owner_name": rs,
                "owner_is_controller": "true",
            },
            full,
        )
    )

    # A pod owned by an unknown controller kind.
    out += _container_series(PROD, "weird", "clone-0", full, 0.1, 10 * MIB)
    out.append(
        _ksm(
            "kube_pod_owner",
            {
                "cluster": PROD,
                "namespace": "weird",
                "pod": "clone-0",
                "owner_kind": "CloneSet",
                "owner_name": "clone",
                "owner_is_controller": "true",
            },
            full,
        )
    )
    return out


def inventory_series(times: list[int]) -> list[SeriesData]:
    """What kube-state-metrics (and Argo Rollouts' controller) export about the specs."""
    c = {"cluster": PROD, "namespace": NS}
    gw_a, gw_b = "gateway-api-5d8f7-abcde", "gateway-api-5d8f7-fghij"
    res = "reservation-api-6c9b8-kkkkk"
    out = [
        _ksm("kube_deployment_spec_replicas", {**c, "deployment": "gateway-api"}, times, 2),
        _ksm("rollout_info_replicas_desired", {**c, "name": "reservation-api"}, times, 1),
        _ksm("kube_statefulset_replicas", {**c, "statefulset": "inventory-db"}, times, 1),
        _ksm(
            "kube_namespace_labels",
            {**c, "label_team": "platform", "label_cost_center": "cc-100"},
            times,
        ),
        _ksm(
            "kube_pod_labels",
            {**c, "pod": gw_a, "label_app_kubernetes_io_name": "gateway-api", "label_team": "edge"},
            times,
        ),
        _ksm(
            "kube_horizontalpodautoscaler_info",
            {
                **c,
                "horizontalpodautoscaler": "reservation-api",
                "scaletargetref_kind": "Rollout",
                "scaletargetref_name": "reservation-api",
            },
            times,
        ),
        _ksm(
            "kube_horizontalpodautoscaler_spec_min_replicas",
            {**c, "horizontalpodautoscaler": "reservation-api"},
            times,
            2,
        ),
        _ksm(
            "kube_horizontalpodautoscaler_spec_max_replicas",
            {**c, "horizontalpodautoscaler": "reservation-api"},
            times,
            20,
        ),
        _ksm(
            "kube_horizontalpodautoscaler_spec_target_metric",
            {
                **c,
                "horizontalpodautoscaler": "reservation-api",
                "metric_name": "cpu",
                "metric_target_type": "utilization",
            },
            times,
            70,
        ),
    ]
    for resource, value in (("requests.cpu", 40), ("requests.memory", 80 * 1024 * MIB)):
        out.append(
            _ksm(
                "kube_resourcequota",
                {**c, "resourcequota": "tacos-quota", "resource": resource, "type": "hard"},
                times,
                value,
            )
        )
        used = {**c, "resourcequota": "tacos-quota", "resource": resource, "type": "used"}
        out.append(_ksm("kube_resourcequota", used, times, 1))
    resources = [
        (gw_a, "requests", "cpu", "core", 0.25),
        (gw_a, "requests", "memory", "byte", 512 * MIB),
        (gw_a, "limits", "cpu", "core", 1),
        (gw_a, "limits", "memory", "byte", 1024 * MIB),
        (gw_b, "requests", "cpu", "core", 0.25),
        (gw_b, "requests", "memory", "byte", 512 * MIB),
        (res, "requests", "cpu", "core", 0.5),
        (res, "requests", "memory", "byte", 1e9),
        ("inventory-db-0", "requests", "cpu", "core", 0.1),
    ]
    for pod, which, resource, unit, value in resources:
        labels = {**c, "pod": pod, "container": "app", "resource": resource, "unit": unit}
        out.append(_ksm(f"kube_pod_container_resource_{which}", labels, times, value))
    return out
