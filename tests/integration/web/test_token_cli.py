"""``finops token create|list|revoke`` against a real SQLite file, through typer."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import cli
from app.context import AppContext
from app.settings import load_settings
from app.web.app import create_app


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FINOPS_DATABASE_URL", url)
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    return url


def test_create_list_use_and_revoke(db_env: str) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["token", "create", "--role", "finance", "--name", "ci-bot"])
    assert made.exit_code == 0, made.output
    raw = made.output.strip().splitlines()[-1]
    assert raw.startswith("fo_") and len(raw) == 46
    listed = runner.invoke(cli, ["token", "list"])
    assert "ci-bot" in listed.output and "finance" in listed.output and raw not in listed.output
    ctx = AppContext.create(load_settings(database_url=db_env))
    try:
        client = TestClient(create_app(ctx))
        auth = {"Authorization": f"Bearer {raw}"}
        assert client.get("/allocation.csv", headers=auth).status_code == 200
        revoked = runner.invoke(cli, ["token", "revoke", "1"])
        assert revoked.exit_code == 0 and "revoked" in revoked.output
        assert client.get("/allocation.csv", headers=auth).status_code == 401
    finally:
        ctx.close()


def test_bad_role_name_and_unknown_id_fail_cleanly(db_env: str) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["token", "create", "--role", "root"])
    assert bad.exit_code == 2
    assert "unknown role 'root'" in bad.output
    blank = runner.invoke(cli, ["token", "create", "--role", "viewer", "--name", "  "])
    assert blank.exit_code == 2 and "needs a name" in blank.output
    missing = runner.invoke(cli, ["token", "revoke", "99"])
    assert missing.exit_code == 2 and "no token with id 99" in missing.output


def test_token_names_are_printed_literally_never_as_terminal_markup(db_env: str) -> None:
    """A name is user input: ``[link=…]`` or ``[/]`` must neither become a terminal
    hyperlink nor crash the table (rich reads brackets as markup)."""
    runner = CliRunner()
    name = "[link=https://example.invalid]click[/link][/]"
    made = runner.invoke(cli, ["token", "create", "--role", "viewer", "--name", name])
    assert made.exit_code == 0, made.output
    assert name in made.output
    listed = runner.invoke(cli, ["token", "list"], env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    assert name in listed.output
    revoked = runner.invoke(cli, ["token", "revoke", "1"])
    assert revoked.exit_code == 0 and f"({name}) revoked" in revoked.output
