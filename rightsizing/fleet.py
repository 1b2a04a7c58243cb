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

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from rightsizing.engine import eligible, recommend
from rightsizing.errors import InvalidInputError
from rightsizing.guardrails import Guardrails
from rightsizing.inputs import ContainerInputs
from rightsizing.parallel import FleetMap, process_map, serial_map, workers_for
from rightsizing.results import NoRecommendation, Outcome, Reason
from rightsizing.strategies import DEFAULT_STRATEGY, Strategy, make_strategy

log = logging.getLogger(__name__)


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


def _isolated(
    inputs: ContainerInputs, strategy: Strategy, guardrails: Guardrails | None
) -> Outcome:
    """``recommend``, with a failure of this container's own turned into its outcome."""
    try:
        return recommend(inputs, strategy, guardrails)
    except Exception as exc:
        log.exception("rightsizing: the engine failed on %s", inputs.key)
        return NoRecommendation(
            inputs.key,
            strategy.name,
            Reason.ENGINE_ERROR,
            f"the engine failed on this container ({type(exc).__name__}: {exc}); "
            "the others were recommended",
        )


def recommend_fleet(
    fleet: Sequence[ContainerInputs],
    strategy: Strategy | str = DEFAULT_STRATEGY,
    guardrails: Guardrails | None = None,
    workers: int | None = 1,
    fleet_map: FleetMap | None = None,
    on_calibrated: Callable[[Strategy], None] | None = None,
    isolate_errors: bool = False,
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

    ``isolate_errors`` (the weekly job): an exception on one container becomes that
    container's outcome (``engine-error``, logged) instead of ending the fleet's run, and
    a calibration that fails leaves the strategy uncalibrated (its per-container price),
    logged. Off by default, so that a library caller and the tests see every failure.
    """
    seen: set[str] = set()
    for inputs in fleet:
        if inputs.key in seen:
            raise InvalidInputError(f"fleet: container key {inputs.key!r} appears twice")
        seen.add(inputs.key)
    if fleet_map is not None:
        try:
            strat = calibrated(fleet, strategy, guardrails, fleet_map)
        except Exception:
            if not isolate_errors:
                raise
            log.exception("rightsizing: the fleet calibration failed; per-container prices")
            strat = make_strategy(strategy) if isinstance(strategy, str) else strategy
        if on_calibrated is not None:
            on_calibrated(strat)
        one = _isolated if isolate_errors else recommend
        return fleet_map(partial(one, strategy=strat, guardrails=guardrails), fleet)
    with process_map(workers_for(len(fleet), workers)) as own_map:
        return recommend_fleet(
            fleet,
            strategy,
            guardrails,
            fleet_map=own_map,
            on_calibrated=on_calibrated,
            isolate_errors=isolate_errors,
        )
