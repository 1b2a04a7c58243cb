"""Workload annotations that steer the engine.

``finops.tacos.io/rightsizing: disabled`` (also ``false``/``off``) opts a workload
out. Pins bound what the engine may recommend, in Kubernetes quantity syntax:

* ``finops.tacos.io/cpu-request-min`` / ``cpu-request-max`` (e.g. ``250m``, ``1.5``)
* ``finops.tacos.io/memory-request-min`` / ``memory-request-max`` (e.g. ``512Mi``, ``2G``)
* ``finops.tacos.io/cpu-limit`` / ``memory-limit``: pin the limit to a fixed value
  (``none`` for CPU removes the limit).
* ``finops.tacos.io/max-under-share`` (``5%`` or ``0.05``, at most 50%): this workload's
  CPU request may leave at most that share of its usage above it, whatever the fleet's
  price would give (the default strategy's ``max_under_share``, for one workload: a
  critical service is held to its own risk while the rest share the fleet's).

A malformed pin is an error (``InvalidInputError``, naming the annotation), not
silently ignored: a team that pinned a value must learn that the pin is not in force.
The engine turns it into that workload's "no recommendation" with the error as its
reason, so one team's typo does not stop everyone else's recommendations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rightsizing.errors import InvalidInputError

PREFIX = "finops.tacos.io/"
OPT_OUT_KEY = PREFIX + "rightsizing"
_OFF = {"disabled", "false", "off", "no"}
_SUFFIX = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}
_QUANTITY = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*(m|k|M|G|T|Ki|Mi|Gi|Ti)?\s*$"
)


def parse_quantity(text: str) -> float:
    """Parse a Kubernetes quantity (``100m``, ``1.5``, ``512Mi``, ``1e3``) into base units."""
    match = _QUANTITY.match(text)
    if match is None:
        raise InvalidInputError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2) or ""]


@dataclass(frozen=True)
class Pins:
    cpu_request_min: float | None = None
    cpu_request_max: float | None = None
    memory_request_min: float | None = None
    memory_request_max: float | None = None
    cpu_limit: float | None = None
    cpu_limit_none: bool = False
    memory_limit: float | None = None
    max_under_share: float | None = None  # on the request's risk, not a bound on its size

    @property
    def any(self) -> bool:
        return self != Pins()


UNDER_CAP_KEY = PREFIX + "max-under-share"
MAX_UNDER_CAP = 0.5


def _under_cap(annotations: Mapping[str, str]) -> float | None:
    raw = annotations.get(UNDER_CAP_KEY)
    if raw is None:
        return None
    text = raw.strip()
    try:
        value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_UNDER_CAP:
        raise InvalidInputError(
            f"{UNDER_CAP_KEY}: {raw!r} is not a share of the time in (0, 50%] (write 5% or 0.05)"
        )
    return value


def under_cap(annotations: Mapping[str, str], default: float) -> float:
    """The workload's ``max-under-share``, else ``default`` (also where the annotation is
    malformed: the engine reports that as the workload's reason and recommends nothing,
    so a calibration reading it must not fail the fleet)."""
    try:
        value = _under_cap(annotations)
    except InvalidInputError:
        return default
    return default if value is None else value


def opted_out(annotations: Mapping[str, str]) -> bool:
    return annotations.get(OPT_OUT_KEY, "").strip().lower() in _OFF


def _pin(annotations: Mapping[str, str], name: str) -> float | None:
    raw = annotations.get(PREFIX + name)
    if raw is None:
        return None
    try:
        return parse_quantity(raw)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{PREFIX}{name}: {exc}") from None


def read_pins(annotations: Mapping[str, str]) -> Pins:
    values: dict[str, float | None] = {}
    for name in ("cpu-request-min", "cpu-request-max", "memory-request-min", "memory-request-max"):
        values[name] = _pin(annotations, name)
    cpu_limit_raw = annotations.get(PREFIX + "cpu-limit")
    cpu_none = cpu_limit_raw is not None and cpu_limit_raw.strip().lower() == "none"
    cpu_limit = None if cpu_none else _pin(annotations, "cpu-limit")
    pins = Pins(
        cpu_request_min=values["cpu-request-min"],
        cpu_request_max=values["cpu-request-max"],
        memory_request_min=values["memory-request-min"],
        memory_request_max=values["memory-request-max"],
        cpu_limit=cpu_limit,
        cpu_limit_none=cpu_none,
        memory_limit=_pin(annotations, "memory-limit"),
        max_under_share=_under_cap(annotations),
    )
    for lo, hi, what in (
        (pins.cpu_request_min, pins.cpu_request_max, "cpu-request"),
        (pins.memory_request_min, pins.memory_request_max, "memory-request"),
    ):
        if lo is not None and hi is not None and lo > hi:
            raise InvalidInputError(f"{PREFIX}{what}-min is above {PREFIX}{what}-max")
    return pins
