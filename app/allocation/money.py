"""Exact money splitting: the parts always add up to the whole, to the micro-dollar.

Shares are computed in floating point (fast, and plenty precise for *weights*), but
the amounts are integers of micro-dollars (1e-6, the ``Money`` column's scale) and a
largest-remainder step hands out the last micro-dollars, so ``sum(parts) == total``
exactly. This is what lets every window reconcile to the cent with the bill.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy.typing as npt

MICRO = Decimal("0.000001")
_SCALE = 1_000_000
# Float64 keeps integers exact up to 2**53 micro-dollars (about $9 billion per split).
_MAX_MICROS = 2**53


def to_micros(amount: Decimal) -> int:
    """Decimal dollars to integer micro-dollars (banker's rounding beyond 6 places)."""
    return int((amount * _SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_micros(micros: int) -> Decimal:
    return Decimal(int(micros)).scaleb(-6).quantize(MICRO)


def distribute_micros(total: int, weights: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Split ``total`` micro-dollars in proportion to non-negative ``weights``.

    Raises ``ValueError`` for negative, non-finite or all-zero weights: the caller
    decides what an empty split means (usually: the amount goes to idle or
    unallocated), rather than money silently vanishing here.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("weights must be a non-empty 1-d sequence")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and non-negative")
    s = float(w.sum())
    if s <= 0:
        raise ValueError("weights add up to zero: nothing to split by")
    n = abs(int(total))
    if n >= _MAX_MICROS:
        raise ValueError(f"amount {from_micros(total)} is too large to split exactly")
    q = w / s * n
    base = np.floor(q).astype(np.int64)
    rest = n - int(base.sum())
    eligible = np.flatnonzero(w > 0)
    if rest > 0:
        frac = (q - base)[eligible]
        order = eligible[np.argsort(-frac, kind="stable")]
        full, part = divmod(rest, order.size)
        base[order] += full
        base[order[:part]] += 1
    elif rest < 0:  # float rounding overshot: take back from the largest parts
        order = np.argsort(-base, kind="stable")
        for i in range(-rest):
            base[order[i % order.size]] -= 1
    return base if total >= 0 else -base


def distribute(total: Decimal, weights: npt.ArrayLike) -> list[Decimal]:
    """Decimal convenience wrapper around ``distribute_micros``."""
    return [from_micros(int(m)) for m in distribute_micros(to_micros(total), weights)]


def scale_exact(target: Decimal, amounts: Sequence[Decimal]) -> list[Decimal]:
    """Scale ``amounts`` (any signs, non-zero sum) so they add up to ``target`` exactly.

    Used on short lists (tag values of one AWS service and day); the rounding
    residual goes to the largest part, so no part moves by more than a few micros.
    """
    total = sum(amounts, Decimal(0))
    if total == 0:
        raise ValueError("cannot scale amounts that add up to zero")
    parts = [(target * a / total).quantize(MICRO) for a in amounts]
    residual = target.quantize(MICRO) - sum(parts, Decimal(0))
    if residual:
        biggest = max(range(len(parts)), key=lambda i: abs(parts[i]))
        parts[biggest] += residual
    return parts
