"""Pure budget arithmetic: actual and forecast spend against thresholds.

The forecast is the period-to-date run rate over the *complete* days so far,
projected over the whole period (AWS Budgets and Kubecost do the same in spirit);
today's partial day is excluded so a morning check does not under-forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class BudgetStatus:
    name: str
    scope: str
    period: str
    amount: Decimal
    actual: Decimal
    forecast: Decimal
    complete_days: int
    period_days: int

    @property
    def actual_ratio(self) -> float:
        return float(self.actual / self.amount) if self.amount else 0.0

    @property
    def forecast_ratio(self) -> float:
        return float(self.forecast / self.amount) if self.amount else 0.0


@dataclass(frozen=True)
class Crossing:
    """A threshold the spend has reached: recorded once per (budget, period, threshold, basis)."""

    budget: str
    period: str
    threshold: int  # percent
    basis: str  # actual | forecast


def forecast(actual_complete: Decimal, complete_days: int, period_days: int) -> Decimal:
    if complete_days <= 0:
        return actual_complete
    rate = actual_complete / complete_days
    return (rate * period_days).quantize(CENT, rounding=ROUND_HALF_UP)


def crossings(status: BudgetStatus, thresholds: list[int]) -> list[Crossing]:
    """Thresholds reached by actual spend, and by the forecast (only once a day is complete)."""
    out: list[Crossing] = []
    for t in sorted(set(thresholds)):
        limit = status.amount * Decimal(t) / Decimal(100)
        if status.actual >= limit:
            out.append(Crossing(status.name, status.period, t, "actual"))
        elif status.complete_days > 0 and status.forecast >= limit:
            out.append(Crossing(status.name, status.period, t, "forecast"))
    return out


@dataclass(frozen=True)
class Anomaly:
    service: str
    day: str
    spend: Decimal
    baseline: Decimal  # trailing average per day

    @property
    def change(self) -> float:
        return float(self.spend / self.baseline - 1) if self.baseline else float("inf")


def spend_anomalies(
    daily: dict[str, list[Decimal]],
    day: str,
    *,
    min_increase: float = 0.20,
    min_dollars: Decimal = Decimal("10"),
    min_history: int = 7,
) -> list[Anomaly]:
    """Services whose last day's spend is ``min_increase`` above their trailing average.

    ``daily`` maps a service to its daily spend, oldest first, the last entry being
    ``day``. Small absolute changes (below ``min_dollars``) are noise, not news.
    """
    out: list[Anomaly] = []
    for service, series in sorted(daily.items()):
        if len(series) < min_history + 1:
            continue
        history, last = series[:-1], series[-1]
        baseline = sum(history, Decimal(0)) / len(history)
        if last - baseline < min_dollars:
            continue
        if baseline == 0 or last / baseline - 1 >= Decimal(str(min_increase)):
            out.append(Anomaly(service, day, last, baseline.quantize(CENT)))
    return out
