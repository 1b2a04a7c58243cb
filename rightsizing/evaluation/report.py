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

from rightsizing.evaluation.replay import replay_hindsight
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.series import ReplaySeries

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


def comparison_rows(
    scores: dict[str, Score],
    series: Sequence[ReplaySeries] = (),
    window_days: float = 7.0,
    step_days: float = 7.0,
) -> list[dict[str, object]]:
    """One row per strategy; with ``series``, also the hindsight bound at the row's own
    under-provisioned share and the gap to it (how much slack better foresight could save).
    """
    rows: list[dict[str, object]] = []
    for name, s in scores.items():
        row: dict[str, object] = {"strategy": name}
        row.update(s.as_dict())
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
