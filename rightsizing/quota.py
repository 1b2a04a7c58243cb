"""ResourceQuota capping: the namespace must still admit every workload at max replicas.

With ``hard`` limits from the namespace's ResourceQuota and what the other
workloads take at their max replicas, one pod of this workload may use at most
``(hard - others) / max_replicas``. A recommendation above that is capped (never
below the current value: a quota that is already over-committed is not this
change's fault) and says so.
"""

from __future__ import annotations

from rightsizing.inputs import QuotaContext


def per_pod_allowance(quota: QuotaContext, key: str, max_replicas: int) -> float | None:
    hard = quota.hard.get(key)
    if hard is None:
        return None
    return (hard - quota.others_at_max.get(key, 0.0)) / max(max_replicas, 1)


def cap(
    quota: QuotaContext | None,
    key: str,
    new: float | None,
    current: float | None,
    max_replicas: int,
) -> tuple[float | None, str | None]:
    """The value the quota admits, and a note when it had to cap ``new``."""
    if quota is None or new is None:
        return new, None
    allowed = per_pod_allowance(quota, key, max_replicas)
    if allowed is None or new <= allowed:
        return new, None
    floor = min(new, current) if current is not None else 0.0
    capped = max(allowed, floor)
    if capped >= new:
        return new, None
    return capped, (
        f"{key} capped at {capped:.4g} per pod by the namespace ResourceQuota "
        f"({max_replicas} max replicas; wanted {new:.4g})"
    )
