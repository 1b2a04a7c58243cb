"""Workloads, their pod templates and what one of their pods asks of the cluster.

Rollouts are treated as Deployments throughout: same pod template, and they are where the
APIs actually run. A pod's requests include the Linkerd proxy that the injector adds, sized by
the ``config.linkerd.io/proxy-*`` annotations, because the quota is charged for it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

from .errors import ModelError

Obj = dict[str, Any]

POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout"}
WORKLOAD_KINDS = POD_TEMPLATE_KINDS | {"CronJob"}
PROXY_PREFIX = "config.linkerd.io/proxy-"
RESOURCES = ("cpu", "memory")


def quantity(value: Any, where: str) -> Decimal:
    try:
        return Decimal(parse_quantity(value))  # type: ignore[no-untyped-call]
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{where}: {value!r} is not a Kubernetes quantity") from exc


def pod_template(obj: Obj) -> Obj | None:
    """The pod template of a workload (CronJob: its job's), else None."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
        return spec.get("template")
    if kind in POD_TEMPLATE_KINDS:
        return spec.get("template")
    if kind == "Pod":
        return {"metadata": obj.get("metadata", {}), "spec": spec}
    return None


def workloads(objects: list[Obj]) -> list[Obj]:
    return [o for o in objects if o.get("kind") in WORKLOAD_KINDS]


def all_containers(pod_spec: Obj) -> list[Obj]:
    out: list[Obj] = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        out.extend(pod_spec.get(key) or [])
    return out


def meshed(template: Obj, namespace: Obj | None) -> bool:
    ann = (template.get("metadata") or {}).get("annotations") or {}
    if "linkerd.io/inject" in ann:
        return bool(ann["linkerd.io/inject"] == "enabled")
    ns_ann = ((namespace or {}).get("metadata") or {}).get("annotations") or {}
    return bool(ns_ann.get("linkerd.io/inject") == "enabled")


@dataclass(frozen=True)
class PodResources:
    """Requests and limits of one pod, sidecar included (Decimal cores and bytes)."""

    requests: dict[str, Decimal]
    limits: dict[str, Decimal]


def pod_resources(workload: Obj, namespace: Obj | None) -> PodResources:
    """Sum of the app containers plus the injected proxy; a missing value is an error."""
    template = pod_template(workload) or {}
    name = workload["metadata"]["name"]
    requests = dict.fromkeys(RESOURCES, Decimal(0))
    limits = dict.fromkeys(RESOURCES, Decimal(0))
    for c in (template.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        for kind, bucket in (("requests", requests), ("limits", limits)):
            for r in RESOURCES:
                value = (res.get(kind) or {}).get(r)
                if value is None:
                    raise ModelError(
                        f"{workload['kind']}/{name}: container {c.get('name')} has no {kind}.{r}"
                    )
                bucket[r] += quantity(value, f"{name}/{c.get('name')} {kind}.{r}")
    if meshed(template, namespace):
        ann = (template.get("metadata") or {}).get("annotations") or {}
        for kind, bucket in (("request", requests), ("limit", limits)):
            for r in RESOURCES:
                key = f"{PROXY_PREFIX}{r}-{kind}"
                if key not in ann:
                    raise ModelError(
                        f"{workload['kind']}/{name}: meshed pod without {key}; "
                        "the proxy's size would be the mesh default, unbudgeted"
                    )
                bucket[r] += quantity(ann[key], f"{name} {key}")
    return PodResources(requests, limits)


def proxy_container(workload: Obj) -> Obj:
    """The Linkerd proxy as the injector will add it, for LimitRange checks."""
    ann = ((pod_template(workload) or {}).get("metadata") or {}).get("annotations") or {}
    res: Obj = {"requests": {}, "limits": {}}
    for kind, key in (("request", "requests"), ("limit", "limits")):
        for r in RESOURCES:
            value = ann.get(f"{PROXY_PREFIX}{r}-{kind}")
            if value is not None:
                res[key][r] = value
    return {"name": "linkerd-proxy", "resources": res}


def as_deployment(rollout: Obj) -> Obj:
    """A Rollout's pod template as an apps/v1 Deployment, for tools that only know built-in
    kinds (kubernetes-validate, checkov): the pod spec is the same object the pods get."""
    meta = rollout["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            k: v for k, v in meta.items() if k in ("name", "namespace", "labels", "annotations")
        },
        "spec": {
            "selector": rollout["spec"]["selector"],
            "template": rollout["spec"]["template"],
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
        },
    }
