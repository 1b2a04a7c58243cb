"""Property: for any bill and any usage, every view adds up to the bill to the micro-dollar.

Bills are generated the way Cost Explorer builds them: from resources, each with
its own tags, so every grouping is a true marginal of the same spend (credits
included). Usage and capacity are arbitrary, overcommitted or empty.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.allocation.aggregate import (
    Line,
    Options,
    WorkloadMeta,
    attach_external,
    group_lines,
    share_in_cluster,
)
from app.allocation.bill import EC2_COMPUTE
from app.allocation.compute import Capacity, ContainerHours
from app.allocation.daily import ClusterInputs, ContainerKey, DayAllocation, allocate_day
from tests.unit.allocation.factories import Resource, bill_lines

SERVICES = [EC2_COMPUTE, "Amazon Relational Database Service", "Amazon Elastic Kubernetes Service"]
DIMS = {"service": "Service", "team": "Team"}
KEYS = ["eks:cluster-name", "Service", "Team"]

amounts = st.decimals(min_value=-20, max_value=500, places=6, allow_nan=False)
resources = st.lists(
    st.builds(
        Resource,
        aws_service=st.sampled_from(SERVICES),
        amount=amounts,
        tags=st.tuples(
            st.sampled_from(
                [(), (("eks:cluster-name", "tacos"),), (("eks:cluster-name", "gone"),)]
            ),
            st.sampled_from([(), (("Service", "api"),), (("Service", "db"),)]),
            st.sampled_from([(), (("Team", "checkout"),)]),
        ).map(lambda t: t[0] + t[1] + t[2]),
    ),
    max_size=12,
)


@st.composite
def cluster_inputs(draw: st.DrawFn) -> ClusterInputs:
    n = draw(st.integers(0, 4))
    keys = [
        ContainerKey("kube-system" if i == 0 else "tacos", "Deployment", f"w{i}", "app")
        for i in range(n)
    ]
    rows = draw(st.integers(0, 40)) if n else 0

    def arr() -> np.ndarray:  # type: ignore[type-arg]
        values = draw(st.lists(st.floats(0, 8), min_size=rows, max_size=rows))
        return np.array(values, dtype=np.float64)

    def ints(hi: int) -> np.ndarray:  # type: ignore[type-arg]
        return np.array(
            draw(st.lists(st.integers(0, hi), min_size=rows, max_size=rows)), dtype=np.int64
        )

    hours = ContainerHours(
        container=ints(max(n - 1, 0)),
        hour=ints(23),
        pod_hours=arr(),
        cpu_request=arr(),
        cpu_usage=arr(),
        memory_request=arr() * 2**30,
        memory_usage=arr() * 2**30,
    )
    scale = draw(st.sampled_from([0.0, 0.5, 1.0, 40.0]))
    cap = Capacity(
        cores=np.full(24, 4.0 * scale), gib=np.full(24, 16.0 * scale), price=np.full(24, scale)
    )
    return ClusterInputs(keys, hours, cap)


def _lines(a: DayAllocation) -> list[Line]:
    return [
        Line(
            cluster=i.cluster,
            category=i.category,
            namespace=i.namespace,
            kind=i.kind,
            workload=i.workload,
            container=i.container,
            cpu_cost=i.cpu_cost,
            ram_cost=i.ram_cost,
            other_cost=i.other_cost,
        )
        for i in a.items
    ]


@settings(max_examples=80, deadline=None)
@given(
    res=resources,
    inputs=cluster_inputs(),
    ratio=st.floats(0.1, 12),
    idle=st.sampled_from(["separate", "share"]),
    shared=st.sampled_from(["even", "weighted", "none"]),
    aggregate=st.sampled_from(["namespace", "service", "team", "workload"]),
)
def test_every_view_adds_up_to_the_bill(
    res: list[Resource],
    inputs: ClusterInputs,
    ratio: float,
    idle: str,
    shared: str,
    aggregate: str,
) -> None:
    a = allocate_day(
        date(2026, 11, 2),
        "AmortizedCost",
        bill_lines(res, KEYS),
        {"tacos": inputs},
        cluster_tag_key="eks:cluster-name",
        dimensions=DIMS,
        ratio=ratio,
    )
    bill = sum((r.amount for r in res), Decimal(0))
    if not res:
        assert a.status == "no_bill"
        return
    assert a.status == "reconciled" and a.bill_total == bill
    for dim in DIMS:
        assert (
            sum(i.cost for i in a.items)
            + a.external_total(dim, unallocated=False)
            + a.external_total(dim, unallocated=True)
            == bill
        )
    for cluster in ("tacos", "gone"):
        node_cost = sum(
            (
                r.amount
                for r in res
                if ("eks:cluster-name", cluster) in r.tags and r.aws_service == EC2_COMPUTE
            ),
            Decimal(0),
        )
        mine = [i for i in a.items if i.cluster == cluster and i.category != "overhead"]
        if node_cost >= 0:
            assert all(i.cpu_cost >= 0 and i.ram_cost >= 0 for i in mine)
        assert sum((i.cost for i in mine), Decimal(0)) == node_cost

    # Query-time views: sharing and grouping never create or lose money.
    opts = Options(aggregate, idle, shared, {"tacos": frozenset({"kube-system"})})
    dim = aggregate if aggregate in DIMS else "service"
    ext: dict[str, Decimal] = {}
    for e in a.external:
        if e.dimension == dim:
            ext[e.value] = ext.get(e.value, Decimal(0)) + e.amount
    lines = share_in_cluster(_lines(a), opts)
    meta = WorkloadMeta({}, {"service": "api", "team": "checkout"})
    if aggregate in DIMS:
        left = {(v or "__unallocated__"): x for v, x in ext.items()}
    else:
        left = attach_external(lines, ext, lambda line: "api")
    groups = group_lines(lines, aggregate, lambda line: meta, left)
    assert sum((g.total for g in groups), Decimal(0)) == bill
