"""The project's own workload rules, beyond Pod Security "restricted": what the issue asks of
every service and what checkov would flag, checked here with messages that name the fix.
"""

from __future__ import annotations

import re
from typing import Any

from .findings import Finding, ref
from .scaling import bounds, scalers
from .selectors import selected_workloads
from .workloads import pod_template, workloads

Obj = dict[str, Any]
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
OTEL_VARS = ("OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_RESOURCE_ATTRIBUTES")
COST_ATTRIBUTES = ("team=", "cost_center=", "deployment.environment.name=")


def _container_rules(c: Obj, subject: str, out: list[Finding]) -> None:
    def bad(msg: str) -> None:
        out.append(Finding("hardening", subject, f"container {c.get('name')}: {msg}"))

    if not DIGEST.search(c.get("image", "")):
        bad(f"image {c.get('image')} is not pinned by digest (@sha256:...)")
    if c.get("imagePullPolicy") != "Always":
        bad(
            "imagePullPolicy must be Always (a cached tag is not proof of the digest's pull rights)"
        )
    sc = c.get("securityContext") or {}
    if sc.get("readOnlyRootFilesystem") is not True:
        bad("readOnlyRootFilesystem must be true (mount an emptyDir where it writes)")
    res = c.get("resources") or {}
    for kind in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in (res.get(kind) or {}):
                bad(f"no {kind}.{r}")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        if probe not in c:
            bad(f"no {probe}")
    for e in c.get("env") or []:
        if "secretKeyRef" in (e.get("valueFrom") or {}):
            bad(f"env {e['name']} reads a Secret: mount secrets as files instead")
    for ef in c.get("envFrom") or []:
        if "secretRef" in ef:
            bad("envFrom secretRef: mount secrets as files instead")
    env = {e["name"]: e.get("value", "") for e in c.get("env") or []}
    for var in OTEL_VARS:
        if var not in env:
            bad(f"no {var} (OpenTelemetry)")
    attrs = env.get("OTEL_RESOURCE_ATTRIBUTES", "")
    for attr in COST_ATTRIBUTES:
        if attrs and attr not in attrs:
            bad(f"OTEL_RESOURCE_ATTRIBUTES lacks the cost attribute {attr.rstrip('=')}")
    if not any(k.endswith("LOG_FORMAT") and v == "json" for k, v in env.items()):
        bad("logs are not set to JSON (LOG_FORMAT=json)")


def check_hardening(objects: list[Obj]) -> list[Finding]:
    out: list[Finding] = []
    index = scalers(objects)
    for w in workloads(objects):
        subject = ref(w)
        spec = (pod_template(w) or {}).get("spec") or {}
        psc = spec.get("securityContext") or {}
        if spec.get("automountServiceAccountToken") is not False:
            out.append(
                Finding(
                    "hardening",
                    subject,
                    "automountServiceAccountToken must be false "
                    "(mount a projected token explicitly if the API is needed)",
                )
            )
        if int(psc.get("runAsUser", 0)) < 10000:
            out.append(
                Finding(
                    "hardening",
                    subject,
                    "pod runAsUser must be >= 10000 (no overlap with host users)",
                )
            )
        for c in spec.get("containers") or []:
            _container_rules(c, subject, out)
        b = bounds(w, index)
        if b.max_replicas > 1:
            out.extend(_fleet_rules(objects, w, spec, subject))
    return out


def _fleet_rules(objects: list[Obj], w: Obj, spec: Obj, subject: str) -> list[Finding]:
    """Rules for anything that runs more than one pod: zero-downtime updates and spreading."""
    out = []
    wspec = w.get("spec") or {}
    if w["kind"] == "Rollout":
        unavailable = ((wspec.get("strategy") or {}).get("canary") or {}).get("maxUnavailable", 1)
    else:
        strategy = wspec.get("strategy") or {}
        unavailable = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
        if strategy.get("type") == "Recreate":
            unavailable = "100%"
    if str(unavailable) not in ("0", "0%"):
        out.append(
            Finding(
                "hardening",
                subject,
                f"rolling update maxUnavailable={unavailable}: must be 0 for zero-downtime updates",
            )
        )
    for c in spec.get("containers") or []:
        if "preStop" not in (c.get("lifecycle") or {}):
            out.append(
                Finding(
                    "hardening",
                    subject,
                    f"container {c['name']}: no preStop hook; endpoints "
                    "are removed asynchronously, so in-flight requests would hit a stopping pod",
                )
            )
    keys = {t.get("topologyKey") for t in spec.get("topologySpreadConstraints") or []}
    if "topology.kubernetes.io/zone" not in keys:
        out.append(Finding("hardening", subject, "no topology spread across zones"))
    affinity = spec.get("affinity") or {}
    if "podAntiAffinity" not in affinity:
        out.append(Finding("hardening", subject, "no pod anti-affinity"))
    if "nodeAffinity" not in affinity:
        out.append(Finding("hardening", subject, "no node affinity (choose nodes for cost)"))
    ns = w["metadata"].get("namespace")
    pdbs = [
        p
        for p in objects
        if p["kind"] == "PodDisruptionBudget"
        and p["metadata"].get("namespace") == ns
        and w in selected_workloads(objects, p["spec"].get("selector"), ns)
    ]
    if not pdbs:
        out.append(Finding("hardening", subject, "no PodDisruptionBudget selects its pods"))
    return out
