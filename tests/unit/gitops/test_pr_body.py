"""The PR title and body: every change with its evidence, totals, escaping, size cap."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rightsizing.gitops.changes import EvidenceItem, ResourceValues
from rightsizing.gitops.patcher import NOT_FOUND, Skipped, patch_tree
from rightsizing.gitops.pr_body import (
    MARKER,
    MAX_BODY,
    RunInfo,
    evidence_value,
    render_pull_request,
    render_title,
)
from tests.unit.gitops.manifests import DEPLOYMENT, HPA, MI, change

RUN = RunInfo(41, "tacos", "2026-11-09 00:00 → 2026-11-23 00:00 UTC")


def rows_of(body: str, heading: str) -> list[list[str]]:
    section = body.split(f"### {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()[2:]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines]


def test_change_table_lists_every_edited_value_with_saving_and_confidence() -> None:
    ch = change()
    patch = patch_tree({"d.yaml": DEPLOYMENT, "hpa.yaml": HPA}, [ch])
    text = render_pull_request(RUN, patch.applied, patch.edits)
    assert text.body.startswith(MARKER)
    assert rows_of(text.body, "Changes") == [
        [
            "tacos/inventory-api",
            "inventory-api",
            "CPU request",
            "500m",
            "250m",
            "$12.50",
            "high (0.82)",
        ],
        ["", "", "memory request", "512Mi", "384Mi", "", ""],
    ]
    assert "**Estimated net saving: $12.50/month**" in text.body
    assert text.title == "Rightsizing: 1 workload, saves $12.50/month"


def test_evidence_shows_percentiles_peaks_window_and_points() -> None:
    patch = patch_tree({"d.yaml": DEPLOYMENT}, [change()])
    body = render_pull_request(RUN, patch.applied, patch.edits).body
    [row] = rows_of(body, "Evidence")
    assert row[0] == "tacos/inventory-api/inventory-api"
    assert "cpu\\_p95 = 212m" in row[2]
    assert "memory\\_daily\\_peak\\_max = 301Mi \\(last 8 days\\)" in row[2]
    assert "history\\_days = 14.0 days" in row[2] and "data\\_points = 4,032" in row[2]
    assert "from recommendation run 41" in body.lower()
    assert "2026-11-09 00:00 → 2026-11-23 00:00 UTC" in body


def test_increases_are_shown_as_cost_and_the_title_says_so() -> None:
    up = change(saving="-30.00")
    assert render_title([up]) == "Rightsizing: 1 workload, +$30.00/month for reliability"
    mixed = [change(saving="40"), replace(change(name="b", saving="-15.5"))]
    body = render_pull_request(RUN, mixed, []).body
    assert "**Estimated net saving: $24.50/month** ($40.00 from decreases, -$15.50" in body


def test_skipped_and_hostile_names_are_escaped() -> None:
    hostile = change(
        name="evil|name",
        container="<script>alert(1)</script>`x`",
        namespace="@org/team",
    )
    body = render_pull_request(RUN, [], [], [Skipped(hostile, NOT_FOUND)]).body
    [row] = rows_of(body, "Not applied")
    assert row == [
        "&#64;org/team/Deployment/evil\\|name",
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\`x\\`",
        "not found in manifests",
    ]
    assert "<script>" not in body and "@org" not in body


def test_guardrails_are_stated() -> None:
    body = render_pull_request(RUN, [change()], []).body
    guard = body.split("### Guardrails", 1)[1]
    for phrase in (
        "7 days",
        "100 data points",
        "10%",
        "$5/month",
        "50%",
        "finops.tacos.io/rightsizing",
    ):
        assert phrase in guard


def test_evidence_units() -> None:
    assert evidence_value(EvidenceItem("x", 0.412, "cores")) == "412m"
    assert evidence_value(EvidenceItem("x", 300 * MI, "bytes")) == "300Mi"
    assert evidence_value(EvidenceItem("x", 0.031, "ratio")) == "3.1%"
    assert evidence_value(EvidenceItem("x", 2.5, "rps")) == "2.5 rps"


def test_huge_bodies_are_cut_below_githubs_limit() -> None:
    many = [
        change(
            name=f"svc-{i}",
            saving="6",
            recommended=ResourceValues(Decimal("0.1"), None, None, None),
        )
        for i in range(1200)
    ]
    skipped = [Skipped(c, NOT_FOUND) for c in many]
    body = render_pull_request(RUN, many, [], skipped).body
    assert len(body) <= MAX_BODY
    assert body.endswith("_(truncated: the full list is in the tacos-finops recommendations page)_")
