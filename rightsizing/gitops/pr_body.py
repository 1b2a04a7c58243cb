"""The pull request a reviewer reads: what changes, what it saves, and why each number.

Every value in the change table has its evidence next to it (percentiles, peaks,
the history window and the number of data points) so a reviewer can check it
without opening a dashboard. Everything that came from the cluster goes through
``markdown.cell``. The body starts with a marker comment so the job can tell its
own PR from a person's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rightsizing.gitops.changes import ChangeRequest, EvidenceItem
from rightsizing.gitops.markdown import cell, table
from rightsizing.gitops.patcher import Edit, Skipped
from rightsizing.gitops.quantities import human
from rightsizing.guardrails import Guardrails

MARKER = "<!-- tacos-finops:rightsizing -->"
MAX_BODY = 60_000  # GitHub refuses bodies above 65,536 characters
_LABELS = {
    "cpu_request": ("CPU request", "cpu"),
    "cpu_limit": ("CPU limit", "cpu"),
    "memory_request": ("memory request", "memory"),
    "memory_limit": ("memory limit", "memory"),
}


@dataclass(frozen=True)
class PullRequestText:
    title: str
    body: str


@dataclass(frozen=True)
class RunInfo:
    """Where the recommendations came from, for the PR's header."""

    run_id: int
    strategy: str
    window: str  # e.g. "2026-11-09 → 2026-11-23 UTC"


def money(v: Decimal) -> str:
    sign = "-" if v < 0 else ""
    return f"{sign}${abs(v):,.2f}"


def evidence_value(e: EvidenceItem) -> str:
    """A number in the unit a person reads: millicores, MiB, days, percent."""
    if e.unit == "cores":
        return f"{e.value * 1000:,.0f}m"
    if e.unit == "bytes":
        return f"{e.value / 2**20:,.0f}Mi"
    if e.unit == "days":
        return f"{e.value:.1f} days"
    if e.unit == "count":
        return f"{e.value:,.0f}"
    if e.unit == "ratio":
        return f"{e.value:.1%}"
    return f"{e.value:g} {e.unit}"


def _evidence_text(c: ChangeRequest) -> str:
    parts = []
    for e in c.evidence:
        note = f" ({e.note})" if e.note else ""
        parts.append(f"{e.name} = {evidence_value(e)}{note}")
    return cell("; ".join(parts) or "no evidence recorded", max_len=1000)


def _change_rows(changes: Sequence[ChangeRequest], edits: Sequence[Edit]) -> list[list[str]]:
    edited = {(e.workload, e.field) for e in edits}
    rows: list[list[str]] = []
    for c in changes:
        first = True
        label = c.ref.label()
        for name, (what, resource) in _LABELS.items():
            section = "requests" if name.endswith("request") else "limits"
            if (label, f"resources.{section}.{resource}") not in edited:
                continue
            rows.append(
                [
                    cell(f"{c.ref.namespace or ''}/{c.ref.name}") if first else "",
                    cell(c.ref.container) if first else "",
                    what,
                    human(resource, c.current.get(name)),
                    human(resource, c.recommended.get(name)),
                    money(c.monthly_saving) if first else "",
                    f"{c.confidence_label} ({c.confidence:.2f})" if first else "",
                ]
            )
            first = False
    return rows


def _hpa_rows(edits: Sequence[Edit]) -> list[list[str]]:
    rows = []
    for e in edits:
        if e.field.startswith("hpa."):
            rows.append([cell(e.workload), e.field.removeprefix("hpa."), cell(e.old), cell(e.new)])
    return rows


def _guardrails(g: Guardrails) -> str:
    return (
        f"Guardrails applied before this PR: at least {g.min_history_days:g} days of history "
        f"and {g.min_data_points} data points; changes under {g.change_threshold:.0%} are "
        f"left alone; a decrease must save at least ${g.min_monthly_saving}/month per workload "
        f"and shrinks a request by at most {g.max_decrease:.0%} per week; floors "
        f"{g.cpu_floor_cores * 1000:g}m CPU and {g.memory_floor_bytes / 2**20:g}Mi memory; "
        "requests never above limits; memory is raised after OOM kills; HPA targets move with "
        "the request so the scale-out point stays put; the namespace ResourceQuota still admits "
        "max replicas. A workload opts out with the annotation `finops.tacos.io/rightsizing: "
        "disabled`. Only `resources` and autoscaler targets were edited, and the result was "
        "parsed and rendered before pushing."
    )


def render_title(applied: Sequence[ChangeRequest]) -> str:
    total = sum((c.monthly_saving for c in applied), Decimal(0))
    n = len({(c.ref.kind, c.ref.name, c.ref.namespace) for c in applied})
    what = f"{n} workload{'s' if n != 1 else ''}"
    if total >= 0:
        return f"Rightsizing: {what}, saves {money(total)}/month"
    return f"Rightsizing: {what}, +{money(-total)}/month for reliability"


def render_pull_request(
    run: RunInfo,
    applied: Sequence[ChangeRequest],
    edits: Sequence[Edit],
    skipped: Sequence[Skipped] = (),
    warnings: Sequence[str] = (),
    guardrails: Guardrails | None = None,
) -> PullRequestText:
    savings = sum((c.monthly_saving for c in applied if c.monthly_saving > 0), Decimal(0))
    costs = sum((c.monthly_saving for c in applied if c.monthly_saving < 0), Decimal(0))
    parts = [
        MARKER,
        "## Weekly rightsizing recommendations",
        f"From recommendation run {run.run_id} (strategy `{cell(run.strategy, 40)}`, "
        f"usage window {cell(run.window)}).",
        f"**Estimated net saving: {money(savings + costs)}/month** "
        f"({money(savings)} from decreases, {money(costs)} for increases that prevent OOM kills "
        "or throttling).",
        "### Changes",
        table(
            [
                "Workload",
                "Container",
                "Resource",
                "Current",
                "Recommended",
                "Saving/month",
                "Confidence",
            ],
            _change_rows(applied, edits),
        ),
    ]
    hpa = _hpa_rows(edits)
    if hpa:
        parts += [
            "### Autoscaler targets",
            table(["Workload", "Resource", "Target was", "Target now"], hpa),
        ]
    parts += ["### Evidence"]
    ev_rows = []
    for c in applied:
        window = ""
        if c.window_start and c.window_end:
            window = f"{c.window_start:%Y-%m-%d %H:%M} → {c.window_end:%Y-%m-%d %H:%M} UTC"
        notes = cell("; ".join(c.notes), max_len=600) if c.notes else ""
        ev_rows.append(
            [
                cell(f"{c.ref.namespace or ''}/{c.ref.name}/{c.ref.container}"),
                window,
                _evidence_text(c),
                notes,
            ]
        )
    parts.append(table(["Container", "Window", "Evidence", "Notes"], ev_rows))
    if skipped:
        parts += [
            "### Not applied",
            table(
                ["Workload", "Container", "Why"],
                [
                    [
                        cell(
                            f"{s.change.ref.namespace or ''}/{s.change.ref.kind}/{s.change.ref.name}"
                        ),
                        cell(s.change.ref.container),
                        cell(s.reason),
                    ]
                    for s in skipped
                ],
            ),
        ]
    if warnings:
        parts += ["### Warnings", "\n".join(f"- {cell(w, 500)}" for w in warnings)]
    parts += [
        "### Guardrails",
        _guardrails(guardrails or Guardrails()),
        "---",
        "Opened by tacos-finops. Review every change; merge to apply through GitOps, or close "
        "to skip. Next week's run updates this pull request instead of opening another.",
    ]
    body = "\n\n".join(parts)
    if len(body) > MAX_BODY:
        cut = body[: MAX_BODY - 200]
        cut = cut[: cut.rfind("\n")]
        body = cut + "\n\n_(truncated: the full list is in the tacos-finops recommendations page)_"
    return PullRequestText(render_title(applied), body)
