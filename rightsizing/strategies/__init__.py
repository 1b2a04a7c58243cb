"""Strategies selectable by name: ``krr-simple``, ``vpa`` and our default ``tacos``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsizing.errors import UnknownStrategyError
from rightsizing.strategies.base import Strategy, build_settings
from rightsizing.strategies.krr_simple import KrrSimpleStrategy
from rightsizing.strategies.tacos import TacosStrategy
from rightsizing.strategies.vpa import VpaStrategy

DEFAULT_STRATEGY = TacosStrategy.name
_REGISTRY: dict[str, type[KrrSimpleStrategy] | type[VpaStrategy] | type[TacosStrategy]] = {
    KrrSimpleStrategy.name: KrrSimpleStrategy,
    VpaStrategy.name: VpaStrategy,
    TacosStrategy.name: TacosStrategy,
}


def strategy_names() -> list[str]:
    return list(_REGISTRY)


def make_strategy(name: str, settings: Mapping[str, Any] | None = None) -> Strategy:
    """The strategy registered as ``name`` with ``settings`` over its defaults."""
    cls = _REGISTRY.get(name)
    if cls is None:
        raise UnknownStrategyError(
            f"unknown strategy {name!r}; choose one of {', '.join(_REGISTRY)}"
        )
    strategy: Strategy = build_settings(cls, settings)
    return strategy


__all__ = [
    "DEFAULT_STRATEGY",
    "KrrSimpleStrategy",
    "Strategy",
    "TacosStrategy",
    "VpaStrategy",
    "make_strategy",
    "strategy_names",
]
