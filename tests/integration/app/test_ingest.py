"""Ingest: one window, one transaction; reruns change nothing; failures write nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import (
    CollectionRun,
    ContainerSpecVersion,
    CostLineRow,
    Node,
    UsageHour,
    Workload,
)
from app.ingest import run_collector
from app.ingest.runner import watermark
from collectors.records import Batch, TimeWindow
from tests.support.sample_batches import (
    T0,
    FailingCollector,
    PoisonedCollector,
    StaticCollector,
    batch_for,
    day_window,
    workload,
)

DATA_TABLES = [Workload, ContainerSpecVersion, UsageHour, CostLineRow, Node]


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every data row (all columns but surrogate ids), to compare whole-database states."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with sessions() as s:
        for model in DATA_TABLES:
            cols = [c for c in model.__table__.columns if c.name != "id"]
            rows = s.execute(select(*cols)).all()
            out[model.__tablename__] = sorted(
                (tuple(r) for r in rows), key=lambda r: tuple(str(v) for v in r)
            )
    return out


def test_ingest_writes_records_run_and_watermark(sessions: sessionmaker[Session]) -> None:
    window = day_window()
    result = run_collector(sessions, StaticCollector(), window)
    assert result.ok, result.error
    assert result.rows == 1 + 1 + 1 + 24 + 1
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == 24
        run = s.scalars(select(CollectionRun)).one()
        assert (run.status, run.rows, run.requests_made, run.error) == ("success", 28, 3, None)
        assert run.window_start == window.start and run.window_end == window.end
        cost = s.scalars(select(CostLineRow)).one()
        assert cost.amount == Decimal("4.608000")
        assert isinstance(cost.amount, Decimal)
        spec = s.scalars(select(ContainerSpecVersion)).one()
        assert spec.cpu_request == Decimal("0.5") and spec.valid_to is None
        assert spec.valid_from == window.start
        assert spec.memory_limit == Decimal(1024 * 2**20)
    assert watermark(sessions, "static") == window.end


def test_rerunning_a_window_leaves_data_unchanged(sessions: sessionmaker[Session]) -> None:
    window = day_window()
    assert run_collector(sessions, StaticCollector(), window).ok
    before = snapshot(sessions)
    assert run_collector(sessions, StaticCollector(), window).ok
    assert snapshot(sessions) == before
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(CollectionRun)) == 2


def test_failing_collector_writes_nothing_and_records_error(
    sessions: sessionmaker[Session],
) -> None:
    window = day_window()
    result = run_collector(sessions, FailingCollector(), window)
    assert not result.ok
    assert "connection refused" in (result.error or "")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == 0
        run = s.scalars(select(CollectionRun)).one()
        assert run.status == "failed" and "unreachable" in (run.error or "")
    assert watermark(sessions, "static") is None


def test_write_failing_half_way_keeps_previous_data_intact(
    sessions: sessionmaker[Session],
) -> None:
    first = day_window()
    assert run_collector(sessions, StaticCollector(), first).ok
    before = snapshot(sessions)
    second = day_window(first.end.date())
    result = run_collector(sessions, PoisonedCollector(), second)
    assert not result.ok
    assert "naive datetime" in (result.error or "")
    assert snapshot(sessions) == before  # nothing of the second window was kept
    assert watermark(sessions, "static") == first.end


def test_changed_request_opens_new_spec_version(sessions: sessionmaker[Session]) -> None:
    first = day_window()
    second = day_window(first.end.date())
    assert run_collector(sessions, StaticCollector(cpu_request="0.5"), first).ok
    assert run_collector(sessions, StaticCollector(cpu_request="0.25"), second).ok
    with sessions() as s:
        versions = s.scalars(
            select(ContainerSpecVersion).order_by(ContainerSpecVersion.valid_from)
        ).all()
    assert [v.cpu_request for v in versions] == [Decimal("0.5"), Decimal("0.25")]
    assert versions[0].valid_to == second.end == versions[1].valid_from
    assert versions[1].valid_to is None


def test_watermark_never_moves_backwards(sessions: sessionmaker[Session]) -> None:
    later = day_window(T0.date() + timedelta(days=3))
    assert run_collector(sessions, StaticCollector(), later).ok
    assert run_collector(sessions, StaticCollector(), day_window()).ok
    assert watermark(sessions, "static") == later.end


def test_both_backends_are_really_in_use(engine: Engine) -> None:
    assert engine.dialect.name in {"sqlite", "postgresql"}


class TwoObservationsCollector(StaticCollector):
    """One batch holding a workload twice: its request changed inside the window."""

    def collect(self, window: TimeWindow) -> Batch:
        b = batch_for(window, "0.5")
        mid = window.start + window.duration / 2
        b.workloads = [workload(window.end, "0.25"), workload(mid, "0.5")]  # out of order
        return b


def test_batch_with_two_observations_of_a_workload(sessions: sessionmaker[Session]) -> None:
    window = day_window()
    assert run_collector(sessions, TwoObservationsCollector(), window).ok
    with sessions() as s:
        versions = s.scalars(
            select(ContainerSpecVersion).order_by(ContainerSpecVersion.valid_from)
        ).all()
        assert s.scalar(select(func.count()).select_from(Workload)) == 1
    assert [v.cpu_request for v in versions] == [Decimal("0.5"), Decimal("0.25")]
    assert versions[0].valid_from == window.start
    assert versions[1].valid_from == window.end
    assert run_collector(sessions, TwoObservationsCollector(), window).ok  # idempotent
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContainerSpecVersion)) == 2


def test_node_lifetime_widens_across_windows(sessions: sessionmaker[Session]) -> None:
    """Later windows extend last_seen; an earlier one extends first_seen; nothing shrinks."""
    from dataclasses import replace

    first = day_window()
    second = day_window(first.end.date())

    class NodeOnly(StaticCollector):
        def collect(self, window: TimeWindow) -> Batch:
            b = batch_for(window)
            b.nodes = [replace(b.nodes[0], observed_at=window.end - timedelta(hours=1))]
            return b

    assert run_collector(sessions, NodeOnly(), second).ok
    assert run_collector(sessions, NodeOnly(), first).ok
    with sessions() as s:
        node = s.scalars(select(Node)).one()
    assert node.first_seen == first.start
    assert node.last_seen == second.end - timedelta(hours=1)
