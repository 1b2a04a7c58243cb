"""The allocation report for a window: what the API, the CSV and the CLI show.

Composition only: stored rows come from ``queries``, the arithmetic from
``aggregate``. Each step carries its reconciliation: the parts (workloads, idle,
shared, out-of-cluster, unallocated) against the Cost Explorer bill of its days,
with the days that are missing, estimated or not billed yet named explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.allocation.aggregate import (
    EXTERNAL,
    Group,
    Line,
    Options,
    WorkloadMeta,
    attach_external,
    group_lines,
    share_in_cluster,
)
from app.allocation.daily import UNALLOCATED
from app.allocation.models import AllocationDay
from app.allocation.queries import group_by_step, load_days, load_external, load_lines, load_meta
from app.allocation.window import DayWindow, split_steps

ZERO = Decimal(0)


@dataclass
class Reconciliation:
    status: str  # reconciled | estimated | incomplete | empty
    bill_total: Decimal
    allocated_total: Decimal
    workloads: Decimal
    idle: Decimal
    shared: Decimal
    external: Decimal
    unallocated: Decimal
    missing_days: list[date] = field(default_factory=list)
    no_bill_days: list[date] = field(default_factory=list)
    estimated_days: list[date] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.allocated_total - self.bill_total


@dataclass
class StepReport:
    window: DayWindow
    groups: list[Group]
    reconciliation: Reconciliation
    workloads: Group  # every workload of the step together: the cluster-wide efficiency


@dataclass
class AllocationReport:
    window: DayWindow
    metric: str
    options: Options
    steps: list[StepReport]


def _reconcile(
    step: DayWindow,
    days: list[AllocationDay],
    lines: list[Line],
    external: dict[str, Decimal],
    opts: Options,
) -> Reconciliation:
    """The parts before any sharing, against the bill of the step's days."""
    seen = {d.day: d for d in days}
    workloads = idle = shared = ZERO
    for line in lines:
        if line.category == "idle":
            idle += line.own_cost
        elif line.category == "overhead" or line.namespace in opts.shared_in(line.cluster):
            shared += line.own_cost
        else:
            workloads += line.own_cost
    unallocated = external.get("", ZERO)
    ext = sum((a for v, a in external.items() if v), ZERO)
    rec = Reconciliation(
        status="reconciled",
        bill_total=sum((d.bill_total for d in days if d.bill_total is not None), ZERO),
        allocated_total=workloads + idle + shared + ext + unallocated,
        workloads=workloads,
        idle=idle,
        shared=shared,
        external=ext,
        unallocated=unallocated,
        missing_days=[d for d in step.each_day() if d not in seen],
        no_bill_days=[d.day for d in days if d.status == "no_bill"],
        estimated_days=[d.day for d in days if d.status == "estimated"],
    )
    for d in days:
        rec.notes.extend(f"{d.day}: {n}" for n in d.notes)
    if not days:
        rec.status = "empty"
        rec.notes.insert(0, "no allocation stored for this window: run `finops allocate`")
    elif rec.missing_days or rec.no_bill_days or rec.difference != 0:
        rec.status = "incomplete"
    elif rec.estimated_days:
        rec.status = "estimated"
    return rec


def _merge(groups: list[Group]) -> Group:
    out = Group("all")
    for g in groups:
        for attr in (
            "cpu_core_hours",
            "cpu_request_core_hours",
            "cpu_usage_core_hours",
            "ram_gib_hours",
            "ram_request_gib_hours",
            "ram_usage_gib_hours",
            "cpu_cost",
            "ram_cost",
        ):
            setattr(out, attr, getattr(out, attr) + getattr(g, attr))
    return out


def build_report(
    session: Session,
    window: DayWindow,
    step: str | int | None,
    metric: str,
    opts: Options,
    cost_tag_names: list[str],
    meta: Mapping[tuple[str, str, str, str], WorkloadMeta] | None = None,
) -> AllocationReport:
    """The report for ``window``; ``meta`` (labels and cost tags) is loaded when not given."""
    steps = split_steps(window, step)
    by_day = step is not None
    dimension = opts.aggregate if opts.aggregate in cost_tag_names else "service"
    lines = group_by_step(
        load_lines(
            session, window, metric, by_container=opts.aggregate == "container", by_day=by_day
        ),
        steps,
    )
    ext_rows = load_external(session, window, metric, dimension, by_day=by_day)
    external = group_by_step([(d, (v, svc, a)) for d, v, svc, a in ext_rows], steps)
    days = load_days(session, window, metric)
    meta = (
        load_meta(session)
        if opts.aggregate not in {"cluster", "namespace", "workload", "container"}
        or dimension == "service"
        else {}
    )

    def meta_of(line: Line) -> WorkloadMeta | None:
        return meta.get((line.cluster, line.namespace, line.kind, line.workload))

    def service_of(line: Line) -> str | None:
        m = meta_of(line)
        return m.cost_tags.get("service") if m else None

    out: list[StepReport] = []
    for i, s in enumerate(steps):
        step_lines: list[Line] = lines.get(i, [])
        step_ext: dict[str, Decimal] = {}
        detail: dict[str, dict[str, Decimal]] = {}  # tag value -> AWS service -> amount
        for value, service, amount in external.get(i, []):
            step_ext[value] = step_ext.get(value, ZERO) + amount
            per = detail.setdefault(value, {})
            per[service] = per.get(service, ZERO) + amount
        rec = _reconcile(
            s,
            [d for d in days if s.start <= d.day < s.end],
            step_lines,
            step_ext,
            opts,
        )
        shared = share_in_cluster(step_lines, opts)
        if dimension == opts.aggregate:  # grouped by a cost tag: its own AWS tag view
            leftover = {(v or UNALLOCATED): a for v, a in step_ext.items()}
            why = {(v or UNALLOCATED): d for v, d in detail.items()}
        else:
            leftover = attach_external(shared, step_ext, service_of)
            carried = {service_of(w) for w in shared if w.category == "workload"}
            why = {UNALLOCATED: detail.get("", {}), EXTERNAL: {}}
            for value, per in detail.items():
                if value and value not in carried:
                    for service, amount in per.items():
                        why[EXTERNAL][service] = why[EXTERNAL].get(service, ZERO) + amount
        everything = group_lines(
            [w for w in step_lines if w.category == "workload"], "cluster", meta_of, {}
        )
        total = everything[0] if len(everything) == 1 else _merge(everything)
        out.append(
            StepReport(s, group_lines(shared, opts.aggregate, meta_of, leftover, why), rec, total)
        )
    return AllocationReport(window, metric, opts, out)
