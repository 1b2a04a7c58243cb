"""Map each record type of a ``Batch`` onto its table.

Pure mapping plus upserts inside the caller's transaction. Container specs are the
one table that is not a plain upsert: a changed request closes the current version
(``valid_to``) and opens a new one, so costs use the request in force at each hour.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (
    Cluster,
    ContainerSpecVersion,
    CostLineRow,
    Namespace,
    Node,
    ResourceQuota,
    UsageHour,
    Workload,
)
from app.ingest.upsert import upsert
from app.usage.packs import pack_written_days
from collectors.records import (
    Batch,
    ContainerSpec,
    ContainerUsageHour,
    TimeWindow,
    WorkloadRecord,
)

log = logging.getLogger(__name__)

_USAGE_FIELDS = tuple(f.name for f in fields(ContainerUsageHour))


def cluster_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(names))
    if not wanted:
        return {}
    upsert(session, Cluster, [{"name": n} for n in wanted], ["name"], update=False)
    rows = session.execute(select(Cluster.name, Cluster.id).where(Cluster.name.in_(wanted)))
    return {r.name: r.id for r in rows}


def write_batch(session: Session, batch: Batch, window: TimeWindow) -> int:
    """Upsert every record of the batch; return the number of records written."""
    ids = cluster_ids(
        session,
        [r.cluster for r in batch.namespaces]
        + [r.cluster for r in batch.workloads]
        + [r.cluster for r in batch.quotas]
        + [r.cluster for r in batch.nodes]
        + [r.cluster for r in batch.usage],
    )
    upsert(
        session,
        Namespace,
        [
            {"cluster_id": ids[r.cluster], "name": r.name, "labels": dict(r.labels)}
            for r in batch.namespaces
        ],
        ["cluster_id", "name"],
    )
    _write_workloads(session, ids, batch.workloads, window)
    upsert(
        session,
        ResourceQuota,
        [
            {
                "cluster_id": ids[q.cluster],
                "namespace": q.namespace,
                "name": q.name,
                "hard": {k: str(v) for k, v in sorted(q.hard.items())},
            }
            for q in batch.quotas
        ],
        ["cluster_id", "namespace", "name"],
    )
    _write_nodes(session, ids, batch, window)
    # A shallow copy of each record's fields: ``asdict`` deep-copies every value, which
    # for a cold backfill's hundreds of thousands of flat rows cost more than the upsert.
    usage_rows = []
    for u in batch.usage:
        row = {name: getattr(u, name) for name in _USAGE_FIELDS}
        row["cluster_id"] = ids[row.pop("cluster")]
        usage_rows.append(row)
    upsert(
        session,
        UsageHour,
        usage_rows,
        ["cluster_id", "namespace", "workload_kind", "workload", "container", "hour"],
    )
    _pack_days(session, usage_rows, window)
    upsert(
        session,
        CostLineRow,
        [asdict(c) for c in batch.costs],
        ["day", "account_id", "aws_service", "tag_key", "tag_value", "metric"],
    )
    return len(batch)


def _write_nodes(session: Session, ids: dict[str, int], batch: Batch, window: TimeWindow) -> None:
    """Upsert nodes, widening each node's [first_seen, last_seen] lifetime, never shrinking it."""
    if not batch.nodes:
        return
    existing = {
        (cid, name): (first, last)
        for cid, name, first, last in session.execute(
            select(Node.cluster_id, Node.name, Node.first_seen, Node.last_seen).where(
                Node.cluster_id.in_(set(ids.values()))
            )
        )
    }
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for n in batch.nodes:
        cid = ids[n.cluster]
        first = n.created_at or window.start
        last = n.observed_at or window.end
        known = existing.get((cid, n.name))
        if known is not None:
            first, last = min(first, known[0]), max(last, known[1])
        prev = rows.get((cid, n.name))
        if prev is not None:
            first, last = min(first, prev["first_seen"]), max(last, prev["last_seen"])
        rows[(cid, n.name)] = {
            "cluster_id": cid,
            "name": n.name,
            "instance_type": n.instance_type,
            "capacity_type": n.capacity_type,
            "zone": n.zone,
            "cpu_cores": n.cpu_cores,
            "memory_bytes": n.memory_bytes,
            "hourly_price": n.hourly_price,
            "first_seen": first,
            "last_seen": last,
        }
    upsert(session, Node, list(rows.values()), ["cluster_id", "name"])


def _write_workloads(
    session: Session, ids: dict[str, int], records: list[WorkloadRecord], window: TimeWindow
) -> None:
    if not records:
        return
    # A batch may hold several observations of one workload (a spec changed inside the
    # window): the workload row takes the latest, the spec history takes them all in order.
    records = sorted(records, key=lambda w: w.observed_at)
    keys = [(ids[w.cluster], w.namespace, w.kind, w.name) for w in records]
    latest = dict(zip(keys, records, strict=True))
    existing = _existing_workloads(session, keys)
    rows = []
    for key, w in latest.items():
        first = existing.get(key, (None, None))[1]
        rows.append(
            {
                "cluster_id": key[0],
                "namespace": w.namespace,
                "kind": w.kind,
                "name": w.name,
                "replicas": w.replicas,
                "labels": dict(w.labels),
                "annotations": dict(w.annotations),
                "cost_tags": dict(w.cost_tags),
                "autoscalers": [
                    {**asdict(a), "metrics": [dict(m) for m in a.metrics]} for a in w.autoscalers
                ],
                "first_seen": min(first, window.start) if first else window.start,
                "last_seen": w.observed_at,
            }
        )
    upsert(session, Workload, rows, ["cluster_id", "namespace", "kind", "name"])
    workload_ids = {k: v[0] for k, v in _existing_workloads(session, keys).items()}
    latest_specs = _latest_specs(session, set(workload_ids.values()))
    for key, w in zip(keys, records, strict=True):
        for spec in w.containers:
            _record_spec(session, latest_specs, workload_ids[key], spec, w.observed_at, window)


def _existing_workloads(
    session: Session, keys: list[tuple[int, str, str, str]]
) -> dict[tuple[int, str, str, str], tuple[int, datetime]]:
    clusters = {k[0] for k in keys}
    namespaces = {k[1] for k in keys}
    rows = session.execute(
        select(
            Workload.cluster_id,
            Workload.namespace,
            Workload.kind,
            Workload.name,
            Workload.id,
            Workload.first_seen,
        ).where(Workload.cluster_id.in_(clusters), Workload.namespace.in_(namespaces))
    )
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}


def _spec_values(spec: ContainerSpec) -> dict[str, Decimal | None]:
    def q(v: Decimal | None) -> Decimal | None:
        return None if v is None else v.quantize(Decimal("0.000001"))

    return {
        "cpu_request": q(spec.cpu_request),
        "cpu_limit": q(spec.cpu_limit),
        "memory_request": q(spec.memory_request),
        "memory_limit": q(spec.memory_limit),
    }


def _latest_specs(
    session: Session, workload_ids: set[int]
) -> dict[tuple[int, str], ContainerSpecVersion]:
    """The newest spec version of every container of these workloads, in one query."""
    latest: dict[tuple[int, str], ContainerSpecVersion] = {}
    if not workload_ids:
        return latest
    rows = session.scalars(
        select(ContainerSpecVersion)
        .where(ContainerSpecVersion.workload_id.in_(workload_ids))
        .order_by(ContainerSpecVersion.valid_from)
    )
    for v in rows:
        latest[(v.workload_id, v.container)] = v
    return latest


def _record_spec(
    session: Session,
    latest: dict[tuple[int, str], ContainerSpecVersion],
    workload_id: int,
    spec: ContainerSpec,
    observed: datetime,
    window: TimeWindow,
) -> None:
    """Keep the spec history: unchanged → nothing; changed → close current, open new."""
    values = _spec_values(spec)
    current = latest.get((workload_id, spec.name))
    if current is None:
        # First sighting: assume it was in force for the whole window being collected.
        version = ContainerSpecVersion(
            workload_id=workload_id,
            container=spec.name,
            valid_from=min(window.start, observed),
            valid_to=None,
            **values,
        )
        session.add(version)
        latest[(workload_id, spec.name)] = version
        return
    now_values: dict[str, Any] = {k: getattr(current, k) for k in values}
    if now_values == values or observed <= current.valid_from:
        return
    current.valid_to = observed
    version = ContainerSpecVersion(
        workload_id=workload_id, container=spec.name, valid_from=observed, valid_to=None, **values
    )
    session.add(version)
    latest[(workload_id, spec.name)] = version


def _pack_days(session: Session, usage_rows: list[dict[str, Any]], window: TimeWindow) -> None:
    """Pack the whole days this batch alone wrote, for the rightsizing loader.

    In a savepoint: the packs are a cache, so a failure here is logged and rolled back
    to before the packing, and the batch's own rows are still committed.
    """
    if not usage_rows:
        return
    try:
        with session.begin_nested():
            pack_written_days(session, usage_rows, window.start, window.end)
    except Exception as exc:  # noqa: BLE001 - a cache must never fail the ingest
        log.warning("usage packs not built for %s (read as rows instead): %s", window, exc)
