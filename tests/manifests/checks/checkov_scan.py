"""Run checkov (in its own virtualenv, see mk/manifests.mk) on rendered manifests.

checkov scans only built-in kinds and ignores Argo Rollouts entirely, so each Rollout is
scanned as the Deployment of its pod template. Skips are never passed on the command line:
a skip must be an inline ``checkov.io/skipN`` annotation with its reason, next to the object.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .errors import ManifestCheckError
from .findings import Finding
from .render import to_yaml
from .workloads import as_deployment

Obj = dict[str, Any]
CHECKOV_VENV = Path(__file__).resolve().parents[3] / ".venv-checkov"


def find_checkov() -> str | None:
    explicit = os.environ.get("CHECKOV")
    if explicit and Path(explicit).is_file():
        return explicit
    local = CHECKOV_VENV / "bin" / "checkov"
    return str(local) if local.is_file() else None


def scannable(objects: list[Obj]) -> list[Obj]:
    return [as_deployment(o) if o["kind"] == "Rollout" else o for o in objects]


def run_checkov(objects: list[Obj], checkov: str) -> tuple[int, list[Finding]]:
    """(number of passed checks, failed checks as findings)."""
    with tempfile.TemporaryDirectory(prefix="checkov-") as tmp:
        path = Path(tmp) / "rendered.yaml"
        path.write_text(to_yaml(scannable(objects)))
        proc = subprocess.run(
            [
                checkov,
                "--file",
                str(path),
                "--framework",
                "kubernetes",
                "--skip-download",
                "--output",
                "json",
                "--compact",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={
                **os.environ,
                "BC_SKIP_MAPPING": "TRUE",
                "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
            },
        )
        if proc.returncode not in (0, 1):
            raise ManifestCheckError(
                f"checkov failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}"
            )
        try:
            report = json.loads(proc.stdout) if proc.stdout.strip() else {}
        except json.JSONDecodeError as exc:
            raise ManifestCheckError(f"checkov printed no JSON: {proc.stdout[:500]}") from exc
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "kubernetes"), {})
    results = report.get("results") or {}
    summary = report.get("summary") or {}
    if not summary.get("passed") and not results:
        raise ManifestCheckError("checkov scanned nothing: no kubernetes results in its report")
    findings = [
        Finding("checkov", str(r.get("resource")), f"{r.get('check_id')} {r.get('check_name')}")
        for r in results.get("failed_checks") or []
    ]
    return int(summary.get("passed", 0)), findings
