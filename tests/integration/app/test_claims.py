"""Two replicas on one PostgreSQL run each (job, period) exactly once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.scheduling.claims import claim

REPLICA = textwrap.dedent(
    """
    import sys, time
    from app.db.session import make_engine, make_session_factory
    from app.scheduling.claims import claim
    url, who, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    factory = make_session_factory(make_engine(url))
    start_at = float(sys.argv[5])
    while time.time() < start_at:
        time.sleep(0.005)
    for i in range(n):
        if claim(factory, "collect:prometheus", f"2026-11-26T{i // 60:02d}:{i % 60:02d}", who):
            with open(out, "a") as f:
                f.write(f"{i} {who}\\n")
    """
)


def test_claim_is_first_come_and_stable(sessions: sessionmaker[Session]) -> None:
    assert claim(sessions, "job", "p1", "a")
    assert not claim(sessions, "job", "p1", "b")
    assert not claim(sessions, "job", "p1", "a")  # not even the owner runs it twice
    assert claim(sessions, "job", "p2", "b")


def test_two_processes_never_run_the_same_period_twice(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share a PostgreSQL database; SQLite is the single-process demo store")
    import time

    out = tmp_path / "runs.txt"
    n = 120
    url = engine.url.render_as_string(hide_password=False)
    start_at = str(time.time() + 1.5)
    procs = [
        subprocess.Popen([sys.executable, "-c", REPLICA, url, who, str(out), str(n), start_at])
        for who in ("replica-a", "replica-b")
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    lines = out.read_text().split("\n")[:-1]
    periods = Counter(line.split()[0] for line in lines)
    assert len(periods) == n
    assert max(periods.values()) == 1
    owners = Counter(line.split()[1] for line in lines)
    assert sum(owners.values()) == n
