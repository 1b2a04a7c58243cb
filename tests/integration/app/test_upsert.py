"""The bulk upsert: large batches on SQLite go column-wise, with the same stored bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import Cluster, UsageHour
from app.db.session import make_session_factory
from app.ingest import upsert as upsert_module
from app.ingest.upsert import upsert
from tests.support.databases import empty_tables

KEY = ["cluster_id", "namespace", "workload_kind", "workload", "container", "hour"]
BASE = datetime(2026, 3, 1, tzinfo=UTC)
N = 1500  # above the column-wise threshold


def rows(cluster_id: int, scale: float = 1.0) -> list[dict[str, Any]]:
    out = []
    for i in range(N):
        hour = BASE + timedelta(hours=i % 300)
        if i % 5 == 0:  # the same instant given in another zone: stored as UTC
            hour = hour.astimezone(timezone(timedelta(hours=2)))
        out.append(
            {
                "cluster_id": cluster_id,
                "namespace": "tacos",
                "workload_kind": "Deployment",
                "workload": f"svc-{i // 300}",
                "container": "app",
                "hour": hour,
                "cpu_avg": 0.1 * scale + i * 1e-6,
                "cpu_p50": 0.1 * scale,
                "cpu_p90": 0.2 * scale,
                "cpu_p95": 0.3 * scale,
                "cpu_p99": 1 / 3 * scale,
                "cpu_max": 0.5 * scale,
                "memory_avg": 2.0**31 * scale,
                "memory_p95": 2.0**32 * scale,
                "memory_max": 2.0**33 * scale,
                "samples": 12,
                "pods": 2.5,
                "pod_hours": 2.5,
                "throttled_ratio": None if i % 3 else 0.125,
                "oom_kills": 3 if i == 7 else 0,
                "restarts": i % 4,
            }
        )
    return out


def cluster(sessions: sessionmaker[Session]) -> int:
    with sessions() as s, s.begin():
        c = Cluster(name="c1")
        s.add(c)
        s.flush()
        return c.id


def write(sessions: sessionmaker[Session], batch: list[dict[str, Any]]) -> None:
    with sessions() as s, s.begin():
        upsert(s, UsageHour, batch, KEY)


def test_large_batch_round_trips_and_updates_in_place(sessions: sessionmaker[Session]) -> None:
    cid = cluster(sessions)
    first = rows(cid)
    write(sessions, first)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == N
        stored = {(r.workload, r.hour): r for r in s.scalars(select(UsageHour))}
    for want in first:
        got = stored[(want["workload"], want["hour"].astimezone(UTC))]
        assert got.hour.tzinfo is not None
        for name in ("cpu_avg", "cpu_p99", "memory_max", "throttled_ratio", "oom_kills"):
            assert getattr(got, name) == want[name], name
    write(sessions, rows(cid, scale=2.0))  # same keys: every row updated, none added
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == N
        assert s.scalar(select(func.min(UsageHour.cpu_p50))) == pytest.approx(0.2)


def test_a_bad_value_fails_the_whole_batch(sessions: sessionmaker[Session]) -> None:
    cid = cluster(sessions)
    write(sessions, rows(cid)[:10])
    bad = rows(cid, scale=3.0)
    bad[N - 1]["hour"] = bad[N - 1]["hour"].replace(tzinfo=None)  # naive: refused
    # the type's ValueError, wrapped as SQLAlchemy's row-wise path wraps it, on every path
    with pytest.raises(StatementError, match=r"\(builtins.ValueError\) naive datetime") as err:
        write(sessions, bad)
    assert isinstance(err.value.orig, ValueError)
    with pytest.raises(StatementError, match=r"\(builtins.ValueError\) naive datetime"):
        write(sessions, bad[:5] + bad[-1:])  # a small batch: SQLAlchemy's own path
    with sessions() as s:  # rolled back: the ten earlier rows, unchanged
        assert s.scalar(select(func.count()).select_from(UsageHour)) == 10
        assert s.scalar(select(func.max(UsageHour.cpu_p50))) == pytest.approx(0.1)


def test_bulk_paths_store_exactly_what_sqlalchemy_stores(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's column-wise path and PostgreSQL's COPY path against the row-wise one."""
    sessions = make_session_factory(engine)
    hour_text = "hour" if engine.dialect.name == "sqlite" else "hour::text"

    def stored(bulk: bool) -> list[tuple[Any, ...]]:
        empty_tables(engine)
        if not bulk:
            monkeypatch.setattr(upsert_module, "_BULK_MIN_ROWS", 10**9)
        try:
            cid = cluster(sessions)
            write(sessions, rows(cid))
            write(sessions, rows(cid, scale=2.0)[: N // 2])  # half of them updated
            with engine.connect() as conn:  # as stored, without any type processing
                return [
                    tuple(r)
                    for r in conn.execute(
                        text(
                            f"SELECT namespace, workload, {hour_text}, cpu_avg, cpu_p99,"
                            " memory_max, throttled_ratio, oom_kills, restarts"
                            " FROM usage_hourly ORDER BY workload, hour"
                        )
                    )
                ]
        finally:
            monkeypatch.undo()

    bulk, rowwise = stored(bulk=True), stored(bulk=False)
    assert len(bulk) == N
    assert bulk == rowwise


@pytest.mark.parametrize("update", [True, False])
def test_a_key_twice_in_one_batch_resolves_like_executemany(
    sessions: sessionmaker[Session], update: bool
) -> None:
    cid = cluster(sessions)
    batch = rows(cid)
    again = dict(batch[0], cpu_p50=9.0)  # the same key later in the batch
    batch.append(again)
    with sessions() as s, s.begin():
        upsert(s, UsageHour, batch, KEY, update=update)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == N
        first = s.scalars(
            select(UsageHour).where(
                UsageHour.workload == batch[0]["workload"],
                UsageHour.hour == batch[0]["hour"].astimezone(UTC),
            )
        ).one()
    # updating: the later row wins; ignoring conflicts: the first one stays
    assert first.cpu_p50 == (9.0 if update else batch[0]["cpu_p50"])
