"""``finops rightsizing evaluate --database``: the replay on the usage the database holds."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.main import cli
from app.db.models import UsageDay, UsageHour
from tests.integration.app.test_recommendations import load_demo


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("FINOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    return CliRunner()


def _containers(sessions: sessionmaker[Session], namespace: str | None = None) -> int:
    keys = select(
        UsageHour.cluster_id,
        UsageHour.namespace,
        UsageHour.workload_kind,
        UsageHour.workload,
        UsageHour.container,
    ).distinct()
    if namespace:
        keys = keys.where(UsageHour.namespace == namespace)
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(keys.subquery())) or 0)


def _usage_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(UsageHour)) or 0)


def test_replays_every_stored_container_and_leaves_the_data_alone(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=16)
    before = _usage_rows(sessions)
    result = runner.invoke(cli, ["rightsizing", "evaluate", "--database", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["source"].startswith("database, ")
    assert doc["series"] == _containers(sessions) > 5
    rows = {r["strategy"]: r for r in doc["results"]}
    assert set(rows) == {"current", "krr-simple", "vpa", "tacos"}
    for r in rows.values():
        assert r["scored_share"] > 0.9  # 16 days: two weekly decisions scored after day 7
        assert 0.0 <= r["cpu_under_share"] <= 1.0
    assert rows["current"]["changes"] == 0
    assert rows["tacos"]["changes"] > 0
    assert doc["bar"]["strategy"] == "tacos"
    assert _usage_rows(sessions) == before  # a replay never writes usage ...
    with sessions() as s:  # ... but packs the full days it read, for the next replay
        packed = s.scalar(select(func.count()).where(UsageDay.packed_version == UsageDay.version))
    assert packed is not None and packed >= 14
    again = runner.invoke(cli, ["rightsizing", "evaluate", "--database", "--format", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == doc  # read from packs: the same replay


def test_namespace_filter_and_table_output(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=16)
    result = runner.invoke(
        cli, ["rightsizing", "evaluate", "--database", "-n", "tacos", "--history-days", "10"]
    )
    assert result.exit_code == 0, result.output
    assert f"({_containers(sessions, 'tacos')} series, 7-day window)" in result.output
    assert "database in tacos" in result.output
    for name in ("current", "krr-simple", "vpa", "tacos"):
        assert name in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database"], "holds no usage yet"),
        (["--database", "--family", "steady"], "exactly one of"),
        (["--family", "steady", "-n", "tacos"], "apply to --database only"),
        (["--family", "steady", "--history-days", "3"], "apply to --database only"),
    ],
)
def test_bad_sources_fail_with_a_message(
    runner: CliRunner, sessions: sessionmaker[Session], args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["rightsizing", "evaluate", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_namespace_says_what_was_asked(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=9)
    result = runner.invoke(cli, ["rightsizing", "evaluate", "--database", "-n", "nosuch"])
    assert result.exit_code == 2
    assert "no usage between" in result.output and "nosuch" in result.output


def test_recommend_with_an_unknown_strategy_stores_no_run(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    from app.recommendations.models import RecommendationRun

    load_demo(sessions, days=9)
    result = runner.invoke(cli, ["rightsizing", "recommend", "--strategy", "kubecost"])
    assert result.exit_code == 2
    assert "unknown strategy 'kubecost'" in result.output
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(RecommendationRun)) == 0


@pytest.mark.parametrize("width", [80, 160, None])
def test_recommend_table_is_readable_at_any_width(
    runner: CliRunner,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    width: int | None,
) -> None:
    """``COLUMNS`` is honoured; without it, piped output is as wide as the table needs
    (rich would otherwise fold it into 80 columns)."""
    from app.recommendations.models import RecommendationRow, RecommendationRun

    load_demo(sessions, days=9)
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))
    result = runner.invoke(cli, ["rightsizing", "recommend", "-n", "tacos"])
    assert result.exit_code == 0, result.output
    with sessions() as s:
        run = s.scalars(select(RecommendationRun)).one()
        rows = s.scalars(select(RecommendationRow).where(RecommendationRow.run_id == run.id)).all()
    # the strategy the run used (the configured default), not the absent option
    assert f"Rightsizing run {run.id} (tacos, usage " in result.output
    assert "None" not in result.output
    assert "…" not in result.output  # nothing cut with an ellipsis
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= (width or 200)
    for row in rows:
        if row.status != "recommended":
            continue
        assert row.cpu_request is not None and row.current_cpu_request is not None
        change = f"{row.current_cpu_request * 1000:.0f}m → {row.cpu_request * 1000:.0f}m"
        assert change in result.output  # a change is one cell, never folded
        if width is None or width >= 160:  # room for every name on one line
            name = f"tacos/{row.workload}"
            line = next(line for line in lines if change in line)
            assert name in line
            assert "recommended" in line  # the status is not folded either


def test_recommend_lists_savings_biggest_first_then_containers_without_one(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=9)
    result = runner.invoke(cli, ["rightsizing", "recommend", "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    savings = [i["monthly_saving"] for i in items]
    known = [s for s in savings if s is not None]
    assert known and None in savings  # the demo has both
    assert savings == known + [None] * (len(savings) - len(known))
    assert known == sorted(known, reverse=True)
