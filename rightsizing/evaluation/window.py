"""How much history each replayed decision sees by default: what the weekly job reads.

Why a rule and not one number. A replay answers "what would the weekly job have
recommended, and how would that have done", and the job recommends from the last
``WEEKLY_HISTORY_DAYS`` (14, also KRR's default history), so a replay from 7 days
scores a configuration nobody runs: krr-simple's p95 over one week is not KRR's, and
the default strategy calibrates on a whole held-out week only where the history has
room for one (``fleet_price.weekly_fold_count``). But a 14-day window needs 14 days
before the first decision and a scored week after it: on an export of 8 or 15 days
it would score nothing, or one day. So the replay takes 14 days where the typical
(median) container spans at least 14 days plus one scored step, and a week
(``SHORT_WINDOW_DAYS``, the guardrails' minimum history) otherwise. ``--window-days``
overrides either.
"""

from __future__ import annotations

import numpy as np

from rightsizing.evaluation.series import ReplaySeries, by_container
from rightsizing.guardrails import Guardrails
from rightsizing.strategies.base import DAY_S

WEEKLY_HISTORY_DAYS = 14.0
SHORT_WINDOW_DAYS = Guardrails().min_history_days  # the least history a decision needs


def default_window_days(series: list[ReplaySeries], step_days: float = 7.0) -> float:
    """14 days where the median container spans 14 days and a scored step, else 7.

    A container is a ``group`` of series (its pods, which come and go: a pod living a
    day does not make its container young) or one series. Its span counts the last
    sample's interval: 21 days of 5-minute samples end five minutes before the 21st day
    does, and still score a whole week after day 14.
    """
    spans = [
        max(float(s.times_s[-1]) + s.resolution_s for s in pods)
        - min(float(s.times_s[0]) for s in pods)
        for pods in by_container(series)
    ]
    if not spans:
        return SHORT_WINDOW_DAYS
    need = (WEEKLY_HISTORY_DAYS + step_days) * DAY_S
    return WEEKLY_HISTORY_DAYS if float(np.median(spans)) >= need - 1.0 else SHORT_WINDOW_DAYS


def describe_window(window_days: float, step_days: float, chosen: bool) -> str:
    """One line on the history each decision sees, and why (when the replay chose it)."""
    line = f"window: {window_days:g} days of history per decision"
    if not chosen:
        return line + " (--window-days)"
    if window_days == WEEKLY_HISTORY_DAYS:
        return (
            line + ", as the weekly job reads (most series span "
            f"{WEEKLY_HISTORY_DAYS + step_days:g} days or more; --window-days 7 decides "
            "more often from less)"
        )
    return (
        line + " (most series span less than "
        f"{WEEKLY_HISTORY_DAYS + step_days:g} days: too short for the weekly job's "
        f"{WEEKLY_HISTORY_DAYS:g} days and a scored week)"
    )
