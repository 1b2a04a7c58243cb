"""Exact Kubernetes quantities ("100m", "1.5Gi", "1e3") as Decimal base units.

Float parsing turns "100m" into 0.1000000000000000055; money multiplies these
numbers, so we keep them Decimal end to end via the official client's parser.
"""

from __future__ import annotations

from decimal import Decimal

from kubernetes.utils import parse_quantity

from collectors.kubernetes.errors import KubernetesSpecError


def quantity(value: object, where: str) -> Decimal:
    """Parse one quantity; ``where`` names the object and field for the error."""
    if isinstance(value, bool):
        raise KubernetesSpecError(f"unparsable quantity {value!r} at {where}")
    try:
        parsed = parse_quantity(value)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise KubernetesSpecError(f"unparsable quantity {value!r} at {where}") from exc
    if not isinstance(parsed, Decimal) or not parsed.is_finite() or parsed < 0:
        raise KubernetesSpecError(f"unparsable quantity {value!r} at {where}")
    return parsed
