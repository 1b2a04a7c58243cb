"""Builders of pure inputs for allocation tests: bills from resources, usage rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from app.allocation.bill import EC2_COMPUTE, BillLine
from app.allocation.compute import Capacity, ContainerHours

DIMENSIONS = {"service": "Service", "team": "Team"}
CLUSTER_TAG = "eks:cluster-name"
GIB = 2**30


@dataclass(frozen=True)
class Resource:
    """One AWS resource's cost for a day and its tags: the groupings are its marginals."""

    aws_service: str
    amount: Decimal
    tags: tuple[tuple[str, str], ...] = ()


def bill_lines(resources: list[Resource], tag_keys: list[str]) -> list[BillLine]:
    """The Cost Explorer groupings of the convention, computed from resources."""
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in resources:
        sums[(r.aws_service, "", "")] += r.amount
        tags = dict(r.tags)
        for key in tag_keys:
            sums[(r.aws_service, key, tags.get(key, ""))] += r.amount
    return [BillLine(s, k, v, a) for (s, k, v), a in sorted(sums.items())]


def example_resources() -> list[Resource]:
    d = Decimal
    return [
        Resource(EC2_COMPUTE, d("80"), (("eks:cluster-name", "tacos"), ("Environment", "prod"))),
        Resource(EC2_COMPUTE, d("20"), (("Environment", "prod"),)),
        Resource("Amazon Elastic Kubernetes Service", d("2.4"), (("eks:cluster-name", "tacos"),)),
        Resource(
            "Amazon Relational Database Service",
            d("30"),
            (("Service", "reservation-api"), ("Team", "checkout")),
        ),
        Resource(
            "Amazon Relational Database Service",
            d("15"),
            (("Service", "payment-sim-api"), ("Team", "checkout")),
        ),
        Resource("Amazon Relational Database Service", d("5")),
        Resource("Amazon Simple Storage Service", d("1"), (("Service", "reservation-api"),)),
        Resource("Amazon Simple Storage Service", d("6.6")),
    ]


def flat_capacity(cores: float, gib: float, price: float) -> Capacity:
    return Capacity(cores=np.full(24, cores), gib=np.full(24, gib), price=np.full(24, price))


def steady_rows(
    n: int,
    *,
    cpu_request: float,
    cpu_usage: float,
    mem_request_gib: float,
    mem_usage_gib: float,
    pods: float = 1.0,
) -> ContainerHours:
    """``n`` containers, each running every hour of the day with the same figures."""
    size = 24 * n
    return ContainerHours(
        container=np.repeat(np.arange(n, dtype=np.int64), 24),
        hour=np.tile(np.arange(24, dtype=np.int64), n),
        pod_hours=np.full(size, float(pods)),
        cpu_request=np.full(size, float(cpu_request)),
        cpu_usage=np.full(size, float(cpu_usage)),
        memory_request=np.full(size, float(mem_request_gib * GIB)),
        memory_usage=np.full(size, float(mem_usage_gib * GIB)),
    )
