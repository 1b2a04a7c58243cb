"""Read one day's allocation inputs from the database (no arithmetic here).

Usage rows are charged at the request in force in their hour: the container spec
version with ``valid_from <= hour < valid_to``; an hour before the first known
version takes the earliest version (the best knowledge of that container), and a
container never described has no request (allocation = usage). Node capacity per
hour counts every node whose first/last sighting overlaps the hour.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.allocation.bill import BillLine
from app.allocation.compute import HOURS, Capacity, ContainerHours
from app.allocation.daily import ClusterInputs, ContainerKey
from app.db.models import Cluster, ContainerSpecVersion, CostLineRow, Node, UsageHour, Workload


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def load_bill_lines(session: Session, day: date, metric: str) -> list[BillLine]:
    rows = session.execute(
        select(
            CostLineRow.aws_service,
            CostLineRow.tag_key,
            CostLineRow.tag_value,
            CostLineRow.amount,
            CostLineRow.estimated,
        ).where(CostLineRow.day == day, CostLineRow.metric == metric)
    )
    return [BillLine(s, k, v, a, e) for s, k, v, a, e in rows]


_Spec = tuple[datetime, float, float]  # valid_from, cpu request, memory request


def _spec_index(
    session: Session, workload_ids: list[int], start: datetime, end: datetime
) -> dict[tuple[int, str], list[_Spec]]:
    out: dict[tuple[int, str], list[_Spec]] = defaultdict(list)
    if not workload_ids:
        return out
    rows = session.execute(
        select(
            ContainerSpecVersion.workload_id,
            ContainerSpecVersion.container,
            ContainerSpecVersion.valid_from,
            ContainerSpecVersion.cpu_request,
            ContainerSpecVersion.memory_request,
        )
        .where(
            ContainerSpecVersion.workload_id.in_(workload_ids),
            ContainerSpecVersion.valid_from < end,
            (ContainerSpecVersion.valid_to.is_(None)) | (ContainerSpecVersion.valid_to > start),
        )
        .order_by(ContainerSpecVersion.valid_from)
    )
    for wid, container, valid_from, cpu, mem in rows:
        out[(wid, container)].append((valid_from, float(cpu or 0), float(mem or 0)))
    return out


def _request_at(versions: list[_Spec], hour: datetime) -> tuple[float, float]:
    if not versions:
        return 0.0, 0.0
    i = bisect_right([v[0] for v in versions], hour) - 1
    v = versions[max(i, 0)]
    return v[1], v[2]


def _capacity(session: Session, cluster_id: int, start: datetime, end: datetime) -> Capacity:
    cap = Capacity(cores=np.zeros(HOURS), gib=np.zeros(HOURS), price=np.zeros(HOURS))
    nodes = session.execute(
        select(
            Node.first_seen, Node.last_seen, Node.cpu_cores, Node.memory_bytes, Node.hourly_price
        ).where(Node.cluster_id == cluster_id, Node.first_seen < end, Node.last_seen > start)
    )
    for first, last, cores, mem, price in nodes:
        for h in range(HOURS):
            h0 = start + timedelta(hours=h)
            if first < h0 + timedelta(hours=1) and last > h0:
                cap.cores[h] += float(cores)
                cap.gib[h] += float(mem) / 2**30
                cap.price[h] += float(price or 0)
    return cap


def load_cluster_inputs(session: Session, day: date) -> dict[str, ClusterInputs]:
    """Every cluster with usage or nodes on ``day``: container-hours and capacity."""
    start, end = day_bounds(day)
    clusters: dict[int, str] = {}
    for cid, name in session.execute(select(Cluster.id, Cluster.name)):
        clusters[cid] = name
    usage = session.execute(
        select(
            UsageHour.cluster_id,
            UsageHour.namespace,
            UsageHour.workload_kind,
            UsageHour.workload,
            UsageHour.container,
            UsageHour.hour,
            UsageHour.pod_hours,
            UsageHour.cpu_avg,
            UsageHour.memory_avg,
        )
        .where(UsageHour.hour >= start, UsageHour.hour < end)
        .order_by(UsageHour.cluster_id, UsageHour.namespace, UsageHour.workload, UsageHour.hour)
    ).all()
    workload_ids = {
        (cid, ns, kind, name): wid
        for wid, cid, ns, kind, name in session.execute(
            select(
                Workload.id, Workload.cluster_id, Workload.namespace, Workload.kind, Workload.name
            )
        )
    }
    specs = _spec_index(session, sorted(set(workload_ids.values())), start, end)
    per_cluster: dict[int, list[tuple[int, int, float, float, float, float, float]]] = defaultdict(
        list
    )
    keys: dict[int, dict[ContainerKey, int]] = defaultdict(dict)
    for cid, ns, kind, wl, container, hour, pod_hours, cpu, mem in usage:
        key = ContainerKey(ns, kind, wl, container)
        index = keys[cid].setdefault(key, len(keys[cid]))
        wid = workload_ids.get((cid, ns, kind, wl))
        cpu_req, mem_req = _request_at(specs.get((wid, container), []), hour) if wid else (0, 0)
        h = int((hour - start).total_seconds() // 3600)
        per_cluster[cid].append((index, h, pod_hours, cpu_req, cpu, mem_req, mem))
    out: dict[str, ClusterInputs] = {}
    for cid, name in clusters.items():
        cap = _capacity(session, cid, start, end)
        rows = per_cluster.get(cid, [])
        if not rows and not cap.cores.any():
            continue
        a = np.array(rows, dtype=np.float64).reshape(-1, 7)
        out[name] = ClusterInputs(
            keys=list(keys[cid]),
            rows=ContainerHours(
                container=a[:, 0].astype(np.int64),
                hour=a[:, 1].astype(np.int64),
                pod_hours=a[:, 2],
                cpu_request=a[:, 3],
                cpu_usage=a[:, 4],
                memory_request=a[:, 5],
                memory_usage=a[:, 6],
            ),
            capacity=cap,
        )
    return out
