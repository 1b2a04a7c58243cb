"""Our default strategy ("tacos"), chosen by replay against krr-simple and vpa.

Run through ``recommend_fleet`` (the weekly job, the replay), ``calibrate`` first sets
one starvation price for the whole fleet (``fleet_price``: the pooled risk budget is
spent where it saves the most cores); the per-container price below is the fallback
for ``recommend`` on one container and for ``fleet_calibration=False``.

CPU (``cpu_mode="cost"``, the default): the request that minimises
``request + K x P(usage > request)`` over per-pod usage with recency weighting
(72 h half-life, so a level change is followed within a week), searched between the
p80 and p99.9 (from the p60 under a fleet-calibrated price: there the fleet's pooled
risk is held by the price, and the floor only caps what one container may take; at
p80 it bound the biggest containers, which is where a pooled budget buys the most
cores). A request costs its size every hour; an hour above it is charged
``K = starvation_cores + starvation_mean_hours x mean usage`` cores: a fixed part
(a starved pod hurts whatever its size) and a part proportional to the work the
container does, so that the answer does not depend on the container's scale (with
a fixed price in cores, a 16-core container would be sized near its p80). That
spends the risk where it is cheap (tight containers are covered to their tail,
rare bursts are not paid for all week) and is the same rule that gives the best
plan in hindsight, applied to the past. ``cpu_mode="percentile"`` uses
``cpu_percentile`` instead. The request never falls below the same estimate over
the last ``recent_days`` (1) alone where that day's median is more than
``recent_rise`` (10%) above the rest's: with a 72 h half-life a level that rose a day
before the decision is still the window's tail, which a fleet price can leave
uncovered, while next week it is the level; the fleet calibration scores the larger
of the two, as applied (``fleet_price``). It was off until the calibration knew of it
(alone it only added slack).
Throttling means observed usage was censored by the limit, so the request is raised
by the throttled share. No CPU limit by default (``cpu_limit_policy``: none | ratio |
equal).

Memory: daily peaks, not samples (memory is not compressible: a short peak above
the limit is an OOM kill). Request = highest daily peak of the window + buffer;
a steady rise of daily peaks (a leak that no restart resets) is extrapolated over
the next ``leak_horizon_days``; each OOM kill lifts the floor to
max(memory x 1.2, memory + 100 MiB). The limit keeps the current limit/request
ratio when both are set (the team's chosen burst headroom, as VPA does), else is the
request x ``memory_limit_headroom`` (1.2; ``memory_limit_policy``: keep | equal |
ratio), and is at least ``memory_limit_floor_bytes`` (256 MiB). Both are on the limit
only, so they reserve nothing: the request is the planned peak, the limit's headroom is
what an unplanned one (a day 17% above the window's highest, seen on the prod-like
fleets) meets instead of an OOM kill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from rightsizing.annotations import under_cap
from rightsizing.errors import InvalidSettingError
from rightsizing.inputs import ContainerInputs, Resources, UsageHistory
from rightsizing.parallel import FleetMap, serial_map
from rightsizing.quantiles import FloatArray, ValueOrder, recency_weights, weighted_quantile
from rightsizing.results import Evidence, NoRecommendation, Proposal, Reason
from rightsizing.strategies.base import AS_FRACTION, DAY_S, MIB, check_range
from rightsizing.strategies.fleet_price import (
    calibrate_price,
    calibrate_price_holdout,
    calibration_subset,
    cheapest_within,
    cost_candidates,
    level_drift,
    risen,
    spread_cost_optimal,
    spread_points,
    spread_sigma,
    weekly_fold_count,
)


def daily_peaks(usage: UsageHistory, end_s: float, days: int) -> FloatArray:
    """Peak memory per day counting back from ``end_s`` (oldest first); NaN for empty days."""
    start = end_s - days * DAY_S
    i = int(np.searchsorted(usage.times_s, start, side="left"))
    idx = np.clip(np.floor((usage.times_s[i:] - start) / DAY_S).astype(np.int64), 0, days - 1)
    peaks = np.full(days, np.nan)
    if idx.size:
        # times are sorted, so each day is one run of samples: one reduceat, not a
        # per-sample maximum.at (several times slower)
        new_day = np.empty(idx.size, dtype=bool)
        new_day[0] = True
        np.not_equal(idx[1:], idx[:-1], out=new_day[1:])
        first = np.flatnonzero(new_day)
        peaks[idx[first]] = np.maximum.reduceat(usage.memory_peak[i:], first)
    return peaks


def cost_optimal_request(
    values: FloatArray,
    weights: FloatArray,
    starvation_cores: float,
    q_lo: float,
    q_hi: float,
    spread: float | None = None,
    cap: float = 0.0,
) -> tuple[float, float]:
    """The request r minimising ``r + starvation_cores x P(usage > r)``, and its quantile level.
    ``cap`` (0: none): among the requests with at most that share of usage above them.

    Both terms are in cores: a request costs its size every hour, and an hour in which
    usage is above the request is charged as ``starvation_cores`` of request. So the
    risk budget is spent where it buys the most: a small container (covering its tail
    costs millicores) is sized near its max, a large noisy one nearer its bulk, and a
    bimodal one (rare bursts) just below the gap instead of on top of it.
    """
    if spread is not None:  # values ascending, spread by ``spread``
        return spread_cost_optimal(values, weights, spread, starvation_cores, q_lo, q_hi, cap)
    cand, exceed, levels = cost_candidates(values, weights, q_lo, q_hi)
    return cheapest_within(cand, exceed, starvation_cores, cap, levels)


def leak_slope(peaks: FloatArray) -> tuple[float, float]:
    """Least-squares slope (bytes/day) of the daily peaks and its R²; (0, 0) if too few days."""
    ok = ~np.isnan(peaks)
    if ok.sum() < 4:
        return 0.0, 0.0
    x = np.arange(peaks.size, dtype=np.float64)[ok]
    y = peaks[ok]
    # the least-squares line in closed form (np.polyfit's SVD costs more than the rest
    # of a recommendation's memory arithmetic)
    dx, dy = x - x.mean(), y - y.mean()
    slope = float((dx * dy).sum() / (dx * dx).sum())
    resid = dy - slope * dx
    ss_tot = float((dy * dy).sum())
    r2 = 1.0 - float((resid * resid).sum()) / ss_tot if ss_tot > 0 else 0.0
    return slope, r2


@dataclass(frozen=True)
class TacosStrategy:
    name: ClassVar[str] = "tacos"
    cpu_mode: str = "cost"
    starvation_cores: float = 3.0
    starvation_mean_hours: float = 10.0
    cpu_percentile_min: float = 0.80
    cpu_percentile: float = 0.999
    half_life_hours: float = 72.0
    recent_days: float = 1.0
    recent_rise: float = 0.1
    cpu_margin: float = 0.0
    throttle_threshold: float = 0.05
    memory_buffer: float = 0.15
    memory_days: int = 7
    leak_horizon_days: float = 7.0
    leak_min_r2: float = 0.8
    oom_min_bump_bytes: float = 100 * MIB
    oom_bump_ratio: float = 1.2
    cpu_limit_policy: str = "none"
    memory_limit_policy: str = "keep"
    memory_limit_floor_bytes: float = 256 * MIB
    memory_limit_headroom: float = 1.2
    limit_ratio: float = 2.0
    fleet_calibration: bool = True
    fleet_under_factor: float = 0.7
    drift_horizon_days: float = 3.0
    holdout_days: float = 1.0
    holdout_folds: int = 3  # held-out days (see fleet_price: the weekly cycle)
    holdout_under_factor: float = 0.8
    # where the history has room (the weekly job's 14 days), hold out a whole week:
    # one day of every weekday, with its own factor (fleet_price.weekly_fold_count)
    weekly_holdout: bool = True
    weekly_under_factor: float = 0.85
    # with fewer held-out days than a week, vpa's risk is also estimated from the request
    # it makes at the decision (fleet_price: the decision just after a weekend)
    decision_risk: bool = True
    holdout_min_fit_days: float = 3.0
    calibration_sample: int = 2000  # containers the price is fitted on (0: all of them)
    # held-out container-days at most: beyond, each container holds out only some of its
    # days, spread over the week (fleet_price.folds_each; 0: every day of every one)
    calibration_rows: int = 6000
    fleet_percentile_min: float = 0.60  # the search floor under a fleet-calibrated price
    # at most this share of each container's window (as the price sees it) above its CPU
    # request, whatever the fleet price would give (0: no cap); see fleet_price.capped
    max_under_share: float = 0.0
    # set by ``calibrate`` (0 = not calibrated: the per-container price above applies)
    fleet_starvation_cores: float = 0.0
    fleet_target_under: float = 0.0
    fleet_containers: int = 0
    fleet_holdout_folds: int = 0
    fleet_holdout_folds_each: int = 0  # of those, per container (0: all of them)
    fleet_vpa_at_decision: float = 0.0  # vpa's risk read at the decision, where it counted

    def __post_init__(self) -> None:
        check_range(self.name, "cpu_percentile", self.cpu_percentile, 0.5, 1, AS_FRACTION)
        check_range(self.name, "half_life_hours", self.half_life_hours, 1, 10000)
        check_range(self.name, "recent_days", self.recent_days, 0, 60)
        check_range(self.name, "recent_rise", self.recent_rise, -1, 100)
        check_range(self.name, "cpu_margin", self.cpu_margin, 0, 5)
        check_range(self.name, "memory_buffer", self.memory_buffer, 0, 5)
        check_range(self.name, "memory_days", self.memory_days, 1, 60)
        check_range(self.name, "limit_ratio", self.limit_ratio, 1, 100)
        check_range(self.name, "memory_limit_headroom", self.memory_limit_headroom, 1, 10)
        check_range(
            self.name, "memory_limit_floor_bytes", self.memory_limit_floor_bytes, 0, 2.0**50
        )
        check_range(self.name, "starvation_cores", self.starvation_cores, 0, 1e6)
        check_range(self.name, "fleet_under_factor", self.fleet_under_factor, 0, 10)
        check_range(self.name, "holdout_days", self.holdout_days, 0, 30)
        check_range(self.name, "holdout_folds", self.holdout_folds, 1, 14)
        check_range(self.name, "holdout_under_factor", self.holdout_under_factor, 0, 10)
        check_range(self.name, "weekly_under_factor", self.weekly_under_factor, 0, 10)
        check_range(self.name, "fleet_holdout_folds", self.fleet_holdout_folds, 0, 1e4)
        check_range(self.name, "fleet_vpa_at_decision", self.fleet_vpa_at_decision, 0, 1)
        check_range(self.name, "holdout_min_fit_days", self.holdout_min_fit_days, 0, 60)
        check_range(self.name, "calibration_sample", self.calibration_sample, 0, 1e7)
        check_range(self.name, "calibration_rows", self.calibration_rows, 0, 1e9)
        check_range(
            self.name, "max_under_share", self.max_under_share, 0, 0.5, "0.05 is 5% of the time"
        )
        check_range(self.name, "fleet_holdout_folds_each", self.fleet_holdout_folds_each, 0, 1e4)
        check_range(
            self.name,
            "fleet_percentile_min",
            self.fleet_percentile_min,
            0.5,
            self.cpu_percentile,
            AS_FRACTION,
        )
        check_range(self.name, "fleet_starvation_cores", self.fleet_starvation_cores, 0, 1e6)
        check_range(self.name, "fleet_target_under", self.fleet_target_under, 0, 1)
        check_range(self.name, "fleet_containers", self.fleet_containers, 0, 1e9)
        check_range(self.name, "starvation_mean_hours", self.starvation_mean_hours, 0, 1e6)
        check_range(
            self.name,
            "cpu_percentile_min",
            self.cpu_percentile_min,
            0.5,
            self.cpu_percentile,
            AS_FRACTION,
        )
        if self.cpu_mode not in {"cost", "percentile"}:
            raise InvalidSettingError("tacos: cpu_mode must be cost|percentile")
        if self.cpu_limit_policy not in {"none", "ratio", "equal"}:
            raise InvalidSettingError("tacos: cpu_limit_policy must be none|ratio|equal")
        if self.memory_limit_policy not in {"keep", "equal", "ratio"}:
            raise InvalidSettingError("tacos: memory_limit_policy must be keep|equal|ratio")

    def calibrate(
        self,
        fleet: Sequence[ContainerInputs],
        fleet_map: FleetMap = serial_map,
        cpu_floor_cores: float = 0.0,
    ) -> TacosStrategy:
        """This strategy with one starvation price for the whole fleet (see fleet_price).

        Unchanged when calibration is off, in percentile mode, or with no usage at all.
        ``fleet_map`` runs the per-container part (``rightsizing.parallel``).
        ``cpu_floor_cores``: the guardrails' floor, which lifts every strategy's request
        after it is proposed; the calibration scores requests as applied, so that the
        risk a floor already covers (a fleet of millicore sidecars) is not paid twice.
        """
        if not self.fleet_calibration or self.cpu_mode != "cost":
            return self
        fleet = calibration_subset(fleet, self.calibration_sample)
        price = None
        if self.holdout_days > 0:
            folds, factor = self.holdout_folds, self.holdout_under_factor
            at_decision = self.decision_risk  # a whole held-out week measures that itself
            if self.weekly_holdout:
                week = weekly_fold_count(fleet, self.holdout_days, self.holdout_min_fit_days)
                if week > folds:
                    folds, factor, at_decision = week, self.weekly_under_factor, False
            price = calibrate_price_holdout(
                fleet,
                self.half_life_hours,
                self.fleet_percentile_min,
                self.cpu_percentile,
                factor,
                self.drift_horizon_days,
                self.holdout_days,
                self.holdout_min_fit_days,
                folds,
                fleet_map,
                self.recent_days,
                self.recent_rise,
                cpu_floor_cores,
                at_decision,
                self.calibration_rows,
                self.max_under_share,
            )
        if price is None:
            price = calibrate_price(
                fleet,
                self.half_life_hours,
                self.fleet_percentile_min,
                self.cpu_percentile,
                self.fleet_under_factor,
                self.drift_horizon_days,
                cpu_floor_cores,
                self.max_under_share,
            )
        if price is None:
            return self
        return replace(
            self,
            fleet_starvation_cores=price.starvation_cores,
            fleet_target_under=price.target_under,
            fleet_containers=price.containers,
            fleet_holdout_folds=price.folds,
            fleet_holdout_folds_each=price.folds_each,
            fleet_vpa_at_decision=price.vpa_at_decision,
        )

    def propose(self, inputs: ContainerInputs) -> Proposal | NoRecommendation:
        usage = inputs.usage
        if usage.times_s.size == 0:
            return NoRecommendation(inputs.key, self.name, Reason.INSUFFICIENT_DATA, "no samples")
        end = inputs.end_s
        evidence: list[Evidence] = []
        notes: list[str] = []

        w = usage.weights * recency_weights(usage.times_s, end, self.half_life_hours * 3600.0)
        order = ValueOrder.of(usage.cpu, usage.weights)  # one sort for the spread and the rise
        # the workload's own cap (annotation), else the strategy's; on the window's
        # request only: the recent floor below only ever raises it
        cap = under_cap(inputs.annotations, self.max_under_share)
        if self.fleet_starvation_cores > 0:
            # the window spread by its drift over the horizon (``predictive_sample``)
            drift = level_drift(usage.times_s, usage.cpu, end, order.index)
            spread = spread_sigma(drift, self.drift_horizon_days)
            cpu = self._cpu(order.cpu, w[order.index], evidence, spread=spread, cap=cap)
        else:
            cpu = self._cpu(usage.cpu, w, evidence, cap=cap)
        if self.recent_days > 0:
            recent = usage.since(end - self.recent_days * DAY_S)
            start = usage.times_s.size - recent.times_s.size
            if (
                recent.times_s.size
                and float(recent.weights.sum()) > 0
                and risen(usage, start, usage.times_s.size, self.recent_rise, order)
            ):
                floor = self._cpu(
                    recent.cpu, recent.weights, evidence, f"last {self.recent_days:g}d", "_recent"
                )
                if floor > cpu:
                    cpu = floor
                    notes.append(
                        f"CPU kept at the level of the last {self.recent_days * 24:g} h: usage "
                        "rose recently, and the whole window would under-size it"
                    )
        cpu *= 1.0 + self.cpu_margin
        if inputs.throttled_ratio is not None and inputs.throttled_ratio > self.throttle_threshold:
            cpu *= 1.0 + inputs.throttled_ratio
            notes.append(f"CPU raised {inputs.throttled_ratio:.0%}: throttled, usage was capped")
            evidence.append(Evidence("throttled_ratio", inputs.throttled_ratio, "ratio"))

        peaks = daily_peaks(usage, end, self.memory_days)
        peak = (
            float(np.nanmax(peaks)) if np.any(~np.isnan(peaks)) else float(usage.memory_peak.max())
        )
        evidence.append(
            Evidence("memory_daily_peak_max", peak, "bytes", f"last {self.memory_days} days")
        )
        memory = peak * (1.0 + self.memory_buffer)
        slope, r2 = leak_slope(peaks)
        if slope > 0 and r2 >= self.leak_min_r2:
            growth = min(slope * self.leak_horizon_days, peak)
            memory = (peak + growth) * (1.0 + self.memory_buffer)
            notes.append(f"memory peaks rise {slope / MIB:.0f} MiB/day (R² {r2:.2f}): extrapolated")
            evidence.append(Evidence("memory_peak_slope_per_day", slope, "bytes"))
        for oom in inputs.oom_events:
            bump = max(
                oom.memory_bytes * self.oom_bump_ratio, oom.memory_bytes + self.oom_min_bump_bytes
            )
            if bump > memory:
                memory = bump
                notes.append("memory raised after an OOM kill")
        if inputs.oom_events:
            evidence.append(Evidence("oom_kills", float(len(inputs.oom_events)), "count"))

        cpu_limit: float | None = {"none": None, "equal": cpu, "ratio": cpu * self.limit_ratio}[
            self.cpu_limit_policy
        ]
        mem_limit = self._memory_limit(memory, inputs)
        return Proposal(
            Resources(
                cpu_request=cpu, cpu_limit=cpu_limit, memory_request=memory, memory_limit=mem_limit
            ),
            tuple(evidence),
            tuple(notes),
        )

    def _cpu(
        self,
        values: FloatArray,
        weights: FloatArray,
        evidence: list[Evidence],
        where: str = "window",
        suffix: str = "",
        spread: float | None = None,
        cap: float = 0.0,
    ) -> float:
        """The CPU request from these samples (evidence names end in ``suffix``; the fleet
        price is stated once, with the window's). ``spread``: the samples, in ascending
        order, stand for themselves spread by this sigma (``spread_points``). ``cap``: the
        most of them the request may leave above it (0: no cap; ``max_under_share``)."""
        if self.cpu_mode == "percentile":
            if spread is not None and spread > 0:
                values, weights = spread_points(values, weights, spread)
            cpu = weighted_quantile(values, weights, self.cpu_percentile)
            evidence.append(
                Evidence(
                    f"cpu_p{self.cpu_percentile * 100:g}{suffix}",
                    cpu,
                    "cores",
                    f"recency-weighted, {where}",
                )
            )
            return cpu
        floor = self.cpu_percentile_min
        if self.fleet_starvation_cores > 0:
            price = self.fleet_starvation_cores
            floor = self.fleet_percentile_min
            if not suffix:  # the price is stated once, with the window's request
                evidence.append(
                    Evidence("cpu_starvation_price", price, "cores", self.fleet_price_note())
                )
        else:
            price = self.starvation_cores + self.starvation_mean_hours * float(
                np.average(values, weights=weights)
            )
        cpu, level = cost_optimal_request(
            values, weights, price, floor, self.cpu_percentile, spread, cap
        )
        capped = f" (at most {cap:.1%} of it above: max_under_share)" if cap > 0 else ""
        evidence.append(
            Evidence(
                f"cpu_cost_optimal{suffix}",
                cpu,
                "cores",
                f"= weighted p{level * 100:.2f}, {where}{capped}",
            )
        )
        return cpu

    def fleet_price_note(self) -> str:
        """How the fleet price was calibrated, for evidence and reports ("" when it was
        not: the per-container price applies)."""
        if self.fleet_starvation_cores <= 0:
            return ""
        folds = self.fleet_holdout_folds
        return (
            f"fleet-calibrated over {self.fleet_containers} containers"
            + (f" on {folds} held-out days" if folds else " in sample")
            + (
                f" ({self.fleet_holdout_folds_each} of them per container)"
                if folds and self.fleet_holdout_folds_each
                else ""
            )
            + f": pooled under-provisioned target {self.fleet_target_under:.2%}"
            + (
                f" (vpa's risk also read at the decision: {self.fleet_vpa_at_decision:.2%})"
                if self.fleet_vpa_at_decision > 0
                else ""
            )
        )

    def _memory_limit(self, memory: float, inputs: ContainerInputs) -> float:
        """The limit by policy, never below ``memory_limit_floor_bytes``.

        The floor is on the *limit* only: it costs no request (nothing is reserved) and
        keeps a small container that meets an unseen peak from being OOM-killed, the
        protection VPA gets from its 250 MiB floor on the request.
        """
        return max(self._memory_limit_by_policy(memory, inputs), self.memory_limit_floor_bytes)

    def _memory_limit_by_policy(self, memory: float, inputs: ContainerInputs) -> float:
        if self.memory_limit_policy == "ratio":
            return memory * self.limit_ratio
        if self.memory_limit_policy == "equal":
            return memory
        cur = inputs.current  # "keep": the team's ratio, else the default headroom
        if (
            cur.memory_limit is not None
            and cur.memory_request is not None
            and cur.memory_request > 0
        ):
            return memory * max(cur.memory_limit / cur.memory_request, 1.0)
        return memory * self.memory_limit_headroom
