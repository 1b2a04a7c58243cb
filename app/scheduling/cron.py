"""Standard crontab expressions for APScheduler 3.x.

APScheduler's own ``CronTrigger.from_crontab`` numbers days of the week from
Monday = 0, so ``0 6 * * 1`` would fire on Tuesday (REFERENCE.md). Operators write
crontab, so we translate the day-of-week field to names before building the trigger.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

_DOW = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _dow_token(token: str) -> str:
    def name(m: re.Match[str]) -> str:
        n = int(m.group(0))
        if n > 7:
            raise ValueError(f"day of week {n} out of range 0-7")
        return _DOW[n]

    step = ""
    if "/" in token:
        token, step = token.split("/", 1)
        step = "/" + step
    return re.sub(r"\d+", name, token) + step


def crontab_trigger(expr: str) -> CronTrigger:
    """A UTC ``CronTrigger`` from a 5-field crontab expression (0 or 7 = Sunday)."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 cron fields, got {len(fields)} in {expr!r}")
    minute, hour, dom, month, dow = fields
    dow = ",".join(_dow_token(t) for t in dow.split(","))
    return CronTrigger(
        minute=minute, hour=hour, day=dom, month=month, day_of_week=dow, timezone="UTC"
    )
