"""HPA awareness: keep the absolute scale-out point where it was.

An HPA on CPU utilization scales out when usage per pod exceeds target% x request.
Lowering the request at a fixed target would make the workload scale out earlier
(more pods, less saving) and raising it would delay scale-out (latency). So the
engine moves the target with the request: new target = old target x old request /
new request, within bounds (20-95% by default). Above the upper bound the request
is raised just enough to keep the point; below the lower bound the point cannot be
kept, and the adjustment says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rightsizing.guardrails import Guardrails
from rightsizing.inputs import ContainerInputs, Resources
from rightsizing.results import HpaAdjustment


@dataclass(frozen=True)
class HpaOutcome:
    request: float
    adjustment: HpaAdjustment


def keep_scale_out_point(
    resource: str,
    target_percent: float,
    current_request: float | None,
    new_request: float,
    lo: float,
    hi: float,
) -> HpaOutcome:
    if current_request is None or current_request <= 0:
        return HpaOutcome(
            new_request,
            HpaAdjustment(
                resource,
                target_percent,
                target_percent,
                0.0,
                kept=False,
                note=f"no current {resource} request: the HPA target stays at {target_percent:g}%",
            ),
        )
    point = target_percent / 100.0 * current_request
    wanted = 100.0 * point / new_request if new_request > 0 else float("inf")
    if wanted > hi:
        raised = 100.0 * point / hi
        return HpaOutcome(
            raised,
            HpaAdjustment(
                resource,
                target_percent,
                hi,
                point,
                kept=True,
                note=(
                    f"{resource} request raised to {raised:.4g} so the HPA target stays "
                    f"at most {hi:g}% (would need {wanted:.0f}%)"
                ),
            ),
        )
    if wanted < lo:
        return HpaOutcome(
            new_request,
            HpaAdjustment(
                resource,
                target_percent,
                lo,
                lo / 100.0 * new_request,
                kept=False,
                note=(
                    f"cannot keep the {resource} scale-out point {point:.4g}: it needs a "
                    f"{wanted:.1f}% target, below the {lo:g}% bound; the HPA will scale out at "
                    f"{lo / 100.0 * new_request:.4g} per pod instead"
                ),
            ),
        )
    return HpaOutcome(
        new_request,
        HpaAdjustment(resource, target_percent, round(wanted, 1), point, kept=True),
    )


def reconcile_hpa(
    adjustments: list[HpaAdjustment], res: Resources, cur: Resources, g: Guardrails
) -> list[HpaAdjustment]:
    """Targets for the *final* requests: after quota caps and the change threshold.

    A request left unchanged keeps its target (no adjustment); a capped one gets the
    target that keeps the point for the capped value, or says why it cannot.
    """
    out: list[HpaAdjustment] = []
    for adj in adjustments:
        attr = "cpu_request" if adj.resource == "cpu" else "memory_request"
        final, before = getattr(res, attr), getattr(cur, attr)
        if final is None or final == before:
            continue
        again = keep_scale_out_point(
            adj.resource,
            adj.current_target_percent,
            before,
            final,
            g.hpa_target_min_percent,
            g.hpa_target_max_percent,
        )
        if again.request != final:  # a cap pushed it past the upper bound: point moves down
            point = g.hpa_target_max_percent / 100.0 * final
            out.append(
                replace(
                    again.adjustment,
                    new_target_percent=g.hpa_target_max_percent,
                    scale_out_point=point,
                    kept=False,
                    note=(
                        f"cannot keep the {adj.resource} scale-out point "
                        f"{again.adjustment.scale_out_point:.4g}: the capped request "
                        f"{final:.4g} would need a target above {g.hpa_target_max_percent:g}%"
                    ),
                )
            )
        else:
            out.append(again.adjustment)
    return out


#: Per-pod CPU peak below this share of the scale-out point: the HPA is nowhere near
#: scaling out, so its minimum, not the request, is what the workload pays for.
IDLE_HPA_PEAK_SHARE = 0.5


def idle_autoscaler_note(inputs: ContainerInputs) -> str | None:
    """Say so when a CPU HPA sat at ``minReplicas`` all window, far from scaling out.

    Keeping the scale-out point pins such a workload's request (the point is rarely
    reachable with a lower request inside the target bounds), so the saving the
    request leaves is small while the real waste is ``minReplicas`` pods idling
    at a few percent: the one lever this engine does not pull, named for the team.
    None when the HPA scaled out, does not scale on CPU, or no replica history.
    """
    auto, cur = inputs.autoscaler, inputs.current
    history = inputs.replicas
    if (
        auto is None
        or auto.cpu_target_percent is None
        or auto.min_replicas < 1
        or cur.cpu_request is None
        or cur.cpu_request <= 0
        or history is None
        or history.replicas.size == 0
        or inputs.usage.cpu.size == 0
    ):
        return None
    if float(history.replicas.max()) > auto.min_replicas:
        return None
    point = auto.cpu_target_percent / 100.0 * cur.cpu_request
    peak = float(inputs.usage.cpu.max())
    if peak >= IDLE_HPA_PEAK_SHARE * point:
        return None
    return (
        f"the HPA stayed at minReplicas ({auto.min_replicas}) all window, per-pod CPU "
        f"peaking at {peak / point:.0%} of its scale-out point {point:.4g}: minReplicas, "
        "more than the request, sets this workload's cost"
    )
