"""Property, through the database: random bills and usage, ingested, allocated, stored
and queried back, still add up to the stored bill exactly, on SQLite and PostgreSQL.

Amounts carry up to 10 decimal places (as Cost Explorer prints them) so the storage
rounding to micro-dollars is part of what is tested.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.allocation.options import parse_options
from app.allocation.report import build_report
from app.allocation.store import allocate_days
from app.allocation.window import DayWindow
from app.settings import Settings
from collectors.records import Batch, TimeWindow
from tests.integration.allocation.scenario import DAY, T_DAY, cost_lines, ingest, usage_hour
from tests.integration.allocation.scenario import workload as workload_record
from tests.support.databases import empty_tables
from tests.unit.allocation.factories import Resource

SERVICES = ["Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service", "EKS"]
TAGS = st.tuples(
    st.sampled_from([(), (("eks:cluster-name", "tacos"),)]),
    st.sampled_from([(), (("Service", "w0"),), (("Service", "w1"),), (("Service", "lost"),)]),
    st.sampled_from([(), (("Team", "checkout"),)]),
).map(lambda t: t[0] + t[1] + t[2])
RESOURCES = st.lists(
    st.builds(
        Resource,
        aws_service=st.sampled_from(SERVICES),
        amount=st.decimals(min_value=-5, max_value=300, places=10, allow_nan=False),
        tags=TAGS,
    ),
    min_size=1,
    max_size=8,
)
USAGE = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 23), st.floats(0, 4), st.floats(0, 8)),
    max_size=30,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(resources=RESOURCES, usage=USAGE, ratio=st.sampled_from([1.0, 3.0, 9.0]))
def test_stored_allocation_adds_up_to_the_stored_bill(
    engine: Engine,
    sessions: sessionmaker[Session],
    resources: list[Resource],
    usage: list[tuple[int, int, float, float]],
    ratio: float,
) -> None:
    empty_tables(engine)
    window = TimeWindow.of_days(DAY, DAY)
    namespaces = ["tacos", "tacos", "kube-system"]
    seen: set[tuple[int, int]] = set()
    rows = []
    for w, h, cpu, mem in usage:
        if (w, h) not in seen:  # one row per container-hour, as collectors emit
            seen.add((w, h))
            rows.append(usage_hour(T_DAY + timedelta(hours=h), f"w{w}", cpu, mem, ns=namespaces[w]))
    batch = Batch(
        workloads=[workload_record(f"w{i}", T_DAY, "0.5", 1, ns=namespaces[i]) for i in range(3)],
        usage=rows,
        costs=cost_lines(DAY, resources),
    )
    ingest(sessions, batch, window)
    cfg = Settings(pricing={"cpu_to_memory_cost_ratio": ratio})
    allocate_days(sessions, cfg, DAY, DAY)
    with sessions() as s:
        bill = None
        for aggregate, idle, shared in [
            ("namespace", "separate", "weighted"),
            ("team", "share", "even"),
            ("service", "separate", "none"),
        ]:
            report = build_report(
                s,
                DayWindow(DAY, DAY + timedelta(days=1)),
                None,
                "AmortizedCost",
                parse_options(cfg, aggregate, idle, shared),
                list(cfg.cost_tags),
            )
            step = report.steps[0]
            rec = step.reconciliation
            assert rec.status == "reconciled", rec
            assert sum((g.total for g in step.groups), Decimal(0)) == rec.bill_total
            assert rec.allocated_total == rec.bill_total
            bill = rec.bill_total
        # The stored bill is the sum of the stored (micro-rounded) service lines.
        stored = sum(
            (c.amount.quantize(Decimal("0.000001")) for c in batch.costs if c.tag_key == ""),
            Decimal(0),
        )
        assert bill == stored
