"""The rightsizing engine: one container in, one recommendation (or reason) out.

Order of operations, the same for every strategy so that replays compare the
strategies' judgement and nothing else:

1. opt-out annotation -> ``NoRecommendation(opted-out)``
2. data sufficiency (history span and data points) -> ``insufficient-data``
3. the strategy's raw proposal
4. floors, gradual decrease, pins (a pin is the team's word and wins over both)
5. HPA: move the utilization target with the request (or raise the request)
6. ResourceQuota cap at max replicas; requests never above limits
7. change threshold per resource (a resource below it keeps its current values;
   memory increases are exempt when the container was OOM-killed or its peak is within
   5% of its limit), minimum saving for decreases (increases are risk fixes)
8. saving in dollars, confidence, evidence
"""

from __future__ import annotations

import math
from dataclasses import replace

from rightsizing import quota as quota_rules
from rightsizing.annotations import opted_out, read_pins
from rightsizing.autoscaling import idle_autoscaler_note, keep_scale_out_point, reconcile_hpa
from rightsizing.confidence import confidence
from rightsizing.errors import InvalidInputError
from rightsizing.guardrails import (
    Guardrails,
    apply_floors,
    apply_threshold,
    limit_decrease,
    requests_within_limits,
)
from rightsizing.inputs import ContainerInputs, Resources
from rightsizing.results import (
    Evidence,
    HpaAdjustment,
    NoRecommendation,
    Outcome,
    Reason,
    Recommendation,
)
from rightsizing.savings import monthly_saving
from rightsizing.strategies import DEFAULT_STRATEGY, Strategy, make_strategy
from rightsizing.strategies.base import DAY_S


def _clamp(v: float | None, lo: float | None, hi: float | None) -> float | None:
    if v is None:
        return None
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    return v


def pins_error(inputs: ContainerInputs) -> str | None:
    """What is wrong with the container's pin annotations (None: nothing)."""
    try:
        read_pins(inputs.annotations)
    except InvalidInputError as exc:
        return str(exc)
    return None


def eligible(inputs: ContainerInputs, guardrails: Guardrails | None = None) -> bool:
    """Whether ``recommend`` would reach the strategy (not opted out, enough data)."""
    g = guardrails or Guardrails()
    if opted_out(inputs.annotations) or inputs.spec_error or pins_error(inputs) is not None:
        return False
    span_days = inputs.history_s / DAY_S
    return span_days + 1e-9 >= g.min_history_days and inputs.usage.points >= g.min_data_points


def recommend(
    inputs: ContainerInputs,
    strategy: Strategy | str = DEFAULT_STRATEGY,
    guardrails: Guardrails | None = None,
) -> Outcome:
    g = guardrails or Guardrails()
    strat = make_strategy(strategy) if isinstance(strategy, str) else strategy
    name = strat.name
    if opted_out(inputs.annotations):
        return NoRecommendation(
            inputs.key, name, Reason.OPTED_OUT, "annotation finops.tacos.io/rightsizing"
        )
    if inputs.spec_error:
        return NoRecommendation(
            inputs.key,
            name,
            Reason.INVALID_SPEC,
            f"{inputs.spec_error}; nothing is recommended for this workload until it is fixed",
        )
    try:
        pins = read_pins(inputs.annotations)
    except InvalidInputError as exc:
        return NoRecommendation(
            inputs.key,
            name,
            Reason.INVALID_ANNOTATION,
            f"{exc}; nothing is recommended for this workload until the annotation is fixed",
        )
    usage = inputs.usage
    span_days = inputs.history_s / DAY_S
    base_evidence = (
        Evidence("history_days", span_days, "days"),
        Evidence("data_points", usage.points, "count"),
    )
    if span_days + 1e-9 < g.min_history_days or usage.points < g.min_data_points:
        return NoRecommendation(
            inputs.key,
            name,
            Reason.INSUFFICIENT_DATA,
            f"{span_days:.1f} days and {usage.points:.0f} data points; "
            f"need {g.min_history_days:g} days and {g.min_data_points}",
            base_evidence,
        )
    proposal = strat.propose(inputs)
    if isinstance(proposal, NoRecommendation):
        return replace(proposal, evidence=proposal.evidence + base_evidence)
    cur = inputs.current
    notes = list(proposal.notes)
    res = apply_floors(proposal.resources, g)
    res = replace(
        res,
        cpu_request=limit_decrease(res.cpu_request, cur.cpu_request, g),
        memory_request=limit_decrease(res.memory_request, cur.memory_request, g),
    )
    if res != apply_floors(proposal.resources, g):
        notes.append(f"decrease limited to {g.max_decrease:.0%} per step")
    if pins.any:
        pinned = Resources(
            cpu_request=_clamp(res.cpu_request, pins.cpu_request_min, pins.cpu_request_max),
            cpu_limit=None if pins.cpu_limit_none else (pins.cpu_limit or res.cpu_limit),
            memory_request=_clamp(
                res.memory_request, pins.memory_request_min, pins.memory_request_max
            ),
            memory_limit=pins.memory_limit or res.memory_limit,
        )
        if pinned != res:
            notes.append("bounded by finops.tacos.io pin annotations")
        res = pinned

    hpa: list[HpaAdjustment] = []
    auto = inputs.autoscaler
    if auto is not None:
        for resource, target, attr in (
            ("cpu", auto.cpu_target_percent, "cpu_request"),
            ("memory", auto.memory_target_percent, "memory_request"),
        ):
            new = getattr(res, attr)
            if target is None or new is None:
                continue
            out = keep_scale_out_point(
                resource,
                target,
                getattr(cur, attr),
                new,
                g.hpa_target_min_percent,
                g.hpa_target_max_percent,
            )
            res = replace(res, **{attr: out.request})
            hpa.append(out.adjustment)
            if out.adjustment.note:
                notes.append(out.adjustment.note)

    idle = idle_autoscaler_note(inputs)
    if idle is not None:
        notes.append(idle)

    max_replicas = _max_replicas(inputs)
    limit_capped = {"cpu": False, "memory": False}
    for key, attr, cur_v, res_kind in (
        ("requests.cpu", "cpu_request", cur.cpu_request, "cpu"),
        ("requests.memory", "memory_request", cur.memory_request, "memory"),
        ("limits.cpu", "cpu_limit", cur.cpu_limit, "cpu"),
        ("limits.memory", "memory_limit", cur.memory_limit, "memory"),
    ):
        if (
            inputs.quota is not None
            and key == "limits.cpu"
            and res.cpu_limit is None
            and key in inputs.quota.hard
        ):
            res = replace(res, cpu_limit=cur.cpu_limit or res.cpu_request)
            notes.append("the namespace quota tracks limits.cpu, so a CPU limit is kept")
        value, note = quota_rules.cap(inputs.quota, key, getattr(res, attr), cur_v, max_replicas)
        if note:
            res = replace(res, **{attr: value})
            notes.append(note)
            if key.startswith("limits."):
                limit_capped[res_kind] = True
    res = requests_within_limits(res, limit_capped, pins.cpu_limit, pins.memory_limit)

    res, kept_cpu, kept_mem = apply_threshold(res, inputs, g)
    if kept_cpu and kept_mem:
        return NoRecommendation(
            inputs.key,
            name,
            Reason.BELOW_THRESHOLD,
            _with_notes(f"changes below the {g.change_threshold:.0%} threshold", notes),
            proposal.evidence + base_evidence,
        )
    replicas = inputs.mean_replicas()
    saving = monthly_saving(cur, res, inputs.prices, replicas)
    increases = (res.cpu_request or 0) > (cur.cpu_request or 0) or (res.memory_request or 0) > (
        cur.memory_request or 0
    )
    if not increases and saving < g.min_monthly_saving:
        return NoRecommendation(
            inputs.key,
            name,
            Reason.BELOW_THRESHOLD,
            _with_notes(
                f"saving ${saving}/month is below the ${g.min_monthly_saving} minimum", notes
            ),
            proposal.evidence + base_evidence,
        )
    hpa = reconcile_hpa(hpa, res, cur, g)
    if kept_cpu:
        notes.append(f"CPU unchanged: within {g.change_threshold:.0%}")
    if kept_mem:
        notes.append(f"memory unchanged: within {g.change_threshold:.0%}")
    extra: tuple[Evidence, ...] = (Evidence("mean_replicas", replicas, "count"),)
    if inputs.replicas is not None:
        extra += (
            Evidence("zero_replica_share", inputs.replicas.zero_share(), "ratio", "not usage"),
        )
    start = float(usage.times_s[0]) if usage.times_s.size else 0.0
    return Recommendation(
        key=inputs.key,
        strategy=name,
        current=cur,
        recommended=res,
        monthly_saving=saving,
        confidence=confidence(inputs),
        evidence=proposal.evidence + base_evidence + extra,
        notes=tuple(notes),
        hpa=tuple(hpa),
        window_start_s=start,
        window_end_s=inputs.end_s,
    )


def _with_notes(detail: str, notes: list[str]) -> str:
    """Why nothing changed, plus what constrained it (quota, pins, HPA bounds)."""
    return "; ".join([detail, *notes])


def _max_replicas(inputs: ContainerInputs) -> int:
    if inputs.autoscaler is not None:
        return inputs.autoscaler.max_replicas
    if inputs.replicas is not None and inputs.replicas.replicas.size:
        return max(1, math.ceil(float(inputs.replicas.replicas.max())))
    return 1
