"""yamllint over manifests/, and the PromQL of rules and canary analyses through promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.components import require_binary

from .checks.promql import check_promql, rule_groups, write_rules
from .conftest import MANIFESTS, REPO, TACOS_OVERLAYS, short

HERE = Path(__file__).resolve().parent


def yamllint(*paths: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(REPO / ".venv" / "bin" / "yamllint")
    cmd = [str(exe)] if exe.is_file() else [require_binary("yamllint")]
    return subprocess.run(
        [*cmd, "-f", "parsable", "-c", str(MANIFESTS / ".yamllint.yaml"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manifests_pass_yamllint() -> None:
    proc = yamllint(MANIFESTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("directory", TACOS_OVERLAYS, ids=short)
def test_rules_and_analysis_queries_pass_promtool(
    rendered, directory: Path, tmp_path: Path
) -> None:
    promtool = require_binary("promtool", "apt-get install prometheus")
    objects = rendered(directory)
    assert check_promql(objects, promtool, tmp_path) == []
    names = sorted(g["name"] for g in rule_groups(objects))
    assert names == [
        "analysis-latency-p95",
        "analysis-success-rate",
        "tacos-capacity",
        "tacos-cost",
        "tacos-slo",
    ]


def test_alerts_fire_on_known_series(rendered, tmp_path: Path) -> None:
    """promtool unit tests: p95 425 ms pages, 155 ms does not; HPA at max; 2% errors; budget."""
    promtool = require_binary("promtool", "apt-get install prometheus")
    write_rules(rendered(TACOS_OVERLAYS[2]), tmp_path / "rules.yaml")
    shutil.copy(HERE / "promtool" / "tacos_alerts_test.yaml", tmp_path)
    proc = subprocess.run(
        [promtool, "test", "rules", "tacos_alerts_test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_broken_promql_is_reported(rendered, tmp_path: Path) -> None:
    promtool = require_binary("promtool", "apt-get install prometheus")
    objects = rendered(TACOS_OVERLAYS[2])
    rule = next(o for o in objects if o["kind"] == "PrometheusRule")
    rule["spec"]["groups"][0]["rules"][2]["expr"] = (
        "sum(rate(http_server_request_duration_seconds_count[5m]) >"
    )
    [finding] = check_promql(objects, promtool, tmp_path)
    assert "PrometheusRule/tacos/tacos-slo" in finding.subject
    assert "parse error" in finding.message
