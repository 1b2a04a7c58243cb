"""The database as a replay source for ``finops rightsizing evaluate --database``.

Each container's stored hourly rollups become one ``ReplaySeries``
(``ReplaySeries.from_hourly``), with the requests that were in force when its history
starts as the "current" baseline and its workload's autoscaler. The replay then scores
every strategy on the cluster's own history, the same weekly decisions the job makes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Cluster, ContainerSpecVersion, UsageHour, Workload
from app.recommendations.loader import autoscaler_from, resources_of
from app.usage.columns import load_hourly_columns
from app.usage.packs import PackPlan
from rightsizing.errors import UsageDataError
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.inputs import Resources

HOUR = timedelta(hours=1)


def _in_force(versions: list[ContainerSpecVersion], at: datetime) -> ContainerSpecVersion:
    """The version in force at ``at``; the oldest one when ``at`` predates them all."""
    for v in versions:  # sorted by valid_from
        if v.valid_from <= at and (v.valid_to is None or v.valid_to > at):
            return v
    return versions[0]


def replay_series_from_database(
    session: Session,
    namespaces: Collection[str] | None = None,
    days: float | None = None,
    *,
    plan: list[PackPlan] | None = None,
) -> tuple[list[ReplaySeries], datetime, datetime]:
    """Every container's stored usage (the last ``days`` days, default all) as series.

    Returns the series and the replayed window. Raises ``UsageDataError`` with what to
    do when the database holds no usage (for those namespaces). ``plan``: packs for the
    full days read as rows are appended there (``load_hourly_columns``); storing them
    is the caller's choice (the CLI does, so the next replay reads those days as packs).
    """
    first, latest = session.execute(
        select(func.min(UsageHour.hour), func.max(UsageHour.hour))
    ).one()
    if latest is None or first is None:
        raise UsageDataError(
            "the database holds no usage yet: run the collectors first "
            "(`finops collect`, or `finops demo` for the built-in demo data)"
        )
    end = latest + HOUR
    start = max(first, end - timedelta(days=days)) if days else first
    columns = load_hourly_columns(session, start, end, namespaces, plan=plan)
    if not columns:
        raise UsageDataError(
            f"no usage between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"
            + (f" in namespaces {', '.join(sorted(namespaces))}" if namespaces else "")
        )
    clusters = {int(i): str(n) for i, n in session.execute(select(Cluster.id, Cluster.name))}
    workloads = {
        (w.cluster_id, w.namespace, w.kind, w.name): w for w in session.scalars(select(Workload))
    }
    versions: dict[tuple[int, str], list[ContainerSpecVersion]] = {}
    for v in session.scalars(
        select(ContainerSpecVersion).order_by(ContainerSpecVersion.valid_from)
    ):
        versions.setdefault((v.workload_id, v.container), []).append(v)
    out: list[ReplaySeries] = []
    for (cluster_id, ns, kind, name, container), cols in sorted(columns.items()):
        w = workloads.get((cluster_id, ns, kind, name))
        history = versions.get((w.id, container), []) if w is not None else []
        first_hour = datetime.fromtimestamp(float(cols.hour_start_s[0]), start.tzinfo)
        current = resources_of(_in_force(history, first_hour)) if history else Resources()
        autoscaler = autoscaler_from(list(w.autoscalers or [])) if w is not None else None
        key = f"{clusters.get(cluster_id, '?')}/{ns}/{kind}/{name}/{container}"
        out.append(ReplaySeries.from_hourly(key, cols, current, autoscaler))
    return out, start, end
