"""Guardrails: the rules every strategy's proposal passes through, with their defaults.

They encode what the PR-based tools learned (Kubecost, KRR users, Autopilot): do
not recommend from thin data, do not open a PR for a 3% change or a $2 saving,
shrink gradually (a bad estimate then costs one step, not an outage), keep floors,
and never let a request exceed its limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from rightsizing.errors import InvalidSettingError
from rightsizing.inputs import ContainerInputs, Resources
from rightsizing.strategies.base import MIB, build_settings


@dataclass(frozen=True)
class Guardrails:
    min_history_days: float = 7.0
    min_data_points: int = 100
    change_threshold: float = 0.10  # relative change below which a resource is left alone
    min_monthly_saving: Decimal = Decimal("5")  # dollars per workload, for decreases
    max_decrease: float = 0.50  # a request shrinks by at most this share per step
    cpu_floor_cores: float = 0.010
    memory_floor_bytes: float = 20 * MIB
    hpa_target_min_percent: float = 20.0
    hpa_target_max_percent: float = 95.0

    def __post_init__(self) -> None:
        checks = (
            ("min_history_days", self.min_history_days, 0, 365),
            ("min_data_points", self.min_data_points, 0, 10**8),
            ("change_threshold", self.change_threshold, 0, 10),
            ("max_decrease", self.max_decrease, 0, 1),
            ("cpu_floor_cores", self.cpu_floor_cores, 0, 1000),
            ("memory_floor_bytes", self.memory_floor_bytes, 0, 2.0**50),
            ("hpa_target_min_percent", self.hpa_target_min_percent, 1, 100),
            ("hpa_target_max_percent", self.hpa_target_max_percent, 1, 100),
        )
        for name, value, lo, hi in checks:
            if not lo <= float(value) <= hi:
                raise InvalidSettingError(
                    f"guardrail {name} must be within [{lo}, {hi}], got {value}"
                )
        if self.hpa_target_min_percent > self.hpa_target_max_percent:
            raise InvalidSettingError("guardrail hpa_target_min_percent is above the maximum")
        if self.min_monthly_saving < 0:
            raise InvalidSettingError("guardrail min_monthly_saving must not be negative")

    @classmethod
    def off(cls) -> Guardrails:
        """No thresholds, steps or floors: the strategy's raw judgement (for analysis)."""
        return cls(0.0, 0, 0.0, Decimal(0), 1.0, 0.0, 0.0, 1.0, 100.0)


def guardrails_from(settings: Mapping[str, Any] | None) -> Guardrails:
    """The default guardrails with ``settings`` over them (config files, CLI); unknown
    keys and out-of-range values are an ``InvalidSettingError`` naming them."""
    return build_settings(Guardrails, settings)


def apply_floors(res: Resources, g: Guardrails) -> Resources:
    return Resources(
        cpu_request=None if res.cpu_request is None else max(res.cpu_request, g.cpu_floor_cores),
        cpu_limit=res.cpu_limit,
        memory_request=None
        if res.memory_request is None
        else max(res.memory_request, g.memory_floor_bytes),
        memory_limit=res.memory_limit,
    )


def limit_decrease(new: float | None, current: float | None, g: Guardrails) -> float | None:
    """At most ``max_decrease`` below the current value in one step."""
    if new is None or current is None or current <= 0:
        return new
    return max(new, current * (1.0 - g.max_decrease))


def relative_change(new: float | None, current: float | None) -> float:
    if new is None and current is None:
        return 0.0
    if new is None or current is None or current == 0:
        return float("inf")
    return abs(new - current) / current


RISK_HEADROOM = 1.05


def requests_within_limits(
    res: Resources, capped: dict[str, bool], cpu_pin: float | None, mem_pin: float | None
) -> Resources:
    """A limit set by a pin or the quota wins (request lowered); otherwise the limit rises."""
    out = res
    for kind, req_attr, lim_attr, pin in (
        ("cpu", "cpu_request", "cpu_limit", cpu_pin),
        ("memory", "memory_request", "memory_limit", mem_pin),
    ):
        req, lim = getattr(out, req_attr), getattr(out, lim_attr)
        if req is None or lim is None or req <= lim:
            continue
        if capped[kind] or pin is not None:
            out = replace(out, **{req_attr: lim})
        else:
            out = replace(out, **{lim_attr: req})
    return out


def apply_threshold(
    res: Resources, inputs: ContainerInputs, g: Guardrails
) -> tuple[Resources, bool, bool]:
    """Per resource: below the change threshold keeps the current request and limit."""
    cur = inputs.current
    cpu_small = relative_change(res.cpu_request, cur.cpu_request) < g.change_threshold and (
        (res.cpu_limit is None) == (cur.cpu_limit is None)
        and relative_change(res.cpu_limit, cur.cpu_limit) < g.change_threshold
    )
    mem_small = relative_change(res.memory_request, cur.memory_request) < g.change_threshold and (
        relative_change(res.memory_limit, cur.memory_limit) < g.change_threshold
    )
    peak = float(inputs.usage.memory_peak.max()) if inputs.usage.times_s.size else 0.0
    # an OOM kill, or less than 5% headroom left under the limit: memory is not compressible
    at_risk = bool(inputs.oom_events) or (
        cur.memory_limit is not None and cur.memory_limit <= peak * RISK_HEADROOM
    )
    grows = (res.memory_limit or 0.0) > (cur.memory_limit or math.inf)
    if mem_small and at_risk and grows:
        mem_small = False
    if cpu_small:
        res = replace(res, cpu_request=cur.cpu_request, cpu_limit=cur.cpu_limit)
    if mem_small:
        res = replace(res, memory_request=cur.memory_request, memory_limit=cur.memory_limit)
    return res, cpu_small, mem_small
