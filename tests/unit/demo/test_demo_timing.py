"""Generation stays fast enough for ``finops demo`` to load everything at start-up.

The bound is generous (the machine is shared); the measured figures are printed by
``python -m collectors.demo`` and sit around 0.4 s for 30 days.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from collectors.demo import DemoCollector
from collectors.demo.__main__ import main


def test_thirty_days_generate_and_collect_in_under_five_seconds() -> None:
    t0 = time.perf_counter()
    demo = DemoCollector(seed=11, end=datetime(2026, 5, 4, 9, tzinfo=UTC))
    batch = demo.collect(demo.full_window())
    elapsed = time.perf_counter() - t0
    assert len(batch.usage) > 8000
    assert elapsed < 5.0, f"generation took {elapsed:.2f} s"


def test_collecting_again_reuses_the_simulation() -> None:
    demo = DemoCollector(seed=11, end=datetime(2026, 5, 4, 9, tzinfo=UTC))
    first = demo.simulation()
    demo.collect(demo.full_window())
    assert demo.simulation() is first


def test_figures_script_prints_the_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "42", "--end", "2026-03-01T13:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "window        2026-01-30T00:00:00+00:00 .. 2026-03-01T13:00:00+00:00" in out
    assert "bill over 30 days" in out
    assert "payment-sim-api OOM kills" in out


def test_figures_script_refuses_a_naive_end(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--end", "2026-03-01T13:00:00"])
    assert exit_.value.code == 2
    assert "timezone-aware UTC" in capsys.readouterr().err
