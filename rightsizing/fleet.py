"""Recommend for a fleet at once: calibrate the strategy on the fleet, then per container.

Why a fleet API: the replay's CPU slack and under-provisioned share are pooled over
every container, so the cheapest way to hold a fleet-wide risk level is to spend it
unevenly, where a unit of risk saves the most cores (see
``rightsizing.strategies.fleet_price``). A strategy that can use the fleet has a
``calibrate(fleet) -> Strategy`` method; it sees only the containers that the engine
would actually recommend for (not opted out, enough history), so an opted-out or
brand-new container cannot move everyone else's requests. Strategies without it are
run per container, exactly as ``recommend`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from rightsizing.engine import eligible, recommend
from rightsizing.errors import InvalidInputError
from rightsizing.guardrails import Guardrails
from rightsizing.inputs import ContainerInputs
from rightsizing.parallel import FleetMap, process_map, serial_map, workers_for
from rightsizing.results import Outcome
from rightsizing.strategies import DEFAULT_STRATEGY, Strategy, make_strategy


@runtime_checkable
class FleetStrategy(Strategy, Protocol):
    def calibrate(
        self,
        fleet: Sequence[ContainerInputs],
        fleet_map: FleetMap = serial_map,
        cpu_floor_cores: float = 0.0,
    ) -> Strategy: ...


def calibrated(
    fleet: Sequence[ContainerInputs],
    strategy: Strategy | str = DEFAULT_STRATEGY,
    guardrails: Guardrails | None = None,
    fleet_map: FleetMap = serial_map,
) -> Strategy:
    """The strategy as it will run on this fleet (itself when it does not calibrate)."""
    strat = make_strategy(strategy) if isinstance(strategy, str) else strategy
    if isinstance(strat, FleetStrategy):
        floor = (guardrails or Guardrails()).cpu_floor_cores
        return strat.calibrate([i for i in fleet if eligible(i, guardrails)], fleet_map, floor)
    return strat


def recommend_fleet(
    fleet: Sequence[ContainerInputs],
    strategy: Strategy | str = DEFAULT_STRATEGY,
    guardrails: Guardrails | None = None,
    workers: int | None = 1,
    fleet_map: FleetMap | None = None,
    on_calibrated: Callable[[Strategy], None] | None = None,
) -> list[Outcome]:
    """One outcome per container, in the order given.

    ``workers``: processes for the per-container work (None or 0: one per CPU); a
    fleet too small to gain from them runs serially (``rightsizing.parallel``). A
    caller with many fleets passes one ``fleet_map`` (``process_map``) for all of them
    instead. The outcomes are the same either way.

    Keys must be unique: two containers with one key would be calibrated as two but
    stored as one, and one of the two outcomes would be lost.

    ``on_calibrated`` hears the strategy as calibrated on this fleet (itself when it
    does not calibrate), before the recommendations: what a report says of the run.
    """
    seen: set[str] = set()
    for inputs in fleet:
        if inputs.key in seen:
            raise InvalidInputError(f"fleet: container key {inputs.key!r} appears twice")
        seen.add(inputs.key)
    if fleet_map is not None:
        strat = calibrated(fleet, strategy, guardrails, fleet_map)
        if on_calibrated is not None:
            on_calibrated(strat)
        return fleet_map(partial(recommend, strategy=strat, guardrails=guardrails), fleet)
    with process_map(workers_for(len(fleet), workers)) as own_map:
        return recommend_fleet(
            fleet, strategy, guardrails, fleet_map=own_map, on_calibrated=on_calibrated
        )
