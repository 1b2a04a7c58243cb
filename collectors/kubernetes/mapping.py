"""Turn Kubernetes API objects (their JSON wire shape) into typed records.

Pure functions, no I/O: the collector fetches lists and hands each item here.
Quantities stay exact (Decimal). Every read of a quantity names the object and
field, so a bad spec fails the run with a message that says where to look.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from collectors.cost_tags import CostTag, resolve_cost_tags
from collectors.kubernetes.errors import KubernetesSpecError
from collectors.kubernetes.quantities import quantity
from collectors.records import (
    AutoscalerSpec,
    ContainerSpec,
    NodeRecord,
    ResourceQuotaRecord,
    WorkloadRecord,
)

Obj = Mapping[str, Any]


def _get(obj: Obj, *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def pod_template(kind: str, obj: Obj) -> Obj:
    """The pod template of a workload kind (CronJobs nest it in the job template)."""
    tpl = (
        _get(obj, "spec", "jobTemplate", "spec", "template")
        if kind == "CronJob"
        else _get(obj, "spec", "template")
    )
    return tpl if isinstance(tpl, Mapping) else {}


def container_specs(kind: str, obj: Obj) -> tuple[ContainerSpec, ...]:
    """Requests and limits of the app containers and native sidecars (restartable
    init containers run for the pod's whole life, so they cost like containers)."""
    where_obj = f"{kind} {_get(obj, 'metadata', 'namespace')}/{_get(obj, 'metadata', 'name')}"
    spec = _get(pod_template(kind, obj), "spec") or {}
    containers = list(spec.get("containers") or [])
    containers += [
        c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    ]
    out: list[ContainerSpec] = []
    for c in containers:
        name = str(c.get("name", ""))
        res = c.get("resources") or {}

        def q(section: str, resource: str, name: str = name, res: Obj = res) -> Decimal | None:
            raw = _get(res, section, resource)
            if raw is None:
                return None
            return quantity(raw, f"{where_obj} container {name} resources.{section}.{resource}")

        out.append(
            ContainerSpec(
                name=name,
                cpu_request=q("requests", "cpu"),
                cpu_limit=q("limits", "cpu"),
                memory_request=q("requests", "memory"),
                memory_limit=q("limits", "memory"),
            )
        )
    return tuple(out)


def resolve_workload_ref(rollout: Obj, deployments: Mapping[str, Obj]) -> Obj:
    """An Argo Rollout may borrow its pod template from a Deployment
    (``spec.workloadRef``); return the Rollout with that template filled in."""
    ref = _get(rollout, "spec", "workloadRef")
    if not isinstance(ref, Mapping) or _get(rollout, "spec", "template"):
        return rollout
    name = str(ref.get("name", ""))
    if ref.get("kind", "Deployment") != "Deployment" or name not in deployments:
        raise KubernetesSpecError(
            f"Rollout {_get(rollout, 'metadata', 'namespace')}/{_get(rollout, 'metadata', 'name')} "
            f"references {ref.get('kind', 'Deployment')} {name}, which was not found"
        )
    template = _get(deployments[name], "spec", "template") or {}
    return {**rollout, "spec": {**(rollout.get("spec") or {}), "template": template}}


def replicas(kind: str, obj: Obj) -> int | None:
    if kind in {"Deployment", "StatefulSet", "Rollout", "ReplicaSet"}:
        value = _get(obj, "spec", "replicas")
        return 1 if value is None else int(value)
    if kind == "DaemonSet":
        value = _get(obj, "status", "desiredNumberScheduled")
        return None if value is None else int(value)
    if kind == "Job":
        value = _get(obj, "spec", "parallelism")
        return 1 if value is None else int(value)
    return None


def workload(
    cluster: str,
    kind: str,
    obj: Obj,
    namespace_labels: Mapping[str, str],
    cost_tags: tuple[CostTag, ...],
    observed_at: datetime,
    autoscalers: tuple[AutoscalerSpec, ...] = (),
) -> WorkloadRecord:
    meta = obj.get("metadata") or {}
    template_labels = _str_map(_get(pod_template(kind, obj), "metadata", "labels"))
    return WorkloadRecord(
        cluster=cluster,
        namespace=str(meta.get("namespace", "")),
        kind=kind,
        name=str(meta.get("name", "")),
        observed_at=observed_at,
        replicas=replicas(kind, obj),
        labels={**_str_map(meta.get("labels")), **template_labels},
        annotations=_str_map(meta.get("annotations")),
        cost_tags=resolve_cost_tags(cost_tags, template_labels, namespace_labels),
        containers=container_specs(kind, obj),
        autoscalers=autoscalers,
    )


def owned_by(obj: Obj, kind: str) -> bool:
    refs = _get(obj, "metadata", "ownerReferences") or []
    return any(isinstance(r, Mapping) and r.get("kind") == kind for r in refs)


def _number(value: Any, where: str) -> float:
    return float(quantity(value, where))


def hpa(obj: Obj) -> tuple[tuple[str, str], AutoscalerSpec]:
    """(target kind, target name) and the autoscaler spec of an autoscaling/v2 HPA."""
    name = str(_get(obj, "metadata", "name"))
    where = f"HorizontalPodAutoscaler {_get(obj, 'metadata', 'namespace')}/{name}"
    spec = obj.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    metrics: list[Mapping[str, object]] = []
    for m in spec.get("metrics") or []:
        mtype = str(m.get("type", ""))
        body = m.get(mtype[0].lower() + mtype[1:]) if mtype else None
        body = body if isinstance(body, Mapping) else {}
        tgt = body.get("target") or {}
        entry: dict[str, object] = {
            "type": mtype,
            "name": body.get("name") or _get(body, "metric", "name") or "",
            "target_type": tgt.get("type", ""),
        }
        if body.get("container"):
            entry["container"] = body["container"]
        if "averageUtilization" in tgt:
            entry["target"] = int(tgt["averageUtilization"])
        elif "averageValue" in tgt:
            entry["target"] = _number(tgt["averageValue"], f"{where} metric target")
        elif "value" in tgt:
            entry["target"] = _number(tgt["value"], f"{where} metric target")
        metrics.append(entry)
    if not metrics:  # the API server defaults an HPA without metrics to 80 % CPU
        metrics.append(
            {"type": "Resource", "name": "cpu", "target_type": "Utilization", "target": 80}
        )
    if "maxReplicas" not in spec:
        raise KubernetesSpecError(f"{where} has no spec.maxReplicas")
    return (
        (str(target.get("kind", "")), str(target.get("name", ""))),
        AutoscalerSpec(
            kind="HorizontalPodAutoscaler",
            name=name,
            min_replicas=int(spec.get("minReplicas", 1)),
            max_replicas=int(spec["maxReplicas"]),
            metrics=tuple(metrics),
        ),
    )


def scaled_object(obj: Obj) -> tuple[tuple[str, str], AutoscalerSpec]:
    """(target kind, target name) and the spec of a KEDA ScaledObject (keda.sh/v1alpha1)."""
    name = str(_get(obj, "metadata", "name"))
    where = f"ScaledObject {_get(obj, 'metadata', 'namespace')}/{name}"
    spec = obj.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    metrics: list[Mapping[str, object]] = []
    for trig in spec.get("triggers") or []:
        ttype = str(trig.get("type", ""))
        meta = _str_map(trig.get("metadata"))
        if ttype in {"cpu", "memory"}:
            entry: dict[str, object] = {
                "type": "Resource",
                "name": ttype,
                "target_type": str(trig.get("metricType") or meta.get("type") or "Utilization"),
            }
            if "value" in meta:
                entry["target"] = _number(meta["value"], f"{where} trigger {ttype} value")
        else:
            entry = {"type": "External", "name": str(trig.get("name") or ttype), "trigger": ttype}
            for key in ("value", "queueLength", "targetValue", "threshold", "lagThreshold"):
                if key in meta:
                    entry["target"] = _number(meta[key], f"{where} trigger {ttype} {key}")
                    break
        metrics.append(entry)
    return (
        (str(target.get("kind") or "Deployment"), str(target.get("name", ""))),
        AutoscalerSpec(
            kind="ScaledObject",
            name=name,
            min_replicas=int(spec.get("minReplicaCount", 0)),
            max_replicas=int(spec.get("maxReplicaCount", 100)),
            metrics=tuple(metrics),
        ),
    )


def resource_quota(cluster: str, obj: Obj) -> ResourceQuotaRecord:
    meta = obj.get("metadata") or {}
    where = f"ResourceQuota {meta.get('namespace')}/{meta.get('name')}"
    hard = _get(obj, "spec", "hard") or {}
    return ResourceQuotaRecord(
        cluster=cluster,
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        hard={str(k): quantity(v, f"{where} spec.hard.{k}") for k, v in hard.items()},
    )


_INSTANCE_TYPE = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
_ZONE = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")


def capacity_type(labels: Mapping[str, str]) -> str:
    """ "spot" or "on-demand" from Karpenter, EKS managed node group or Spot labels."""
    for key in ("karpenter.sh/capacity-type", "eks.amazonaws.com/capacityType"):
        value = labels.get(key, "").lower().replace("_", "-")
        if value:
            return "spot" if value == "spot" else "on-demand"
    if labels.get("node.kubernetes.io/lifecycle", "").lower() == "spot":
        return "spot"
    return "on-demand"


def node(cluster: str, obj: Obj, observed_at: datetime) -> NodeRecord:
    meta = obj.get("metadata") or {}
    labels = _str_map(meta.get("labels"))
    name = str(meta.get("name", ""))
    alloc = _get(obj, "status", "allocatable") or _get(obj, "status", "capacity") or {}
    if "cpu" not in alloc or "memory" not in alloc:
        raise KubernetesSpecError(f"Node {name} reports no allocatable cpu/memory")
    return NodeRecord(
        cluster=cluster,
        name=name,
        instance_type=next((labels[k] for k in _INSTANCE_TYPE if k in labels), ""),
        capacity_type=capacity_type(labels),
        zone=next((labels[k] for k in _ZONE if k in labels), ""),
        cpu_cores=quantity(alloc["cpu"], f"Node {name} status.allocatable.cpu"),
        memory_bytes=quantity(alloc["memory"], f"Node {name} status.allocatable.memory"),
        observed_at=observed_at,
    )
