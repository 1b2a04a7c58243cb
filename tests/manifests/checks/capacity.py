"""Capacity checks: quota and LimitRange admit the fleet at its maximum, the fleet serves the
target RPS, and the database connection limit holds while the fleet is at its maximum.

Everything is computed at *max replicas plus rollout surge*: the moment a deploy lands during a
traffic peak is the moment a too-small quota or connection limit bites.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .findings import Finding, ref
from .model import Model
from .scaling import bounds, scalers
from .workloads import RESOURCES, pod_resources, pod_template, proxy_container, quantity, workloads

Obj = dict[str, Any]
GI = Decimal(2**30)


def _namespace(objects: list[Obj]) -> Obj | None:
    return next((o for o in objects if o["kind"] == "Namespace"), None)


def fleet_need(objects: list[Obj]) -> dict[str, Decimal]:
    """What the quota must admit: every workload at max replicas plus surge, proxy included."""
    ns = _namespace(objects)
    index = scalers(objects)
    need = {"pods": Decimal(0)} | {
        f"{k}.{r}": Decimal(0) for k in ("requests", "limits") for r in RESOURCES
    }
    for w in workloads(objects):
        b = bounds(w, index)
        pods = Decimal(b.max_replicas + b.surge)
        res = pod_resources(w, ns)
        need["pods"] += pods
        for r in RESOURCES:
            need[f"requests.{r}"] += pods * res.requests[r]
            need[f"limits.{r}"] += pods * res.limits[r]
    return need


def _round_up(key: str, value: Decimal) -> Decimal:
    """Quota granularity we allow above the exact need: whole cores, whole GiB, whole pods."""
    if key.endswith("memory"):
        return Decimal(math.ceil(value / GI)) * GI
    return Decimal(math.ceil(value))


def _show(key: str, value: Decimal) -> str:
    return f"{(value / GI):.2f}Gi" if key.endswith("memory") else f"{value.normalize():f}"


def check_quota(objects: list[Obj], model: Model) -> list[Finding]:
    quotas = [o for o in objects if o["kind"] == "ResourceQuota"]
    if not quotas:
        return [Finding("quota", f"Namespace/{model.namespace}", "no ResourceQuota")]
    need = fleet_need(objects)
    findings = []
    for q in quotas:
        hard = (q.get("spec") or {}).get("hard") or {}
        for key, required in need.items():
            if key not in hard:
                findings.append(Finding("quota", ref(q), f"does not limit {key}"))
                continue
            have = quantity(hard[key], f"{ref(q)} {key}")
            ceiling = _round_up(key, required * (1 + model.quota_headroom))
            if have < required:
                findings.append(
                    Finding(
                        "quota",
                        ref(q),
                        f"{key}={hard[key]} does not admit the fleet at "
                        f"max replicas plus surge, which needs {_show(key, required)}",
                    )
                )
            elif have > ceiling:
                findings.append(
                    Finding(
                        "quota",
                        ref(q),
                        f"{key}={hard[key]} exceeds the need "
                        f"{_show(key, required)} plus the stated headroom "
                        f"{model.quota_headroom} (at most {_show(key, ceiling)})",
                    )
                )
    return findings


def _fits(container: Obj, limits: Obj) -> list[str]:
    """Why one container does not fit one LimitRange item (empty when it fits)."""
    res = container.get("resources") or {}
    where = f"container {container['name']}"
    out = []
    for r in RESOURCES:
        req = (res.get("requests") or {}).get(r)
        lim = (res.get("limits") or {}).get(r)
        lo = (limits.get("min") or {}).get(r)
        hi = (limits.get("max") or {}).get(r)
        ratio = (limits.get("maxLimitRequestRatio") or {}).get(r)
        if req is not None and lo is not None and quantity(req, where) < quantity(lo, "min"):
            out.append(f"{where} requests {r}={req} below the LimitRange min {lo}")
        if lim is not None and hi is not None and quantity(lim, where) > quantity(hi, "max"):
            out.append(f"{where} limit {r}={lim} above the LimitRange max {hi}")
        if req is not None and lim is not None and ratio is not None:
            actual = quantity(lim, where) / quantity(req, where)
            if actual > quantity(ratio, "ratio"):
                out.append(
                    f"{where} {r} limit/request ratio {actual:.2f} above the LimitRange's {ratio}"
                )
    return out


def check_limit_range(objects: list[Obj]) -> list[Finding]:
    """Every container (and the injected proxy) fits the LimitRange's min, max and ratio."""
    items = [
        item
        for o in objects
        if o["kind"] == "LimitRange"
        for item in (o.get("spec") or {}).get("limits") or []
        if item.get("type") == "Container"
    ]
    findings: list[Finding] = []
    for w in workloads(objects):
        spec = (pod_template(w) or {}).get("spec") or {}
        for c in [*(spec.get("containers") or []), proxy_container(w)]:
            for item in items:
                findings.extend(Finding("limitrange", ref(w), m) for m in _fits(c, item))
    return findings


def _annotation(w: Obj, key: str) -> str | None:
    ann = ((pod_template(w) or {}).get("metadata") or {}).get("annotations") or {}
    value = ann.get(f"capacity.tacos.io/{key}")
    return None if value is None else str(value)


def _hpa_rps_target(scaler: Obj | None) -> Decimal | None:
    if scaler is None or scaler["kind"] != "HorizontalPodAutoscaler":
        return None
    for m in scaler["spec"].get("metrics") or []:
        if m.get("type") == "Pods" and m["pods"]["metric"]["name"] == "http_requests_per_second":
            return quantity(m["pods"]["target"]["averageValue"], ref(scaler))
    return None


def check_rps_capacity(objects: list[Obj], model: Model) -> list[Finding]:
    """max replicas x per-pod capacity >= the service's share of the target RPS, and the HPA
    reaches that load before its maximum (max x RPS target >= need)."""
    index = scalers(objects)
    by_name = {w["metadata"]["name"]: w for w in workloads(objects)}
    findings = []
    for svc, need in sorted(model.service_rps().items()):
        w = by_name.get(svc)
        if w is None:
            findings.append(
                Finding("rps", svc, "is in the traffic mix but no workload has that name")
            )
            continue
        raw = _annotation(w, "rps-per-pod")
        if raw is None:
            findings.append(
                Finding("rps", ref(w), "has no capacity.tacos.io/rps-per-pod annotation")
            )
            continue
        per_pod = quantity(raw, ref(w))
        b = bounds(w, index)
        if b.max_replicas * per_pod < need:
            findings.append(
                Finding(
                    "rps",
                    ref(w),
                    f"max {b.max_replicas} replicas x {per_pod} rps/pod = "
                    f"{b.max_replicas * per_pod} < {need.normalize():f} rps needed at "
                    f"{model.target_rps} rps aggregate",
                )
            )
        target = _hpa_rps_target(b.scaler)
        if b.scaler is not None and b.scaler["kind"] == "HorizontalPodAutoscaler":
            if target is None:
                findings.append(
                    Finding("rps", ref(b.scaler), "does not scale on http_requests_per_second")
                )
            elif target > per_pod:
                findings.append(
                    Finding(
                        "rps",
                        ref(b.scaler),
                        f"RPS target {target} is above the pod's "
                        f"capacity {per_pod}: pods saturate before it scales",
                    )
                )
            elif b.max_replicas * target < need:
                findings.append(
                    Finding(
                        "rps",
                        ref(b.scaler),
                        f"max {b.max_replicas} x target {target} = "
                        f"{b.max_replicas * target} < {need.normalize():f}: the HPA sits "
                        "at its maximum at the design load",
                    )
                )
    return findings


def check_db_connections(objects: list[Obj], model: Model) -> list[Finding]:
    """Sum of (max replicas + surge) x pool size stays under the database's usable limit, and
    each pool annotation matches the pool size the container is actually configured with."""
    index = scalers(objects)
    findings = []
    total = 0
    parts = []
    for w in workloads(objects):
        raw = _annotation(w, "db-pool-per-pod")
        if raw is None:
            findings.append(
                Finding("db", ref(w), "has no capacity.tacos.io/db-pool-per-pod annotation")
            )
            continue
        pool = int(raw)
        env = {
            e["name"]: e.get("value")
            for c in ((pod_template(w) or {}).get("spec") or {}).get("containers") or []
            for e in c.get("env") or []
        }
        configured = env.get("DB_POOL_MAX_SIZE")
        if pool and configured is None:
            findings.append(
                Finding(
                    "db",
                    ref(w),
                    f"annotation says a pool of {pool} but no container sets DB_POOL_MAX_SIZE",
                )
            )
        elif configured is not None and int(configured) != pool:
            findings.append(
                Finding(
                    "db",
                    ref(w),
                    f"DB_POOL_MAX_SIZE={configured} disagrees with "
                    f"capacity.tacos.io/db-pool-per-pod={pool}",
                )
            )
        b = bounds(w, index)
        pool = max(pool, int(configured or 0))
        total += (b.max_replicas + b.surge) * pool
        if pool:
            parts.append(f"{w['metadata']['name']} ({b.max_replicas}+{b.surge}) x {pool}")
    usable = model.db_max_connections - model.db_reserved_connections
    if total > usable:
        findings.append(
            Finding(
                "db",
                f"Namespace/{model.namespace}",
                f"{' + '.join(parts)} = {total} "
                f"connections > {usable} usable ({model.db_max_connections} max - "
                f"{model.db_reserved_connections} reserved)",
            )
        )
    return findings
