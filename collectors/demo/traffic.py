"""The demo's clock and the platform's request rate at 5-minute resolution.

Traffic is the one driver of everything else: replicas, per-pod usage, node count and
the traffic-dependent parts of the bill all derive from it, so the story stays
consistent across records. The shape is a daily cycle peaking at 12:00 UTC (21:00 in
Seoul, where Traffic Tacos' users are) with a long quiet night, a weekly cycle with
busier weekends, a slow growth trend, smooth noise, and one ticket on-sale event that
pushes the platform to about 29.5k requests per second for half an hour, never past the
gateway's 30k rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

STEP = timedelta(minutes=5)
STEPS_PER_HOUR = 12

NORMAL_PEAK_RPS = 6000.0
SPIKE_PEAK_RPS = 29500.0
#: The gateway's global rate limit (kept in ElastiCache): the platform is sized for 30k.
RATE_LIMIT_RPS = 30000.0
DAILY_PEAK_HOUR_UTC = 12.0
NIGHT_FLOOR = 0.12
#: Monday .. Sunday.
WEEKDAY_FACTOR = np.array([0.95, 0.95, 1.0, 1.0, 1.1, 1.25, 1.15])
GROWTH_OVER_SPAN = 0.10
#: The on-sale event opens at 11:00 UTC this many whole days before the last whole day.
EVENT_DAYS_BEFORE_END = 8
EVENT_HOUR_UTC = 11


@dataclass(frozen=True)
class Timeline:
    """The demo's span: from midnight UTC of ``end - days`` to ``end`` (a whole hour).

    Starting at midnight makes every day but the current one whole, so each day with
    usage also has a complete bill.
    """

    start: datetime
    end: datetime

    @classmethod
    def ending_at(cls, end: datetime, days: int) -> Timeline:
        first = end - timedelta(days=days)
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        return cls(start, end)

    @property
    def hours(self) -> int:
        return int((self.end - self.start) / timedelta(hours=1))

    @property
    def steps(self) -> int:
        return self.hours * STEPS_PER_HOUR

    @property
    def whole_days(self) -> int:
        """Days that are complete before ``end`` (today, if partial, is not counted)."""
        return self.hours // 24

    def hour_at(self, index: int) -> datetime:
        return self.start + timedelta(hours=index)

    def hour_index(self, t: datetime) -> int:
        """Index of the first whole hour starting at or after ``t``, clamped to the span."""
        seconds = (t - self.start).total_seconds()
        index = int(np.ceil(seconds / 3600.0))
        return max(0, min(self.hours, index))

    def event_step(self) -> int:
        day = max(0, self.whole_days - 1 - EVENT_DAYS_BEFORE_END)
        return (day * 24 + EVENT_HOUR_UTC) * STEPS_PER_HOUR


def _smooth_noise(rng: np.random.Generator, n: int, width: int, sigma: float) -> FloatArray:
    """Gaussian noise smoothed over ``width`` steps, rescaled to standard deviation ``sigma``."""
    white = rng.normal(0.0, 1.0, n + width)
    kernel = np.hanning(width + 2)[1:-1]
    smooth = np.convolve(white, kernel / kernel.sum(), mode="valid")[:n]
    std = float(smooth.std()) or 1.0
    return np.asarray(smooth / std * sigma, dtype=np.float64)


def event_shape(minutes_from_open: FloatArray) -> FloatArray:
    """0..1 profile of the on-sale event: 10-minute ramp, 30-minute plateau, 40-minute decay."""
    m = minutes_from_open
    ramp = np.clip((m + 10.0) / 10.0, 0.0, 1.0)
    decay = np.exp(-np.maximum(m - 30.0, 0.0) / 40.0)
    return np.asarray(np.where(m < -10.0, 0.0, ramp * decay), dtype=np.float64)


def platform_rps(timeline: Timeline, rng: np.random.Generator) -> FloatArray:
    """Requests per second reaching the gateway, one value per 5-minute step."""
    n = timeline.steps
    t_h = np.arange(n, dtype=np.float64) / STEPS_PER_HOUR
    hour_of_day = t_h % 24.0
    day_index = (t_h // 24.0).astype(np.int64)
    weekday = (timeline.start.weekday() + day_index) % 7

    bump = ((1.0 + np.cos(2.0 * np.pi * (hour_of_day - DAILY_PEAK_HOUR_UTC) / 24.0)) / 2.0) ** 2.5
    daily = NIGHT_FLOOR + (1.0 - NIGHT_FLOOR) * bump
    trend = 1.0 + GROWTH_OVER_SPAN * t_h / max(1.0, float(timeline.hours))
    noise = np.exp(_smooth_noise(rng, n, 24, 0.06) + rng.normal(0.0, 0.02, n))
    rps = NORMAL_PEAK_RPS * daily * WEEKDAY_FACTOR[weekday] * trend * noise

    opening = timeline.event_step()
    if opening < n:
        minutes = (np.arange(n, dtype=np.float64) - opening) * 5.0
        shape = event_shape(minutes)
        amplitude = max(0.0, SPIKE_PEAK_RPS - float(rps[opening]))
        rps = rps + amplitude * shape
    return np.asarray(np.minimum(rps, RATE_LIMIT_RPS), dtype=np.float64)
