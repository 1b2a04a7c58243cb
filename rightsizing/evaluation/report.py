"""Turn replay scores into comparison rows and the bar verdict (pure; the CLI prints).

The bar (issue 5): the default strategy's CPU slack is at most 0.8 x the better of
``krr-simple`` and ``vpa``, and its under-provisioned share and would-be OOMs are
no higher than either's. ``hindsight_slack`` is the least slack any constant weekly
request could have had at the baselines' best under-provisioned share: when it is
above the slack the bar asks for, the bar is out of reach on that data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rightsizing.evaluation.replay import Calibration, replay_hindsight
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.strategies.tacos import TacosStrategy

BASELINES = ("krr-simple", "vpa")


@dataclass(frozen=True)
class BarVerdict:
    strategy: str
    slack: float
    slack_allowed: float  # 0.8 x the better baseline
    under: float
    under_allowed: float
    ooms: int
    ooms_allowed: int
    hindsight_slack: float | None = None

    @property
    def slack_ok(self) -> bool:
        return self.slack <= self.slack_allowed + 1e-12

    @property
    def under_ok(self) -> bool:
        return self.under <= self.under_allowed + 1e-12

    @property
    def ooms_ok(self) -> bool:
        return self.ooms <= self.ooms_allowed

    @property
    def met(self) -> bool:
        return self.slack_ok and self.under_ok and self.ooms_ok

    @property
    def slack_target_defined(self) -> bool:
        """False where the better baseline's CPU slack is not positive: its requests sat,
        summed, at or below the usage, and "0.8 x its slack" then asks for *more* slack
        than it had. The verdict is still the issue's arithmetic; this says it means little."""
        return self.slack_allowed > 0

    @property
    def reachable(self) -> bool | None:
        if self.hindsight_slack is None:
            return None
        return self.hindsight_slack <= self.slack_allowed

    def as_dict(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "met": self.met,
            "cpu_slack": self.slack,
            "cpu_slack_allowed": self.slack_allowed,
            "cpu_under_share": self.under,
            "cpu_under_share_allowed": self.under_allowed,
            "would_be_ooms": self.ooms,
            "would_be_ooms_allowed": self.ooms_allowed,
            "hindsight_slack": self.hindsight_slack,
            "reachable": self.reachable,
            "cpu_slack_target_defined": self.slack_target_defined,
        }


def bar_verdict(
    scores: dict[str, Score], strategy: str, hindsight_slack: float | None = None
) -> BarVerdict | None:
    """None when a baseline or the strategy was not run."""
    if strategy not in scores or any(b not in scores for b in BASELINES):
        return None
    base = [scores[b] for b in BASELINES]
    slacks = [b.cpu_slack for b in base if not math.isnan(b.cpu_slack)]
    unders = [b.cpu_under_share for b in base if not math.isnan(b.cpu_under_share)]
    if not slacks or not unders:
        return None
    own = scores[strategy]
    return BarVerdict(
        strategy,
        own.cpu_slack,
        0.8 * min(slacks),
        own.cpu_under_share,
        min(unders),
        own.ooms,
        min(b.ooms for b in base),
        hindsight_slack,
    )


#: A container under-provisioned for more than this share of its scored samples is
#: "often under": the pooled share can hide a few containers that carry most of it.
OFTEN_UNDER = 0.10


def container_risk(groups: Sequence[Score]) -> dict[str, float]:
    """How a strategy's risk is spread over containers (pure, from per-container scores).

    ``containers_often_under``: the share of scored containers under-provisioned more
    than ``OFTEN_UNDER`` of the time. ``cpu_under_share_by_request``: the
    under-provisioned share with each container weighted by its requested cores, so a
    big service's risk counts as much as the cores it holds. Why both: the bar's share
    weighs every sample alike, so the cheapest way to meet it is to let the biggest
    containers run tight; these two show how far a strategy does that.
    """
    scored = [g for g in groups if g.weight > 0]
    if not scored:
        return {"containers_often_under": math.nan, "cpu_under_share_by_request": math.nan}
    shares = [g.cpu_over_weight / g.weight for g in scored]
    requested = sum(g.cpu_request_sum for g in scored)
    by_request = (
        sum(u * g.cpu_request_sum for u, g in zip(shares, scored, strict=True)) / requested
        if requested > 0
        else math.nan
    )
    return {
        "containers_often_under": sum(u > OFTEN_UNDER for u in shares) / len(scored),
        "cpu_under_share_by_request": by_request,
    }


def comparison_rows(
    scores: dict[str, Score],
    series: Sequence[ReplaySeries] = (),
    window_days: float = 7.0,
    step_days: float = 7.0,
    per_group: dict[str, list[Score]] | None = None,
) -> list[dict[str, object]]:
    """One row per strategy; with ``series``, also the hindsight bound at the row's own
    under-provisioned share and the gap to it (how much slack better foresight could save);
    with ``per_group`` (per-container scores by strategy), how the risk is spread
    (``container_risk``).
    """
    rows: list[dict[str, object]] = []
    for name, s in scores.items():
        row: dict[str, object] = {"strategy": name}
        row.update(s.as_dict())
        if per_group is not None and name in per_group:
            row.update(container_risk(per_group[name]))
        if series:
            bound = float("nan")
            if not math.isnan(s.cpu_under_share) and s.cpu_under_share < 1.0:
                bound = replay_hindsight(
                    series, s.cpu_under_share, window_days, step_days
                ).cpu_slack
            row["hindsight_slack"] = bound
            row["gap_to_hindsight"] = s.cpu_slack - bound
        rows.append(row)
    return rows


def calibration_rows(calibrations: dict[str, list[Calibration]]) -> list[dict[str, object]]:
    """One row per replay round of each fleet-calibrated strategy: when the round
    decided, the price and target it was calibrated to, and on what.

    Why: the default's requests follow one fleet price per round, set from the
    baselines' held-out risk; a user asking why it sized their trace as it did needs
    those figures, which otherwise sit only in each recommendation's evidence.
    Strategies that do not calibrate (or rounds too young to) have no rows.
    """
    rows: list[dict[str, object]] = []
    for name, rounds in calibrations.items():
        for at, strategy in rounds:
            if not isinstance(strategy, TacosStrategy) or strategy.fleet_starvation_cores <= 0:
                continue
            rows.append(
                {
                    "strategy": name,
                    "decision": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "starvation_price_cores": strategy.fleet_starvation_cores,
                    "target_under": strategy.fleet_target_under,
                    "containers": strategy.fleet_containers,
                    "held_out_days": strategy.fleet_holdout_folds,
                    "held_out_days_each": strategy.fleet_holdout_folds_each or None,
                    "vpa_at_decision": strategy.fleet_vpa_at_decision or None,
                    "note": strategy.fleet_price_note(),
                }
            )
    return rows
