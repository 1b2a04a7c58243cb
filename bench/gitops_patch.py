"""Benchmark: patch a large manifests tree and render its pull request (pure, no I/O).

Usage: ``.venv/bin/python bench/gitops_patch.py [WORKLOADS [RECOMMENDATIONS]]``
(default 300 workloads, every one recommended).
Prints parse+patch+write time, PR rendering time, the scope check time and the
diff size, so a regression in the round-trip (e.g. a file re-indented) shows.
"""

from __future__ import annotations

import difflib
import sys
import time
from decimal import Decimal

from rightsizing.gitops.changes import (
    ChangeRequest,
    EvidenceItem,
    HpaTarget,
    ResourceValues,
    WorkloadRef,
)
from rightsizing.gitops.patcher import patch_tree
from rightsizing.gitops.pr_body import RunInfo, render_pull_request
from rightsizing.gitops.scope import out_of_scope

MI = 2**20

TEMPLATE = """\
# {name}: generated for the benchmark. Owned by team-{team}.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}   # keep in sync with the Service
  labels: {{app.kubernetes.io/name: {name}, team: 'team-{team}'}}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: app
          image: "registry.example/{name}:1.0.{i}"
          env:
            - {{name: LOG_LEVEL, value: info}}
          resources:
            requests:
              cpu: 500m   # sized in {i}
              memory: "512Mi"
            limits:
              cpu: '1'
              memory: 1Gi
        - name: proxy
          image: proxy:2
          resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 20
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
"""


def main(n: int, n_recs: int) -> None:
    files = {
        f"manifests/svc-{i}.yaml": TEMPLATE.format(name=f"svc-{i}", team=i % 7, i=i)
        for i in range(n)
    }
    changes = [
        ChangeRequest(
            ref=WorkloadRef("Deployment", f"svc-{i}", "app", "tacos"),
            current=ResourceValues(
                Decimal("0.5"), Decimal(1), Decimal(512 * MI), Decimal(1024 * MI)
            ),
            recommended=ResourceValues(
                Decimal("0.25") + Decimal(i) / 1000,
                Decimal(1),
                Decimal(384 * MI),
                Decimal(1024 * MI),
            ),
            monthly_saving=Decimal("12.34"),
            confidence=0.8,
            evidence=(
                EvidenceItem("cpu_p95", 0.2, "cores"),
                EvidenceItem("data_points", 4032, "count"),
            ),
            hpa=(HpaTarget("cpu", 70.0, 60.0),) if i % 2 else (),
        )
        for i in range(n_recs)
    ]
    t0 = time.perf_counter()
    result = patch_tree(files, changes)
    t1 = time.perf_counter()
    text = render_pull_request(
        RunInfo(1, "tacos", "bench"), result.applied, result.edits, result.skipped
    )
    t2 = time.perf_counter()
    problems = [
        p for path, new in result.files.items() for p in out_of_scope(files[path], new, path)
    ]
    t3 = time.perf_counter()
    changed = sum(
        1
        for path, new in result.files.items()
        for line in difflib.unified_diff(
            files[path].splitlines(), new.splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )
    size = sum(len(t) for t in files.values())
    print(f"workloads in the repo     {n}")
    print(f"recommendations           {n_recs}")
    print(f"manifest bytes            {size:,}")
    print(f"files changed             {len(result.files)}")
    print(f"edits                     {len(result.edits)}")
    print(
        f"diff lines (-/+)          {changed} (expected {2 * len(result.edits)}: one line per edit)"
    )
    print(
        f"parse+patch+write         {t1 - t0:.3f} s ({(t1 - t0) / n_recs * 1000:.1f} ms/recommendation)"
    )
    print(f"render PR body            {t2 - t1:.3f} s ({len(text.body):,} chars)")
    print(f"scope check (PyYAML)      {t3 - t2:.3f} s, {len(problems)} problems")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    main(n, min(n, int(sys.argv[2]) if len(sys.argv) > 2 else n))
