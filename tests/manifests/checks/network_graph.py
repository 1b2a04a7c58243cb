"""The call graph the NetworkPolicies actually allow, compared with the documented one.

An in-namespace call needs both the caller's egress and the callee's ingress; a call to a peer
outside the namespace needs only our side. Peers outside the namespace are named through the
capacity model's ``external_peers`` (namespace + pod labels, or a CIDR), so the comparison is
between two sets of readable edges like ``gateway-api -> inventory-api:8080/TCP``.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ModelError
from .findings import Finding
from .model import Model
from .selectors import pod_labels, selected_workloads

Obj = dict[str, Any]
Edge = tuple[str, str, str]  # (from, to, "port/PROTO")
EDGE_RE = re.compile(r"^\s*(\S+)\s*->\s*([^:\s]+):(\d+|\*)/(TCP|UDP|SCTP)\s*$")


def parse_edges(model: Model, workload_names: list[str]) -> set[Edge]:
    out: set[Edge] = set()
    for raw in model.edges:
        m = EDGE_RE.match(raw)
        if not m:
            raise ModelError(f"capacity-model edge {raw!r} is not 'from -> to:port/PROTO'")
        src, dst, port, proto = m.groups()
        for s in workload_names if src == "*" else [src]:
            for d in workload_names if dst == "*" else [dst]:
                out.add((s, d, f"{port}/{proto}"))
    return out


def _external_name(peer: Obj, model: Model, namespace: str) -> str | None:
    """Name of the external peer a NetworkPolicy peer denotes; None if it is our namespace."""
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        for name, spec in model.external_peers.items():
            if spec.get("cidr") == block.get("cidr") and not block.get("except"):
                return name
        return f"cidr:{block.get('cidr')}"
    ns_sel = peer.get("namespaceSelector")
    ns_name = ((ns_sel or {}).get("matchLabels") or {}).get("kubernetes.io/metadata.name")
    if ns_sel is None or ns_name == namespace:
        return None
    pods = (peer.get("podSelector") or {}).get("matchLabels") or {}
    for name, spec in model.external_peers.items():
        if spec.get("namespace") == ns_name and (spec.get("pods") or {}) == pods:
            return name
    return f"namespace:{ns_name or ns_sel}" + (f"/pods:{pods}" if pods else "")


def _peers(rule_peers: list[Obj] | None, objects: list[Obj], model: Model, ns: str) -> list[str]:
    if not rule_peers:
        return ["<anyone>"]
    names: list[str] = []
    for p in rule_peers:
        ext = _external_name(p, model, ns)
        if ext is not None:
            names.append(ext)
        else:
            names.extend(
                w["metadata"]["name"]
                for w in selected_workloads(objects, p.get("podSelector") or {}, ns)
            )
    return names


def _ports(rule: Obj) -> list[str]:
    ports = rule.get("ports") or []
    if not ports:
        return ["*/TCP", "*/UDP"]
    return [f"{p.get('port', '*')}/{p.get('protocol', 'TCP')}" for p in ports]


def allowed_edges(objects: list[Obj], model: Model) -> tuple[set[Edge], list[Finding]]:
    ns = model.namespace
    findings: list[Finding] = []
    names = [
        w["metadata"]["name"]
        for w, _ in pod_labels(objects)
        if w["metadata"].get("namespace") == ns
    ]
    policies = [
        p for p in objects if p["kind"] == "NetworkPolicy" and p["metadata"].get("namespace") == ns
    ]
    ingress: set[Edge] = set()
    egress: set[Edge] = set()
    for w in names:
        selecting = [
            p
            for p in policies
            if any(
                s["metadata"]["name"] == w
                for s in selected_workloads(objects, p["spec"].get("podSelector") or {}, ns)
            )
            or not (p["spec"].get("podSelector") or {})
        ]
        for direction, key, sink in (("Ingress", "ingress", ingress), ("Egress", "egress", egress)):
            isolating = [
                p for p in selecting if direction in (p["spec"].get("policyTypes") or ["Ingress"])
            ]
            if not isolating:
                findings.append(
                    Finding("network", w, f"no NetworkPolicy isolates its {key}: all {key} allowed")
                )
                continue
            for p in isolating:
                for rule in p["spec"].get(key) or []:
                    for peer in _peers(
                        rule.get("from" if key == "ingress" else "to"), objects, model, ns
                    ):
                        for port in _ports(rule):
                            sink.add((peer, w, port) if key == "ingress" else (w, peer, port))
    effective: set[Edge] = set()
    for src, dst, port in egress:
        if dst not in names or (src, dst, port) in ingress:
            effective.add((src, dst, port))
        else:
            findings.append(
                Finding(
                    "network",
                    src,
                    f"egress to {dst}:{port} is allowed but {dst} does "
                    "not admit it (half-open path)",
                )
            )
    for src, dst, port in ingress:
        if src not in names:
            effective.add((src, dst, port))
        elif (src, dst, port) not in egress:
            findings.append(
                Finding(
                    "network",
                    dst,
                    f"admits {src} on {port} but {src} may not send it (half-open path)",
                )
            )
    return effective, findings


def _is_default_deny(policy: Obj) -> bool:
    spec = policy.get("spec") or {}
    return (
        not (spec.get("podSelector") or {})
        and set(spec.get("policyTypes") or []) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def check_network_graph(objects: list[Obj], model: Model) -> list[Finding]:
    names = [
        w["metadata"]["name"]
        for w, _ in pod_labels(objects)
        if w["metadata"].get("namespace") == model.namespace
    ]
    documented = parse_edges(model, names)
    allowed, findings = allowed_edges(objects, model)
    if not any(
        _is_default_deny(p)
        for p in objects
        if p["kind"] == "NetworkPolicy" and p["metadata"].get("namespace") == model.namespace
    ):
        findings.append(
            Finding(
                "network",
                f"Namespace/{model.namespace}",
                "no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)",
            )
        )
    for e in sorted(allowed - documented):
        findings.append(
            Finding(
                "network",
                e[0],
                f"may reach {e[1]}:{e[2]}, which the documented call graph does not have",
            )
        )
    for e in sorted(documented - allowed):
        findings.append(
            Finding(
                "network",
                e[0],
                f"documented call to {e[1]}:{e[2]} is not allowed by the NetworkPolicies",
            )
        )
    for c in model.classes:
        for a, b in zip(c.path, c.path[1:], strict=False):
            if not any(s == a and d == b for s, d, _ in documented):
                findings.append(
                    Finding(
                        "network",
                        a,
                        f"request class {c.name} calls {b}, but the call graph has no such edge",
                    )
                )
    return findings
