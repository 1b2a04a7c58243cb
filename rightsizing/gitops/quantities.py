"""Kubernetes resource quantities: parse what a manifest holds, write what a person would.

The recommender works in cores and bytes; a manifest holds ``"500m"``, ``1``,
``"0.5"``, ``512Mi`` or ``1e9``. Parsing follows the Kubernetes grammar (binary
suffixes Ki..Ei, decimal suffixes n..E, exponents) so an unchanged value is never
rewritten just because it was spelt differently. Writing rounds *up*: CPU to a
whole millicore, memory to a whole MiB, so the value in the manifest is never
below the recommendation that the evidence supports.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from rightsizing.gitops.errors import QuantityError

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?\d+)|(?P<dec>[numkMGTPE]?))$"
)
MIB = Decimal(2**20)
GIB = Decimal(2**30)


def parse_quantity(value: object) -> Decimal:
    """A quantity (``"250m"``, ``"1Gi"``, ``2``, ``"1e3"``) in base units (cores, bytes)."""
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"expected a quantity, got {value!r}")
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise QuantityError(f"expected a quantity, got {type(value).__name__}")
    m = _QUANTITY.match(text)
    if m is None:
        raise QuantityError(f"{text!r} is not a Kubernetes quantity (e.g. 250m, 1.5, 512Mi)")
    try:
        number = Decimal(m["num"])
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(f"{text!r} is not a number") from exc
    if m["bin"]:
        result = number * _BINARY[m["bin"]]
    elif m["exp"]:
        result = number * Decimal(10) ** int(m["exp"][1:])
    else:
        result = number * _DECIMAL[m["dec"] or ""]
    if result < 0:
        raise QuantityError(f"{text!r}: a resource quantity cannot be negative")
    return result


def _positive(value: Decimal, what: str) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise QuantityError(f"{what} must be a positive number, got {value}")
    return value


def cpu_millicores(cores: Decimal) -> int:
    """Cores rounded up to a whole millicore (at least 1m)."""
    return max(1, int((_positive(cores, "CPU") * 1000).to_integral_value(ROUND_CEILING)))


def memory_mebibytes(size: Decimal) -> int:
    """Bytes rounded up to a whole MiB (at least 1Mi)."""
    return max(1, int((_positive(size, "memory") / MIB).to_integral_value(ROUND_CEILING)))


def format_cpu(cores: Decimal) -> str:
    """``Decimal("0.25")`` -> ``"250m"``; whole cores as ``"2"`` (Kubernetes' canonical form)."""
    milli = cpu_millicores(cores)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def format_memory(size: Decimal) -> str:
    """Bytes -> ``"384Mi"``; whole GiB as ``"2Gi"``."""
    mib = memory_mebibytes(size)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def rounded(resource: str, value: Decimal) -> Decimal:
    """The value that ``format_cpu``/``format_memory`` writes, in base units."""
    if resource == "cpu":
        return Decimal(cpu_millicores(value)) / 1000
    return Decimal(memory_mebibytes(value)) * MIB


def format_quantity(resource: str, value: Decimal) -> str:
    if resource == "cpu":
        return format_cpu(value)
    if resource == "memory":
        return format_memory(value)
    raise QuantityError(f"unknown resource {resource!r}; expected cpu or memory")


def human(resource: str, value: Decimal | None) -> str:
    """For the PR body: ``250m``, ``384Mi``, or ``unset``."""
    return "unset" if value is None else format_quantity(resource, value)
