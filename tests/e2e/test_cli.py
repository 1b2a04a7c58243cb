"""The ``finops`` command as users run it: a real subprocess of the installed script."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tacos.yaml"


def finops(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("finops", path=str(Path(sys.executable).parent)) or "finops"
    base = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    return subprocess.run(
        [exe, *args],
        cwd=cwd or ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """The installed script as a long-running server, output merged on a pipe."""
    exe = shutil.which("finops", path=str(Path(sys.executable).parent)) or "finops"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    return subprocess.Popen(
        [exe, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def all_commands() -> list[list[str]]:
    from typer.main import get_command

    from app.cli.main import cli

    root = get_command(cli)
    out: list[list[str]] = [[]]

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None) or {}
        for name, sub in subs.items():
            out.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return out


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "finops")
def test_every_command_has_help(path: list[str]) -> None:
    from typer.testing import CliRunner

    from app.cli.main import cli

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_installed_script_runs() -> None:
    result = finops("--help")
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout


def test_config_check_accepts_example() -> None:
    result = finops("config", "check", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stdout


def test_config_check_names_key_value_and_expectation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("aws:\n  accounts: ['12']\nserver:\n  port: 0\n")
    result = finops("config", "check", str(bad))
    assert result.returncode == 2
    assert "aws.accounts" in result.stderr
    assert "12-digit" in result.stderr
    assert "server.port: got 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_missing_file(tmp_path: Path) -> None:
    result = finops("config", "check", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_db_upgrade_on_fresh_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = finops("db", "upgrade", env={"FINOPS_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "empty → 0" in result.stdout
    again = finops("db", "current", env={"FINOPS_DATABASE_URL": url})
    current, head = again.stdout.split()[1], again.stdout.split()[3]
    assert current == head


def test_bad_env_override_stops_startup() -> None:
    result = finops("db", "upgrade", env={"FINOPS_DATABASE_URL": "mysql://nope"})
    assert result.returncode == 2
    assert "database_url: got 'mysql://nope'" in result.stderr


def test_demo_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = finops("demo", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_demo_serves_the_five_tacos_services_with_numbers(tmp_path: Path) -> None:
    """The README's first command, end to end: load, print the URL, serve real numbers."""
    import json
    import time
    import urllib.request

    port = _free_port()
    proc = _spawn("demo", "--port", str(port), cwd=tmp_path)
    try:
        url = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("dashboard: "):
                url = line.split()[1]
        assert url == f"http://127.0.0.1:{port}/"
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "api/v1/workloads", timeout=5) as resp:
                    body = resp.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        items = {i["name"]: i for i in json.loads(body)["items"] if i["namespace"] == "tacos"}
        assert set(items) == {
            "gateway-api",
            "reservation-api",
            "inventory-api",
            "payment-sim-api",
            "reservation-worker",
        }
        for w in items.values():
            assert w["containers"][0]["cpu_request_cores"] > 0
            assert w["last_day"]["cpu_avg_cores"] is not None
        with urllib.request.urlopen(url, timeout=10) as resp:
            page = resp.read().decode()
        for name in items:
            assert name in page
        assert (tmp_path / "finops.db").exists()
        _assert_loaded_by_whole_days(tmp_path / "finops.db")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _assert_loaded_by_whole_days(db: Path) -> None:
    """The demo is ingested one UTC day per collection run, like a backfill: the runs
    read as days on the System page, and each whole day is packed by its own batch."""
    import sqlite3

    with sqlite3.connect(db) as con:
        runs = con.execute(
            "SELECT window_start, window_end FROM collection_runs ORDER BY window_start"
        ).fetchall()
        full, packed = con.execute(
            "SELECT count(*), sum(packed_version = version) FROM usage_days"
        ).fetchone()
    assert len(runs) >= 30
    assert all(start.endswith("00:00:00.000000") for start, _ in runs)
    assert all(end.endswith("00:00:00.000000") for _, end in runs[:-1])
    assert full >= 30 and packed >= 30  # every whole day written by one batch is packed


def test_serve_with_two_workers_reads_the_config_file_in_each(tmp_path: Path) -> None:
    """``finops serve --workers 2``: two web processes on the config's database, auth on."""
    import time
    import urllib.request

    db = tmp_path / "finops.db"
    cfg = tmp_path / "finops.yaml"
    cfg.write_text(f"database_url: sqlite:///{db}\nscheduler_enabled: false\n")
    made = finops("token", "create", "--role", "viewer", "--name", "w", "--config", str(cfg))
    assert made.returncode == 0, made.stderr
    raw = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    proc = _spawn(
        "serve", "--config", str(cfg), "--port", str(port), "--workers", "2", cwd=tmp_path
    )
    try:
        assert proc.stdout is not None
        printed = ""
        for _ in range(50):  # log lines (migrations) come first
            line = proc.stdout.readline()
            if not line or line.startswith("dashboard: "):
                printed = line.strip()
                break
        assert printed == f"dashboard: http://127.0.0.1:{port}/"
        url = f"http://127.0.0.1:{port}/api/v1/workloads"
        statuses: list[int] = []
        deadline = time.monotonic() + 60
        while len(statuses) < 20 and time.monotonic() < deadline:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {raw}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as resp:  # a new connection each
                    statuses.append(resp.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
            except OSError:
                time.sleep(0.2)  # workers still starting
        assert statuses == [200] * 20
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) >= 2, children
        anonymous = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert anonymous == "401"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
