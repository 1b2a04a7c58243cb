"""Monthly saving in dollars: request change x unit price x replicas x 730 hours.

Requests are what a node reserves and what OpenCost-style allocation charges
(max(request, usage)), so the saving is priced on requests. Replicas are the
time-average over the window with zero-replica time included (a scaled-to-zero
workload costs nothing then). Money is ``Decimal``, rounded to cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from rightsizing.inputs import Resources, UnitPrices

HOURS_PER_MONTH = Decimal(730)
GIB = 2.0**30
CENT = Decimal("0.01")


def _dec(x: float) -> Decimal:
    return Decimal(repr(round(float(x), 12)))


def monthly_cost(res: Resources, prices: UnitPrices, replicas: float) -> Decimal:
    cpu = _dec(res.cpu_request or 0.0) * prices.cpu_core_hour
    mem = _dec((res.memory_request or 0.0) / GIB) * prices.memory_gib_hour
    return ((cpu + mem) * _dec(replicas) * HOURS_PER_MONTH).quantize(CENT, ROUND_HALF_EVEN)


def monthly_saving(
    current: Resources, new: Resources, prices: UnitPrices, replicas: float
) -> Decimal:
    """Positive when the new requests cost less; negative when they ask for more."""
    return monthly_cost(current, prices, replicas) - monthly_cost(new, prices, replicas)
