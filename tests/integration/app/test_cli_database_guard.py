"""Commands meet a missing, empty, old or unreachable database with what to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from app.db.migrate import downgrade, head_revision, upgrade
from app.db.session import make_engine

COMMANDS = [
    ["rightsizing", "evaluate", "--database"],
    ["rightsizing", "recommend"],
    ["allocate", "--from", "2026-11-01"],
    ["token", "list"],
]


def _run(url: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("FINOPS_DATABASE_URL", url)
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


@pytest.mark.parametrize("args", COMMANDS)
def test_a_missing_sqlite_file_is_named_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    path = tmp_path / "nope.db"
    code, out = _run(f"sqlite:///{path}", args, monkeypatch)
    assert code == 2
    assert f"no database at {path}" in out and "finops db upgrade" in out
    assert not path.exists()


@pytest.mark.parametrize("args", COMMANDS)
def test_an_unmigrated_database_says_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    code, out = _run(f"sqlite:///{path}", args, monkeypatch)
    assert code == 2
    assert "has no tables yet: run `finops db upgrade`" in out
    assert "Traceback" not in out


def test_an_old_schema_names_both_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine)
    downgrade(engine, "-1")
    engine.dispose()
    code, out = _run(url, ["rightsizing", "recommend"], monkeypatch)
    assert code == 2
    assert f"needs {head_revision()}: run `finops db upgrade`" in out
    code, out = _run(url, ["db", "upgrade"], monkeypatch)  # the way out works
    assert code == 0, out
    code, out = _run(url, ["rightsizing", "evaluate", "--database"], monkeypatch)
    assert code == 2 and "holds no usage yet" in out


def test_an_unreachable_server_is_reported_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://finops:s3cret-pw@127.0.0.1:1/finops"  # nothing listens on port 1
    code, out = _run(url, ["allocate", "--from", "2026-11-01"], monkeypatch)
    assert code == 2
    assert "cannot open the database postgresql://finops:***@127.0.0.1:1/finops" in out
    assert "s3cret-pw" not in out
