"""How much history each replayed decision sees by default: what the weekly job reads.

Why a rule and not one number. A replay answers "what would the weekly job have
recommended, and how would that have done", and the job recommends from the last
``WEEKLY_HISTORY_DAYS`` (14, also KRR's default history), so a replay from 7 days
scores a configuration nobody runs: krr-simple's p95 over one week is not KRR's, and
the default strategy calibrates on a whole held-out week only where the history has
room for one (``fleet_price.weekly_fold_count``: 10 days or more). But a 14-day window
needs 14 days before the first decision and a scored week after it: on an export of 8
or 15 days it would score nothing, or one day. So the replay takes the longest history
that still leaves the typical (median) container one scored step after it, up to the
job's 14 days and at least a week (``SHORT_WINDOW_DAYS``, the guardrails' minimum
history): 14 days from 21 days of data, 10 from 17, 7 from 14 or less. Measured on
prod-like fleets of 800 containers decided on every weekday (docs/rightsizing.md,
"Replay evaluation", the window): on exports of 15 to 19 days the bar was met on 38 of
42 against 33 of 42 from 7 days, and never on fewer for one length.
``--window-days`` overrides the rule.
"""

from __future__ import annotations

import math

import numpy as np

from rightsizing.evaluation.series import ReplaySeries, by_container
from rightsizing.guardrails import Guardrails
from rightsizing.strategies.base import DAY_S

WEEKLY_HISTORY_DAYS = 14.0
SHORT_WINDOW_DAYS = Guardrails().min_history_days  # the least history a decision needs


def default_window_days(series: list[ReplaySeries], step_days: float = 7.0) -> float:
    """The longest whole number of days, from 7 up to 14, that leaves the median container
    one scored step after it.

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
    room = math.floor((float(np.median(spans)) + 1.0) / DAY_S - step_days)
    return float(min(WEEKLY_HISTORY_DAYS, max(SHORT_WINDOW_DAYS, room)))


def describe_window(window_days: float, step_days: float, chosen: bool) -> str:
    """One line on the history each decision sees, and why (when the replay chose it)."""
    line = f"window: {window_days:g} days of history per decision"
    if not chosen:
        return line + " (--window-days)"
    if window_days >= WEEKLY_HISTORY_DAYS:
        return (
            line + ", as the weekly job reads (most series span "
            f"{WEEKLY_HISTORY_DAYS + step_days:g} days or more; --window-days 7 decides "
            "more often from less)"
        )
    if window_days > SHORT_WINDOW_DAYS:
        return (
            line + f": the most that leaves a scored {step_days:g}-day step (most series "
            f"span {window_days + step_days:g} to {window_days + step_days + 1:g} days; the "
            f"weekly job reads {WEEKLY_HISTORY_DAYS:g})"
        )
    return (
        line + " (most series span less than "
        f"{SHORT_WINDOW_DAYS + step_days + 1:g} days: a week of history and a scored "
        f"{step_days:g}-day step is the least a replay reads; the weekly job reads "
        f"{WEEKLY_HISTORY_DAYS:g})"
    )
