"""How sure a replay comparison is: bootstrap intervals over containers (pure numpy).

Why. A replay pools a fleet: one CPU slack and one under-provisioned share per
strategy. On a few hundred containers the difference between two strategies can be
a few points either way by luck of which containers the fleet holds (a handful of
bursty ones carry most of the under-provisioned time). Before a team switches
strategy on the strength of "4 points less slack", it should know whether those 4
points would survive another fleet like theirs.

How. The container (a replay group) is the unit that is independent: its weeks are
not. Each bootstrap round draws the fleet's containers with replacement (as
multinomial counts, so one round is a matrix product), recomputes both strategies'
pooled figures on that same draw, and keeps the *paired* comparison: the ratio of
slacks, the difference of under-provisioned shares. The interval is the central
``level`` share of the rounds (percentile bootstrap). Seeded: the same scores give
the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rightsizing.errors import InvalidInputError
from rightsizing.evaluation.scoring import Score
from rightsizing.quantiles import FloatArray

ROUNDS = 2000
_BLOCK = 100  # rounds per matrix product: bounds memory to _BLOCK x containers counts


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Comparison:
    """``strategy`` against ``other`` over the same containers."""

    strategy: str
    other: str
    slack_ratio: Interval  # strategy's CPU slack / other's
    under_difference: Interval  # strategy's CPU under-provisioned share - other's
    containers: int
    level: float
    # the pooled CPU slacks: a ratio means something only where the other's is positive
    own_slack: float = math.nan
    other_slack: float = math.nan

    @property
    def ratio_defined(self) -> bool:
        """False where the other's pooled slack is not positive (its requests sat, summed,
        at or below the usage): "x times its slack" then reads backwards."""
        return not self.other_slack <= 0

    def as_dict(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "other": self.other,
            "cpu_slack": self.own_slack,
            "other_cpu_slack": self.other_slack,
            "cpu_slack_ratio": self.slack_ratio.as_dict(),
            "cpu_under_share_difference": self.under_difference.as_dict(),
            "containers": self.containers,
            "level": self.level,
        }


def _columns(scores: Sequence[Score]) -> FloatArray:
    """(4, containers): request sum, usage sum, over weight, weight."""
    out: FloatArray = np.array(
        [[s.cpu_request_sum, s.cpu_usage_sum, s.cpu_over_weight, s.weight] for s in scores],
        dtype=np.float64,
    ).T.reshape(4, len(scores))
    return out


def _figures(sums: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Pooled slack and under share from summed columns (rows: request, usage, over, weight)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slack: FloatArray = (sums[0] - sums[1]) / sums[0]
        under: FloatArray = sums[2] / sums[3]
    return slack, under


def compare(
    per_group: Mapping[str, Sequence[Score]],
    strategy: str,
    others: Sequence[str],
    rounds: int = ROUNDS,
    level: float = 0.95,
    seed: int = 0,
) -> list[Comparison]:
    """Paired bootstrap intervals of ``strategy`` against each of ``others``.

    ``per_group`` holds each strategy's per-container scores in one container order
    (``replay(..., per_group=...)``). An interval is NaN where a figure is undefined
    in the replay itself (no request or no scored sample).
    """
    if rounds < 100:
        raise InvalidInputError(f"rounds must be at least 100, got {rounds}")
    if not 0.5 <= level < 1:
        raise InvalidInputError(f"level must be in [0.5, 1), got {level}")
    for name in (strategy, *others):
        if name not in per_group:
            raise InvalidInputError(f"no per-container scores for strategy {name!r}")
    n = len(per_group[strategy])
    for name in others:
        if len(per_group[name]) != n:
            raise InvalidInputError(
                f"{name!r} has scores for {len(per_group[name])} containers, "
                f"{strategy!r} for {n}: not the same fleet"
            )
    own = _columns(per_group[strategy])
    theirs = {name: _columns(per_group[name]) for name in others}
    rng = np.random.default_rng(seed)
    # NaN until drawn: an empty fleet keeps them so, and ``_interval`` reports no interval
    ratios = {name: np.full(rounds, np.nan) for name in others}
    diffs = {name: np.full(rounds, np.nan) for name in others}
    for start in range(0, rounds if n else 0, _BLOCK):
        k = min(_BLOCK, rounds - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=k).astype(np.float64)
        own_slack, own_under = _figures(own @ counts.T)
        for name, cols in theirs.items():
            slack, under = _figures(cols @ counts.T)
            with np.errstate(divide="ignore", invalid="ignore"):
                # a draw where the other has no positive slack has no meaningful ratio
                ratios[name][start : start + k] = np.where(slack > 0, own_slack / slack, np.nan)
            diffs[name][start : start + k] = own_under - under
    tail = (1.0 - level) / 2.0 * 100.0
    own_slack0, own_under0 = _figures(own.sum(axis=1, keepdims=True))
    out: list[Comparison] = []
    for name, cols in theirs.items():
        slack0, under0 = _figures(cols.sum(axis=1, keepdims=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio0 = float(own_slack0[0] / slack0[0]) if slack0[0] > 0 else math.nan
        diff0 = float(own_under0[0] - under0[0])
        out.append(
            Comparison(
                strategy,
                name,
                _interval(ratio0, ratios[name], tail),
                _interval(diff0, diffs[name], tail),
                n,
                level,
                float(own_slack0[0]),
                float(slack0[0]),
            )
        )
    return out


def _interval(estimate: float, draws: FloatArray, tail: float) -> Interval:
    ok = draws[np.isfinite(draws)]
    if not np.isfinite(estimate) or ok.size < draws.size * 0.99:
        # undefined in the replay, or in more than 1% of the draws: say so, do not guess
        return Interval(estimate, float("nan"), float("nan"))
    low, high = np.percentile(ok, [tail, 100.0 - tail])
    return Interval(estimate, float(low), float(high))
