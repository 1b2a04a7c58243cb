"""Usage day packs on both databases: same columns as the rows, never stale.

The packs are a cache of ``usage_hourly``; every test here compares what the loader
returns through packs with what the rows themselves say after a write, whichever way
the write came (the bulk path of 1,000+ rows, the row-wise path, a cascade delete).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.db.migrate import upgrade
from app.db.models import Cluster, UsageDay, UsageDayPack, UsageHour
from app.db.session import make_session_factory
from app.ingest.writer import write_batch
from app.recommendations.models import RecommendationRow
from app.recommendations.service import run_recommendations
from app.usage.columns import LoadStats, load_hourly_columns
from app.usage.packs import PackPlan, store_packs
from collectors.records import Batch, ContainerUsageHour, TimeWindow
from rightsizing.inputs import HourlyColumns
from tests.support.sample_batches import T0, usage

DAYS = 4
CONTAINERS = 12  # x 24 h x 4 days = 1,152 rows: the bulk upsert path
START = T0 + timedelta(hours=5)  # partial first day
END = T0 + timedelta(days=DAYS - 1, hours=17)  # partial last day: days 1 and 2 are full


def _rows(day_from: int = 0, days: int = DAYS, bump: float = 0.0) -> list[ContainerUsageHour]:
    out = []
    for c in range(CONTAINERS):
        ns = "tacos" if c % 3 else "batch"
        for h in range(day_from * 24, (day_from + days) * 24):
            u = usage(T0 + timedelta(hours=h), f"w{c}", 0.05 + 0.01 * c + 0.001 * (h % 24) + bump)
            out.append(replace(u, namespace=ns, throttled_ratio=None if h % 5 else 0.1 * (c % 4)))
    return out


def _write(
    sessions: sessionmaker[Session], rows: list[ContainerUsageHour], whole_days: bool = False
) -> None:
    """Write through the ingest. ``whole_days``: as a backfill does (its window spans the
    days, so the ingest packs the days it alone wrote); otherwise as an hourly run does."""
    window = (
        TimeWindow(T0 - timedelta(days=1), T0 + timedelta(days=DAYS + 1))
        if whole_days
        else TimeWindow(T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    )
    with sessions() as s, s.begin():
        write_batch(s, Batch(usage=rows), window)


def _unpack_all(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        s.execute(text("UPDATE usage_days SET packed_version = NULL"))


def _load(
    sessions: sessionmaker[Session], namespaces: list[str] | None = None, pack: bool = False
) -> tuple[dict[tuple[int, str, str, str, str], HourlyColumns], LoadStats]:
    plans: list[PackPlan] = []
    stats = LoadStats()
    with sessions() as s:
        got = load_hourly_columns(s, START, END, namespaces, plan=plans, stats=stats)
    if pack:
        with sessions() as s, s.begin():
            store_packs(s, plans)
    return got, stats


def _same(a: dict[tuple[int, str, str, str, str], HourlyColumns], b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        for name in HourlyColumns.__dataclass_fields__:
            x, y = getattr(a[key], name), getattr(b[key], name)
            assert x.dtype == y.dtype == np.float64
            assert np.array_equal(x, y, equal_nan=True), (key, name)


def test_packed_days_read_the_same_columns_as_rows(sessions: sessionmaker[Session]) -> None:
    _write(sessions, _rows())
    rows_only, first = _load(sessions, pack=True)
    assert first.packed_days == 0 and first.rows == CONTAINERS * (19 + 24 + 24 + 17)
    packed, second = _load(sessions)
    # days 1 and 2 from packs: 2 x 12 blobs; only the partial days as rows
    assert (second.packed_days, second.packs, second.rows) == (2, 24, CONTAINERS * (19 + 17))
    _same(packed, rows_only)
    assert len(next(iter(packed.values()))) == 19 + 24 + 24 + 17
    # a namespace filter reads the packs too, and only its own
    filtered, _ = _load(sessions, ["batch"])
    assert {k[1] for k in filtered} == {"batch"}
    _same(filtered, {k: v for k, v in rows_only.items() if k[1] == "batch"})


def test_a_backfilled_day_is_packed_as_it_is_written(sessions: sessionmaker[Session]) -> None:
    rows = _rows()
    twice = replace(rows[30], cpu_p50=0.7, cpu_p90=0.7, cpu_p95=0.7, cpu_p99=0.7, cpu_max=0.7)
    _write(sessions, [*rows, twice], whole_days=True)  # a key twice: the last row is stored
    with sessions() as s:
        marks = s.execute(select(UsageDay.packed_version == UsageDay.version)).scalars().all()
    assert marks == [True] * DAYS
    packed, stats = _load(sessions)
    assert (stats.packed_days, stats.rows) == (2, CONTAINERS * (19 + 17))
    _unpack_all(sessions)
    from_rows, stats = _load(sessions)
    assert stats.packed_days == 0
    _same(packed, from_rows)
    key = next(k for k in packed if k[3] == twice.workload)
    at = packed[key].hour_start_s.tolist().index(twice.hour.timestamp())
    assert packed[key].cpu_p50[at] == 0.7


def test_a_failure_while_packing_never_fails_the_ingest(
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The packs are a cache: a packing that fails half-way (a failing SQL statement
    poisons a PostgreSQL transaction) is rolled back to a savepoint, its half-done
    writes with it, and the batch's rows are committed all the same."""
    import app.ingest.writer as writer

    def broken(session: Session, *args: object) -> int:
        # a half-done packing: the day marked packed, then a failure before its packs
        session.execute(text("UPDATE usage_days SET packed_version = version"))
        session.execute(text("SELECT no_such_column FROM usage_days"))
        return 0

    monkeypatch.setattr(writer, "pack_written_days", broken)
    _write(sessions, _rows(1, 1), whole_days=True)
    assert "usage packs not built" in caplog.text
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(UsageHour)) == CONTAINERS * 24
        assert s.scalar(select(UsageDayPack.id).limit(1)) is None
    got, stats = _load(sessions)
    assert stats.packed_days == 0 and len(got) == CONTAINERS


def test_a_day_holding_other_rows_is_not_packed_by_the_ingest(
    sessions: sessionmaker[Session],
) -> None:
    day1 = _rows(1, 1)
    first = [r for r in day1 if r.workload != "w5"]
    _write(sessions, first, whole_days=True)  # day 1 packed, without w5
    _write(sessions, [r for r in day1 if r.workload == "w5"], whole_days=True)
    with sessions() as s:
        (mark,) = s.execute(select(UsageDay.packed_version, UsageDay.version)).all()
    assert mark[0] != mark[1]  # the second batch alone is not the whole day
    got, stats = _load(sessions)
    assert stats.packed_days == 0 and any(k[3] == "w5" for k in got) and len(got) == CONTAINERS


def test_a_write_to_a_packed_day_is_read_at_once(sessions: sessionmaker[Session]) -> None:
    _write(sessions, _rows())
    before, _ = _load(sessions, pack=True)
    # one hour of one container corrected in a packed day (row-wise path) ...
    fix = replace(_rows(1, 1)[3], cpu_p50=9.0, cpu_p90=9.0, cpu_p95=9.0, cpu_p99=9.0, cpu_max=9.0)
    _write(sessions, [fix])
    after, stats = _load(sessions)
    assert stats.packed_days == 1  # day 1 is read as rows again, day 2 still packed
    key = next(k for k in after if k[3] == fix.workload)
    hour = after[key].hour_start_s.tolist().index(fix.hour.timestamp())
    assert after[key].cpu_p50[hour] == 9.0
    # ... and a new container on the other packed day, through the bulk path
    day2 = _rows(2, 1)[:24]
    late = [replace(r, workload=f"late{i}") for i in range(42) for r in day2]  # 1,008 rows
    _write(sessions, late)
    after, stats = _load(sessions, pack=True)
    assert stats.packed_days == 0
    assert sum(k[3].startswith("late") for k in after) == 42
    again, stats = _load(sessions)
    assert stats.packed_days == 2
    _same(again, after)
    assert len(after) == len(before) + 42


def test_deleting_rows_is_seen_through_packs(sessions: sessionmaker[Session]) -> None:
    _write(sessions, _rows())
    _load(sessions, pack=True)
    with sessions() as s, s.begin():
        s.execute(delete(UsageHour).where(UsageHour.workload == "w1"))
    got, stats = _load(sessions, pack=True)
    assert stats.packed_days == 0 and not any(k[3] == "w1" for k in got)
    with sessions() as s, s.begin():  # a cluster's removal cascades to rows and packs
        s.execute(delete(Cluster))
    got, stats = _load(sessions)
    assert got == {}
    with sessions() as s:
        assert s.scalar(select(UsageDayPack.id).limit(1)) is None


def test_emptying_the_table_is_seen_through_packs(engine: Engine) -> None:
    """TRUNCATE on PostgreSQL fires no DELETE trigger; its own trigger moves every day."""
    sessions = make_session_factory(engine)
    _write(sessions, _rows())
    _load(sessions, pack=True)
    assert _load(sessions)[1].packed_days == 2
    empty = (
        "TRUNCATE usage_hourly"
        if engine.dialect.name == "postgresql"
        else "DELETE FROM usage_hourly"
    )
    with engine.begin() as conn:
        conn.execute(text(empty))
    got, stats = _load(sessions)
    assert got == {} and stats.packed_days == 0


def test_a_plan_read_before_a_write_never_marks_the_day(sessions: sessionmaker[Session]) -> None:
    _write(sessions, _rows())
    old: list[PackPlan] = []
    with sessions() as s:
        load_hourly_columns(s, START, END, plan=old)
    _write(sessions, _rows(1, 1, bump=1.0))  # day 1 rewritten after the plan read it
    with sessions() as s, s.begin():
        assert store_packs(s, old) == 1  # day 2 marked; day 1 is not
    got, stats = _load(sessions)
    assert stats.packed_days == 1
    # another run packs the new day 1; the old plan stored after it must not win
    newer, _ = _load(sessions, pack=True)
    with sessions() as s, s.begin():
        store_packs(s, old)
    got, stats = _load(sessions)
    assert stats.packed_days == 1
    _same(got, newer)
    key = next(k for k in got if k[3] == "w0")
    assert got[key].cpu_p50[19] == pytest.approx(0.05 + 1.0)  # day 1, 00:00


def test_packs_older_than_the_horizon_are_dropped(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(sessions, _rows())
    reference, _ = _load(sessions, pack=True)  # days 1 and 2 packed
    monkeypatch.setattr("app.usage.packs.PACK_DAYS", 1)  # from day 2 on
    _write(sessions, _rows(2, 1))  # day 2 written again: stale, packed anew
    got, stats = _load(sessions, pack=True)
    assert stats.packed_days == 1  # day 1's pack is still current: read, then dropped
    with sessions() as s:
        days = {d for (d,) in s.execute(select(UsageDayPack.day).distinct())}
        marks = dict(s.execute(select(UsageDay.day, UsageDay.packed_version)).all())
    day1, day2 = (T0 + timedelta(days=1)).date(), (T0 + timedelta(days=2)).date()
    assert days == {day2} and marks[day1] is None and marks[day2] is not None
    again, stats = _load(sessions)
    assert stats.packed_days == 1  # day 1 is read as rows now
    _same(again, reference)
    _same(got, reference)


def test_a_damaged_pack_is_refused_by_name(sessions: sessionmaker[Session]) -> None:
    _write(sessions, _rows())
    _load(sessions, pack=True)
    with sessions() as s, s.begin():
        s.execute(text("UPDATE usage_day_packs SET hours = hours + 1"))
    with pytest.raises(ValueError, match="does not hold 14 x 25 float64 values"):
        _load(sessions)


def test_the_weekly_job_packs_and_recommends_the_same(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    _write(sessions, _rows())
    caplog.set_level(logging.INFO, "app.recommendations.service")
    # 14 days back from END: days 0-2 are full, day 3 is partial
    first = run_recommendations(sessions, end=END, workers=1)
    assert "0 days from packs" in caplog.text and "3 days packed now" in caplog.text
    caplog.clear()
    second = run_recommendations(sessions, end=END, workers=1)
    assert "3 days from packs" in caplog.text and "0 days packed now" in caplog.text

    def rows(run_id: int) -> list[tuple[object, ...]]:
        with sessions() as s:
            return [
                (r.workload, r.container, r.status, r.reason, r.cpu_request, r.memory_request)
                for r in s.scalars(
                    select(RecommendationRow)
                    .where(RecommendationRow.run_id == run_id)
                    .order_by(RecommendationRow.workload)
                )
            ]

    assert rows(first) == rows(second) and len(rows(first)) == CONTAINERS


def test_migration_counts_the_days_already_stored(blank_engine: Engine) -> None:
    upgrade(blank_engine, "0005")
    sessions = make_session_factory(blank_engine)
    with sessions() as s, s.begin():
        cid = s.execute(insert(Cluster).values(name="c1").returning(Cluster.id)).scalar_one()
        s.execute(
            insert(UsageHour.__table__),
            [
                {
                    **{k: v for k, v in asdict(u).items() if k != "cluster"},
                    "cluster_id": cid,
                    "oom_kills": 0,
                    "restarts": 0,
                }
                for u in _rows(0, 2)
            ],
        )
    upgrade(blank_engine)
    with sessions() as s:
        days = s.execute(select(UsageDay.day, UsageDay.version, UsageDay.packed_version)).all()
    assert sorted(days) == [(T0.date(), 1, None), ((T0 + timedelta(days=1)).date(), 1, None)]
    got, stats = _load(sessions, pack=True)
    assert stats.packed_days == 0 and len(got) == CONTAINERS
    _same(_load(sessions)[0], got)
