"""PromQL in the manifests, checked by the real ``promtool``: the PrometheusRules as they are,
and the canary AnalysisTemplates' queries wrapped as recording rules (with their arguments
filled in) so a typo in a query fails here instead of aborting every canary in production.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, ref

Obj = dict[str, Any]
ARG = re.compile(r"\{\{\s*args\.([\w-]+)\s*\}\}")


def rule_groups(objects: list[Obj]) -> list[Obj]:
    """All PrometheusRule groups, plus one group per AnalysisTemplate query."""
    groups: list[Obj] = []
    for o in objects:
        if o["kind"] == "PrometheusRule":
            groups.extend(o["spec"].get("groups") or [])
        elif o["kind"] == "AnalysisTemplate":
            rules = []
            for m in o["spec"].get("metrics") or []:
                query = ((m.get("provider") or {}).get("prometheus") or {}).get("query")
                if query:
                    filled = ARG.sub(lambda a: f"sample-{a.group(1)}", query)
                    rules.append(
                        {"record": f"analysis:{m['name'].replace('-', '_')}", "expr": filled}
                    )
            if rules:
                groups.append({"name": f"analysis-{o['metadata']['name']}", "rules": rules})
    return groups


def write_rules(objects: list[Obj], path: Path) -> int:
    groups = rule_groups(objects)
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return sum(len(g["rules"]) for g in groups)


def check_promql(objects: list[Obj], promtool: str, workdir: Path) -> list[Finding]:
    path = workdir / "rules.yaml"
    count = write_rules(objects, path)
    if count == 0:
        return [Finding("promql", "PrometheusRule", "no rules or analysis queries found")]
    proc = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        subjects = ", ".join(
            ref(o) for o in objects if o["kind"] in ("PrometheusRule", "AnalysisTemplate")
        )
        return [Finding("promql", subjects, (proc.stdout + proc.stderr).strip())]
    return []
