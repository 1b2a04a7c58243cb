"""The weekly rightsizing job: load inputs, run the engine, store one run with its results."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import UsageHour
from app.recommendations.loader import ContainerRef, load_inputs, unit_prices
from app.recommendations.models import RecommendationRow, RecommendationRun
from app.settings import Settings
from app.usage.columns import LoadStats
from app.usage.packs import PackPlan, store_packs_safely
from rightsizing.evaluation.window import WEEKLY_HISTORY_DAYS
from rightsizing.fleet import recommend_fleet
from rightsizing.guardrails import Guardrails, guardrails_from
from rightsizing.inputs import Resources
from rightsizing.results import NoRecommendation, Outcome, Recommendation
from rightsizing.strategies import DEFAULT_STRATEGY, make_strategy

log = logging.getLogger(__name__)

HISTORY = timedelta(days=WEEKLY_HISTORY_DAYS)  # what a replay's default window mirrors


def _dec(v: float | None) -> Decimal | None:
    return None if v is None else Decimal(str(round(v, 6)))


def _current(prefix: str, r: Resources) -> dict[str, Decimal | None]:
    return {
        f"{prefix}cpu_request": _dec(r.cpu_request),
        f"{prefix}cpu_limit": _dec(r.cpu_limit),
        f"{prefix}memory_request": _dec(r.memory_request),
        f"{prefix}memory_limit": _dec(r.memory_limit),
    }


def _flat(item: Any) -> dict[str, Any]:
    """A dataclass of plain values as a dict. ``asdict`` gives the same here, but it
    deep-copies recursively: 8,000 calls were a tenth of a warm weekly run."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def outcome_values(
    run_id: int, ref: ContainerRef, current: Resources, o: Outcome
) -> dict[str, Any]:
    """One ``recommendations`` row as column values (every column, so a run's rows are
    inserted by one executemany)."""
    base = {
        "run_id": run_id,
        "cluster": ref.cluster,
        "namespace": ref.namespace,
        "workload_kind": ref.workload_kind,
        "workload": ref.workload,
        "container": ref.container,
        **_current("current_", current),
        "evidence": [_flat(e) for e in o.evidence],
    }
    if isinstance(o, Recommendation):
        return {
            **base,
            "status": "recommended",
            "reason": None,
            "detail": None,
            **_current("", o.recommended),
            "monthly_saving": o.monthly_saving,
            "confidence": o.confidence,
            "notes": list(o.notes),
            "hpa": [_flat(h) for h in o.hpa],
        }
    assert isinstance(o, NoRecommendation)
    return {
        **base,
        "status": "no_recommendation",
        "reason": str(o.reason),
        "detail": o.detail,
        **_current("", Resources()),
        "monthly_saving": None,
        "confidence": None,
        "notes": [],
        "hpa": [],
    }


def latest_usage_hour(session: Session) -> datetime | None:
    return session.scalar(select(func.max(UsageHour.hour)))


def run_recommendations(
    factory: sessionmaker[Session],
    *,
    strategy: str = DEFAULT_STRATEGY,
    cpu_to_memory_ratio: float = 3.0,
    guardrails: Guardrails | None = None,
    end: datetime | None = None,
    namespaces: list[str] | None = None,
    workers: int | None = None,
    strategy_settings: Mapping[str, Any] | None = None,
) -> int:
    """Recommend for every container over the last 14 days of data; return the run id.

    ``workers``: engine processes (None or 0: one per CPU; small fleets run in one).
    """
    strat = make_strategy(strategy, strategy_settings)  # a bad name or setting: no run row
    with factory() as session:
        latest = latest_usage_hour(session)
    stop = end or ((latest + timedelta(hours=1)) if latest else datetime.now(UTC))
    start = stop - HISTORY
    started = datetime.now(UTC)
    with factory() as session, session.begin():
        run = RecommendationRun(
            strategy=strategy,
            started_at=started,
            window_start=start,
            window_end=stop,
            status="running",
        )
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        t0 = time.monotonic()
        plans: list[PackPlan] = []
        stats = LoadStats()
        with factory() as session:
            prices = unit_prices(session, cpu_to_memory_ratio)
            items = load_inputs(session, start, stop, prices, namespaces, plan=plans, stats=stats)
        packed = store_packs_safely(factory, plans)
        t1 = time.monotonic()
        # One fleet: the default strategy calibrates its risk budget over all containers.
        # No transaction is open while the engine runs.
        # one container's failure is its own outcome (engine-error), not the run's
        outcomes = recommend_fleet(
            [inputs for _, inputs, _w in items], strat, guardrails, workers, isolate_errors=True
        )
        t2 = time.monotonic()
        recommended = sum(isinstance(o, Recommendation) for o in outcomes)
        rows = [
            outcome_values(run_id, ref, inputs.current, outcome)
            for (ref, inputs, _w), outcome in zip(items, outcomes, strict=True)
        ]
        with factory() as session, session.begin():
            if rows:  # one executemany: ORM objects cost ~0.2 ms each (0.3 s a thousand)
                session.execute(insert(RecommendationRow), rows)
            r = session.get(RecommendationRun, run_id)
            assert r is not None
            r.status = "success"
            r.finished_at = datetime.now(UTC)
            r.containers = len(items)
            r.recommended = recommended
    except Exception as exc:
        log.exception("rightsizing run %s failed", run_id)
        with factory() as session, session.begin():
            r = session.get(RecommendationRun, run_id)
            assert r is not None
            r.status = "failed"
            r.finished_at = datetime.now(UTC)
            r.error = f"{type(exc).__name__}: {exc}"[:4000]
        raise
    log.info(
        "rightsizing run %s: %d containers, %d recommendations "
        "(load %.1f s: %d days from packs, %d hourly rows, %d days packed now; "
        "engine %.1f s, store %.1f s)",
        run_id,
        len(items),
        recommended,
        t1 - t0,
        stats.packed_days,
        stats.rows,
        packed,
        t2 - t1,
        time.monotonic() - t2,
    )
    return run_id


def run_configured(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    strategy: str | None = None,
    namespaces: list[str] | None = None,
) -> int:
    """``run_recommendations`` as configured (``rightsizing.*``, pricing): what the weekly
    job, ``finops rightsizing recommend`` and the demo run. The configured strategy
    settings apply only when ``strategy`` is the configured strategy."""
    rs = settings.rightsizing
    name = strategy or rs.strategy
    return run_recommendations(
        factory,
        strategy=name,
        strategy_settings=rs.settings if name == rs.strategy else None,
        guardrails=guardrails_from(rs.guardrails),
        cpu_to_memory_ratio=settings.pricing.cpu_to_memory_cost_ratio,
        namespaces=namespaces,
        workers=rs.workers,
    )


def latest_run(session: Session) -> RecommendationRun | None:
    return session.scalars(
        select(RecommendationRun)
        .where(RecommendationRun.status == "success")
        .order_by(RecommendationRun.id.desc())
        .limit(1)
    ).first()
