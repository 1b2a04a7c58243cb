"""Rightsizing: pure recommendation engine, strategies and replay evaluation (numpy, no I/O).

Public API::

    from rightsizing import ContainerInputs, UsageHistory, Resources, recommend
    outcome = recommend(inputs, "tacos")  # Recommendation | NoRecommendation
    outcomes = recommend_fleet([inputs, ...])  # the default calibrated over the fleet
"""

from rightsizing.engine import recommend
from rightsizing.errors import (
    InvalidInputError,
    InvalidRowError,
    InvalidSettingError,
    RightsizingError,
    UnknownStrategyError,
    UsageDataError,
)
from rightsizing.fleet import recommend_fleet
from rightsizing.guardrails import Guardrails
from rightsizing.inputs import (
    Autoscaler,
    ContainerInputs,
    HourlyUsage,
    OomEvent,
    QuotaContext,
    ReplicaHistory,
    Resources,
    UnitPrices,
    UsageHistory,
)
from rightsizing.results import (
    Evidence,
    HpaAdjustment,
    NoRecommendation,
    Outcome,
    Reason,
    Recommendation,
)
from rightsizing.rollups import inputs_from_hourly
from rightsizing.strategies import DEFAULT_STRATEGY, make_strategy, strategy_names

__all__ = [
    "DEFAULT_STRATEGY",
    "Autoscaler",
    "ContainerInputs",
    "Evidence",
    "Guardrails",
    "HourlyUsage",
    "HpaAdjustment",
    "InvalidInputError",
    "InvalidRowError",
    "InvalidSettingError",
    "NoRecommendation",
    "OomEvent",
    "Outcome",
    "QuotaContext",
    "Reason",
    "Recommendation",
    "ReplicaHistory",
    "Resources",
    "RightsizingError",
    "UnitPrices",
    "UnknownStrategyError",
    "UsageDataError",
    "UsageHistory",
    "inputs_from_hourly",
    "make_strategy",
    "recommend",
    "recommend_fleet",
    "strategy_names",
]
