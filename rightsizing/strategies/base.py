"""The strategy interface and the shared settings plumbing.

A strategy is a small frozen dataclass: its fields *are* its settings (with the
documented defaults), validated in ``__post_init__``; ``propose`` turns one
container's inputs into a raw ``Proposal`` or a ``NoRecommendation``. Guardrails,
pins, HPA and quota handling are the engine's job, identical for every strategy,
so that the replay compares the strategies' judgement and nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from rightsizing.errors import InvalidSettingError
from rightsizing.inputs import ContainerInputs
from rightsizing.results import NoRecommendation, Proposal

DAY_S = 86400.0
GIB = 2.0**30
MIB = 2.0**20


@runtime_checkable
class Strategy(Protocol):
    name: ClassVar[str]

    def propose(self, inputs: ContainerInputs) -> Proposal | NoRecommendation: ...


S = TypeVar("S")


def build_settings(cls: type[S], settings: Mapping[str, Any] | None) -> S:
    """Instantiate ``cls`` from a settings mapping, rejecting unknown keys and wrong types."""
    settings = dict(settings or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(settings) - set(fields))
    if unknown:
        raise InvalidSettingError(
            f"{getattr(cls, 'name', cls.__name__)}: unknown setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(fields))}"
        )
    converted: dict[str, Any] = {}
    for key, value in settings.items():
        default = getattr(cls, key, None)
        converted[key] = _convert(key, value, default)
    try:
        return cls(**converted)
    except TypeError as exc:  # pragma: no cover - guarded by the key check above
        raise InvalidSettingError(str(exc)) from exc


def _convert(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}
        raise InvalidSettingError(f"setting {key} must be true or false, got {value!r}")
    if isinstance(default, int | float):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidSettingError(f"setting {key} must be a number, got {value!r}") from None
        if isinstance(default, int) and number.is_integer():
            return int(number)
        return number
    if isinstance(default, Decimal):  # money: exact, never via float
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise InvalidSettingError(f"setting {key} must be a number, got {value!r}") from None
        if not amount.is_finite():
            raise InvalidSettingError(f"setting {key} must be a number, got {value!r}")
        return amount
    if isinstance(default, str):
        return str(value)
    return value


#: How each anchor writes a percentile: KRR's ``--cpu_percentile 95`` is a percentage,
#: the VPA's ``--target-cpu-percentile=0.9`` a fraction. Each strategy keeps its anchor's
#: convention so settings copied from it mean the same here; the error names it because
#: 0.95 for krr-simple or 95 for vpa/tacos is the likely mistake.
AS_PERCENTAGE = "a percentage, as KRR's --cpu_percentile: 95 is p95"
AS_FRACTION = "a fraction, as the VPA's flags: 0.95 is p95"


def check_range(owner: str, name: str, value: float, lo: float, hi: float, hint: str = "") -> None:
    if not lo <= value <= hi:
        extra = f" ({hint})" if hint else ""
        raise InvalidSettingError(
            f"{owner}: {name} must be within [{lo}, {hi}], got {value}{extra}"
        )
