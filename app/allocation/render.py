"""Turn an allocation report into JSON-ready dicts and CSV text (no I/O).

Money goes out as decimal strings (exact; what finance tools expect), quantities and
efficiencies as numbers. Field names follow OpenCost's allocation API where one exists.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from app.allocation.aggregate import Group
from app.allocation.report import AllocationReport, Reconciliation


def money(v: Decimal) -> str:
    return f"{v:.6f}"


def _num(v: float | None, digits: int = 6) -> float | None:
    return None if v is None else round(v, digits)


def group_dict(g: Group) -> dict[str, Any]:
    cpu_eff, ram_eff, total_eff = g.efficiency()
    return {
        "name": g.name,
        "cpuCoreHours": _num(g.cpu_core_hours),
        "cpuCoreRequestHours": _num(g.cpu_request_core_hours),
        "cpuCoreUsageHours": _num(g.cpu_usage_core_hours),
        "ramGiBHours": _num(g.ram_gib_hours),
        "ramGiBRequestHours": _num(g.ram_request_gib_hours),
        "ramGiBUsageHours": _num(g.ram_usage_gib_hours),
        "cpuCost": money(g.cpu_cost),
        "ramCost": money(g.ram_cost),
        "overheadCost": money(g.other_cost),
        "idleCost": money(g.idle_cost),
        "sharedCost": money(g.shared_cost),
        "externalCost": money(g.external_cost),
        "externalCostByService": {
            s: money(a) for s, a in sorted(g.external_by_service.items()) if a != 0
        },
        "totalCost": money(g.total),
        "cpuEfficiency": _num(cpu_eff, 4),
        "ramEfficiency": _num(ram_eff, 4),
        "totalEfficiency": _num(total_eff, 4),
    }


def _efficiency(g: Group) -> dict[str, float | None]:
    cpu, ram, total = g.efficiency()
    return {"cpu": _num(cpu, 4), "ram": _num(ram, 4), "total": _num(total, 4)}


def reconciliation_dict(r: Reconciliation) -> dict[str, Any]:
    return {
        "status": r.status,
        "billTotal": money(r.bill_total),
        "allocatedTotal": money(r.allocated_total),
        "difference": money(r.difference),
        "parts": {
            "workloads": money(r.workloads),
            "idle": money(r.idle),
            "shared": money(r.shared),
            "external": money(r.external),
            "unallocated": money(r.unallocated),
        },
        "missingDays": [d.isoformat() for d in r.missing_days],
        "noBillDays": [d.isoformat() for d in r.no_bill_days],
        "estimatedDays": [d.isoformat() for d in r.estimated_days],
        "notes": r.notes[:50],
    }


def worst_status(report: AllocationReport) -> str:
    order = ["reconciled", "estimated", "incomplete", "empty"]
    return max((s.reconciliation.status for s in report.steps), key=order.index)


def report_dict(report: AllocationReport) -> dict[str, Any]:
    o = report.options
    return {
        "window": report.window.as_json(),
        "metric": report.metric,
        "currency": "USD",
        "aggregate": o.aggregate,
        "idle": o.idle,
        "shared": o.shared,
        "reconciliation": worst_status(report),
        "steps": [
            {
                "window": s.window.as_json(),
                "items": [group_dict(g) for g in s.groups],
                "efficiency": _efficiency(s.workloads),
                "reconciliation": reconciliation_dict(s.reconciliation),
            }
            for s in report.steps
        ],
    }


CSV_FIELDS = [
    "windowStart",
    "windowEnd",
    "name",
    "cpuCoreHours",
    "cpuCoreRequestHours",
    "cpuCoreUsageHours",
    "ramGiBHours",
    "ramGiBRequestHours",
    "ramGiBUsageHours",
    "cpuCost",
    "ramCost",
    "overheadCost",
    "idleCost",
    "sharedCost",
    "externalCost",
    "totalCost",
    "cpuEfficiency",
    "ramEfficiency",
    "totalEfficiency",
    "reconciliation",
]


def report_csv(report: AllocationReport) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for s in report.steps:
        for g in s.groups:
            row = group_dict(g)
            row["windowStart"] = s.window.as_json()["start"]
            row["windowEnd"] = s.window.as_json()["end"]
            row["reconciliation"] = s.reconciliation.status
            w.writerow({k: ("" if row[k] is None else row[k]) for k in CSV_FIELDS})
    return buf.getvalue()
