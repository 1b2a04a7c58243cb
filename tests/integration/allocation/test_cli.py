"""``finops allocate`` and ``finops export focus`` against the real database."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.allocation.models import AllocationDay
from app.cli.main import cli
from tests.integration.allocation.scenario import ingest, known_day


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("FINOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    return CliRunner()


def test_allocate_stores_days_and_reports_them(
    runner: CliRunner, sessions: sessionmaker[Session]
) -> None:
    ingest(sessions, *known_day())
    result = runner.invoke(cli, ["allocate", "--from", "2026-11-01", "--to", "2026-11-02"])
    assert result.exit_code == 0, result.output
    assert "allocated 2 day(s)" in result.output and "1 reconciled" in result.output
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AllocationDay)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["allocate", "--from", "2026-11-02", "--to", "2026-11-01"], "before the first"),
        (["allocate", "--from", "yesterday"], "--from"),
        (["allocate", "--from", "2026-11-01T10:00:00Z"], "per UTC day"),
        (["allocate", "--from", "2026-11-01", "--metric", "Blended"], "metric"),
        (["export", "focus", "--month", "2026-13"], "--month"),
    ],
)
def test_bad_arguments_fail_with_a_message(
    runner: CliRunner, sessions: sessionmaker[Session], args: list[str], message: str
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AllocationDay)) == 0


def test_export_focus_writes_the_month(
    runner: CliRunner, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest(sessions, *known_day())
    out = tmp_path / "focus.csv"
    result = runner.invoke(cli, ["export", "focus", "--month", "2026-11", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert sum(Decimal(r["EffectiveCost"]) for r in rows) == Decimal(104)
    assert {r["ChargePeriodStart"] for r in rows} == {"2026-11-02T00:00:00Z"}
    assert any(r["Tags"] == '{"Service": "reservation-api"}' for r in rows)
    assert not (tmp_path / "focus.csv.tmp").exists()


def test_export_focus_to_an_unwritable_place_fails_cleanly(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli, ["export", "focus", "--month", "2026-11", "--out", str(tmp_path / "no" / "f.csv")]
    )
    assert result.exit_code == 2 and "cannot write" in result.output
