"""Replica bounds of every workload: who scales it, between what bounds, and rollout surge."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ModelError
from .findings import Finding, ref
from .workloads import pod_template, workloads

Obj = dict[str, Any]


@dataclass(frozen=True)
class Bounds:
    min_replicas: int
    max_replicas: int
    surge: int  # extra pods a rolling update / canary may add at max_replicas
    scaler: Obj | None  # the HPA or ScaledObject, if any


def _target_key(target: Obj, default_kind: str) -> tuple[str, str]:
    return (target.get("kind") or default_kind, target.get("name") or "")


def scalers(objects: list[Obj]) -> dict[tuple[str, str], Obj]:
    """(kind, name) of a scaled workload -> the HPA or ScaledObject that scales it."""
    out: dict[tuple[str, str], Obj] = {}
    for o in objects:
        if o["kind"] == "HorizontalPodAutoscaler":
            out[_target_key(o["spec"]["scaleTargetRef"], "")] = o
        elif o["kind"] == "ScaledObject":
            out[_target_key(o["spec"]["scaleTargetRef"], "Deployment")] = o
    return out


def surge_pods(workload: Obj, replicas: int) -> int:
    """Pods above ``replicas`` during an update (Kubernetes rounds a percentage surge up)."""
    spec = workload.get("spec") or {}
    if workload["kind"] == "Rollout":
        strategy = (spec.get("strategy") or {}).get("canary") or (spec.get("strategy") or {}).get(
            "blueGreen"
        )
        if strategy is None:
            return 0
        if "blueGreen" in (spec.get("strategy") or {}):
            return replicas  # a full preview stack
        raw = strategy.get("maxSurge", "25%")
    elif workload["kind"] == "Deployment":
        strategy = spec.get("strategy") or {}
        if strategy.get("type") == "Recreate":
            return 0
        raw = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    else:
        return 0
    if isinstance(raw, str) and raw.endswith("%"):
        return math.ceil(replicas * int(raw[:-1]) / 100)
    return int(raw)


def bounds(workload: Obj, scaler_index: dict[tuple[str, str], Obj]) -> Bounds:
    name = workload["metadata"]["name"]
    scaler = scaler_index.get((workload["kind"], name))
    spec = workload.get("spec") or {}
    if scaler is None:
        replicas = int(spec.get("replicas", 1))
        return Bounds(replicas, replicas, surge_pods(workload, replicas), None)
    s = scaler["spec"]
    if scaler["kind"] == "HorizontalPodAutoscaler":
        lo, hi = int(s.get("minReplicas", 1)), int(s["maxReplicas"])
    else:
        lo, hi = int(s.get("minReplicaCount", 0)), int(s.get("maxReplicaCount", 100))
    if lo > hi:
        raise ModelError(f"{ref(scaler)}: min replicas {lo} > max replicas {hi}")
    return Bounds(lo, hi, surge_pods(workload, hi), scaler)


def check_replicas_left_to_scaler(objects: list[Obj]) -> list[Finding]:
    """A scaled workload must not pin spec.replicas: Argo CD self-heal would fight the HPA."""
    index = scalers(objects)

    def owner(w: Obj) -> str:
        return ref(index[(w["kind"], w["metadata"]["name"])])

    return [
        Finding(
            "replicas",
            ref(w),
            f"sets spec.replicas={w['spec']['replicas']} but {owner(w)} "
            "owns the replica count; Argo CD self-heal would reset every scale event",
        )
        for w in workloads(objects)
        if (w["kind"], w["metadata"]["name"]) in index
        and "replicas" in (w.get("spec") or {})
        and pod_template(w) is not None
    ]
