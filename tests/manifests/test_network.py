"""The NetworkPolicy graph equals the documented call graph, in every environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .checks.findings import report
from .checks.model import load_model
from .checks.network_graph import allowed_edges, check_network_graph, parse_edges
from .conftest import REPO, TACOS_OVERLAYS, short

PROD = TACOS_OVERLAYS[2]
WORKLOADS = [
    "gateway-api",
    "inventory-api",
    "payment-sim-api",
    "reservation-api",
    "reservation-worker",
]


@pytest.mark.parametrize("directory", TACOS_OVERLAYS, ids=short)
def test_policies_allow_exactly_the_documented_graph(rendered, directory: Path) -> None:
    objects = rendered(directory)
    findings = check_network_graph(objects, load_model(objects))
    assert findings == [], report(findings)


def test_the_service_calls_are_the_issue_s_paths(rendered) -> None:
    objects = rendered(PROD)
    edges, _ = allowed_edges(objects, load_model(objects))
    calls = {(s, d) for s, d, p in edges if p == "8080/TCP" and d != "linkerd-control-plane"}
    assert calls == {
        ("ingress-gateway", "gateway-api"),
        ("gateway-api", "reservation-api"),
        ("gateway-api", "inventory-api"),
        ("gateway-api", "payment-sim-api"),
        ("reservation-api", "inventory-api"),
    }
    assert {s for s, d, p in edges if d == "aws-endpoints"} == {
        "reservation-api",
        "reservation-worker",
    }
    assert {s for s, d, p in edges if d == "kube-dns"} == set(WORKLOADS)
    assert {d for s, d, p in edges if s == "prometheus"} == set(WORKLOADS)


def test_docs_table_equals_the_model(rendered) -> None:
    """docs/deployment.md's call-graph table lists the same edges as the capacity model."""
    model = load_model(rendered(PROD))
    text = (REPO / "docs" / "deployment.md").read_text()
    block = text.split("<!-- call-graph:start -->")[1].split("<!-- call-graph:end -->")[0]
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", block, re.M)
    documented = {f"{a} -> {b}:{p}" for a, b, p in rows}
    assert documented == {e.replace('"', "") for e in model.edges}


def test_extra_and_missing_paths_are_named(rendered) -> None:
    objects = rendered(PROD)
    model = load_model(objects)
    for o in objects:
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "payment-sim-api":
            o["spec"]["egress"] = [
                {
                    "to": [{"ipBlock": {"cidr": "10.20.200.0/24"}}],
                    "ports": [{"protocol": "TCP", "port": 5432}],
                }
            ]
            o["spec"]["policyTypes"] = ["Ingress", "Egress"]
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "reservation-api":
            o["spec"]["egress"] = o["spec"]["egress"][1:]  # drop the call to inventory-api
    messages = [str(f) for f in check_network_graph(objects, model)]
    assert (
        "[network] payment-sim-api: may reach postgres:5432/TCP, which the documented call graph "
        "does not have" in messages
    )
    assert (
        "[network] reservation-api: documented call to inventory-api:8080/TCP is not allowed by "
        "the NetworkPolicies" in messages
    )
    assert (
        "[network] inventory-api: admits reservation-api on 8080/TCP but reservation-api may not "
        "send it (half-open path)" in messages
    )


def test_missing_default_deny_is_reported(rendered) -> None:
    objects = [o for o in rendered(PROD) if o["metadata"]["name"] != "default-deny-all"]
    messages = [str(f) for f in check_network_graph(objects, load_model(objects))]
    assert messages == [
        "[network] Namespace/tacos: no default-deny NetworkPolicy (empty podSelector, "
        "Ingress and Egress, no rules)"
    ]


def test_no_policies_at_all_means_everything_is_open(rendered) -> None:
    objects = [o for o in rendered(PROD) if o["kind"] != "NetworkPolicy"]
    messages = [str(f) for f in check_network_graph(objects, load_model(objects))]
    for w in WORKLOADS:
        assert (
            f"[network] {w}: no NetworkPolicy isolates its ingress: all ingress allowed" in messages
        )
        assert (
            f"[network] {w}: no NetworkPolicy isolates its egress: all egress allowed" in messages
        )


def test_wildcard_edges_expand_to_every_workload(rendered) -> None:
    model = load_model(rendered(PROD))
    edges = parse_edges(model, WORKLOADS)
    assert {(s, p) for s, d, p in edges if d == "kube-dns"} == {
        (w, p) for w in WORKLOADS for p in ("53/UDP", "53/TCP")
    }
