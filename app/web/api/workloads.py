"""``GET /api/v1/workloads``: inventory with current requests and last-day usage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter

from app.queries.workloads import list_workloads
from app.web.deps import SessionDep

router = APIRouter(tags=["workloads"])


def _num(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


@router.get("/workloads")
def workloads(
    session: SessionDep, namespace: str | None = None, cluster: str | None = None
) -> dict[str, Any]:
    items = []
    for w in list_workloads(session, namespace=namespace, cluster=cluster):
        items.append(
            {
                "cluster": w.cluster,
                "namespace": w.namespace,
                "kind": w.kind,
                "name": w.name,
                "replicas": w.replicas,
                "cost_tags": w.cost_tags,
                "autoscalers": w.autoscalers,
                "containers": [
                    {
                        "name": c.name,
                        "cpu_request_cores": _num(c.cpu_request),
                        "cpu_limit_cores": _num(c.cpu_limit),
                        "memory_request_bytes": _num(c.memory_request),
                        "memory_limit_bytes": _num(c.memory_limit),
                    }
                    for c in w.containers
                ],
                "last_day": {
                    "hours_with_usage": w.usage_hours,
                    "cpu_avg_cores": w.cpu_avg_cores,
                    "cpu_p95_cores_per_pod": w.cpu_p95_cores,
                    "memory_max_bytes_per_pod": w.memory_max_bytes,
                },
            }
        )
    return {"items": items, "count": len(items)}
