"""Stored recommendation rows -> the patcher's ``ChangeRequest`` values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.recommendations.models import RecommendationRow, RecommendationRun
from app.recommendations.service import latest_run
from rightsizing.gitops.changes import (
    ChangeRequest,
    EvidenceItem,
    HpaTarget,
    ResourceValues,
    WorkloadRef,
)


def _values(row: RecommendationRow, prefix: str) -> ResourceValues:
    return ResourceValues(
        cpu_request=getattr(row, f"{prefix}cpu_request"),
        cpu_limit=getattr(row, f"{prefix}cpu_limit"),
        memory_request=getattr(row, f"{prefix}memory_request"),
        memory_limit=getattr(row, f"{prefix}memory_limit"),
    )


def _evidence(items: list[dict[str, Any]]) -> tuple[EvidenceItem, ...]:
    out = []
    for e in items or []:
        try:
            out.append(
                EvidenceItem(
                    str(e["name"]), float(e["value"]), str(e["unit"]), str(e.get("note") or "")
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # a malformed item is dropped, not fatal; the rest still shows
    return tuple(out)


def _hpa(items: list[dict[str, Any]]) -> tuple[HpaTarget, ...]:
    out = []
    for h in items or []:
        try:
            out.append(
                HpaTarget(
                    resource=str(h["resource"]),
                    current_percent=float(h["current_target_percent"]),
                    new_percent=float(h["new_target_percent"]),
                    kept=bool(h.get("kept", True)),
                    note=str(h.get("note") or ""),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


def to_change(row: RecommendationRow, run: RecommendationRun) -> ChangeRequest:
    return ChangeRequest(
        ref=WorkloadRef(
            kind=row.workload_kind,
            name=row.workload,
            container=row.container,
            namespace=row.namespace or None,
            cluster=row.cluster,
        ),
        current=_values(row, "current_"),
        recommended=_values(row, ""),
        monthly_saving=row.monthly_saving if row.monthly_saving is not None else Decimal(0),
        confidence=float(row.confidence or 0.0),
        evidence=_evidence(row.evidence),
        notes=tuple(str(n) for n in row.notes or ()),
        hpa=_hpa(row.hpa),
        strategy=run.strategy,
        window_start=run.window_start,
        window_end=run.window_end,
    )


def split_multi_cluster(
    changes: Sequence[ChangeRequest],
) -> tuple[list[ChangeRequest], list[ChangeRequest]]:
    """One manifests tree cannot take two clusters' numbers for the same workload.

    Returns (usable, conflicting): a container recommended in several clusters is
    conflicting and reported, not written.
    """
    groups: dict[tuple[str, str, str | None, str], list[ChangeRequest]] = defaultdict(list)
    for c in changes:
        groups[(c.ref.kind, c.ref.name, c.ref.namespace, c.ref.container)].append(c)
    usable: list[ChangeRequest] = []
    conflicting: list[ChangeRequest] = []
    for group in groups.values():
        (usable if len(group) == 1 else conflicting).extend(group)
    return usable, conflicting


def latest_changes(session: Session) -> tuple[RecommendationRun | None, list[ChangeRequest]]:
    """The latest successful run and its recommended rows, largest saving first."""
    run = latest_run(session)
    if run is None:
        return None, []
    rows = session.scalars(
        select(RecommendationRow)
        .where(RecommendationRow.run_id == run.id, RecommendationRow.status == "recommended")
        .order_by(
            RecommendationRow.namespace, RecommendationRow.workload, RecommendationRow.container
        )
    ).all()
    changes = [to_change(r, run) for r in rows]
    changes.sort(key=lambda c: -c.monthly_saving)
    return run, changes
