"""Synthetic inputs for the allocation benchmarks: N workloads on one cluster.

Deterministic (seeded numpy): each workload has one container with a request, a
usage profile with a daily peak, and replicas; the bill has the cluster's EC2
compute plus tagged RDS/SQS per service and untagged spend, in the convention's
groupings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from app.allocation.bill import EC2_COMPUTE, BillLine
from app.allocation.compute import Capacity, ContainerHours
from app.allocation.daily import ClusterInputs, ContainerKey

GIB = 2**30
TEAMS = ["checkout", "catalog", "payments", "platform", "growth"]


def keys(n: int) -> list[ContainerKey]:
    return [
        ContainerKey(
            "kube-system" if i % 50 == 0 else f"ns-{i % 40}", "Deployment", f"svc-{i}", "app"
        )
        for i in range(n)
    ]


def cluster_day(n: int, seed: int) -> ClusterInputs:
    rng = np.random.default_rng(seed)
    hours = np.tile(np.arange(24, dtype=np.int64), n)
    container = np.repeat(np.arange(n, dtype=np.int64), 24)
    req = np.repeat(rng.choice([0.1, 0.25, 0.5, 1.0, 2.0], n), 24)
    peak = 0.5 + 0.5 * np.sin((hours - 6) / 24 * 2 * np.pi)
    use = req * rng.uniform(0.2, 1.3, n * 24) * (0.4 + 0.6 * peak)
    mem_req = np.repeat(rng.choice([0.25, 0.5, 1.0, 2.0], n), 24) * GIB
    mem_use = mem_req * rng.uniform(0.3, 1.1, n * 24)
    pods = np.repeat(rng.integers(1, 6, n).astype(np.float64), 24) * (0.7 + 0.6 * peak)
    rows = ContainerHours(container, hours, pods, req, use, mem_req, mem_use)
    cores_needed = float((np.maximum(req, use) * pods).sum() / 24) * 1.3
    nodes = np.ceil(cores_needed / 8)
    cap = Capacity(
        cores=np.full(24, nodes * 8.0),
        gib=np.full(24, nodes * 32.0),
        price=np.full(24, nodes * 0.384),
    )
    return ClusterInputs(keys(n), rows, cap)


def bill(n: int, day: date, node_cost: Decimal) -> list[BillLine]:
    rds = "Amazon Relational Database Service"
    lines = [
        BillLine(EC2_COMPUTE, "", "", node_cost + Decimal("57.123456")),
        BillLine(EC2_COMPUTE, "eks:cluster-name", "bench", node_cost),
        BillLine(EC2_COMPUTE, "eks:cluster-name", "", Decimal("57.123456")),
        BillLine(EC2_COMPUTE, "Service", "", node_cost + Decimal("57.123456")),
    ]
    teams: dict[str, Decimal] = {}
    for i in range(0, n, 10):
        amount = (Decimal(i % 97 + 3) / 7).quantize(Decimal("0.000001"))
        lines.append(BillLine(rds, "Service", f"svc-{i}", amount))
        team = TEAMS[i % len(TEAMS)]
        teams[team] = teams.get(team, Decimal(0)) + amount
    lines.extend(BillLine(rds, "Team", t, a) for t, a in sorted(teams.items()))
    total = sum(
        (x.amount for x in lines if x.aws_service == rds and x.tag_key == "Service"), Decimal(0)
    )
    lines.append(BillLine(rds, "", "", total + Decimal("12.5")))
    lines.append(BillLine(rds, "Service", "", Decimal("12.5")))
    lines.append(BillLine(rds, "Team", "", Decimal("12.5")))
    lines.append(BillLine(rds, "eks:cluster-name", "", total + Decimal("12.5")))
    return lines
