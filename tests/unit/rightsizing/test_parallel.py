"""The fleet map: the engine on worker processes gives exactly the serial answers."""

from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from rightsizing import recommend_fleet
from rightsizing.engine import recommend
from rightsizing.fleet import calibrated
from rightsizing.parallel import MIN_PER_WORKER, process_map, serial_map, workers_for

from .builders import inputs, times


def _fleet(n: int):
    rng = np.random.default_rng(5)
    k = times(9).size
    return [
        replace(
            inputs(rng.uniform(0.05, 3.0) * np.clip(rng.normal(1.0, 0.3, k), 0.02, None), days=9),
            key=f"ns/app-{i}/c",
        )
        for i in range(n)
    ]


def test_process_map_matches_the_serial_engine_in_order():
    fleet = _fleet(24)
    serial = recommend_fleet(fleet, "tacos")
    with process_map(2) as fleet_map:
        assert fleet_map is not serial_map
        strat = calibrated(fleet, "tacos", None, fleet_map)
        parallel = fleet_map(partial(recommend, strategy=strat, guardrails=None), fleet)
    assert strat == calibrated(fleet, "tacos")  # the same fleet price from the folds
    assert parallel == serial
    assert [o.key for o in parallel] == [i.key for i in fleet]


def test_small_fleets_stay_in_one_process():
    assert workers_for(MIN_PER_WORKER * 2 - 1, 4) == 1
    assert workers_for(MIN_PER_WORKER * 2, 4) == 2
    assert workers_for(MIN_PER_WORKER * 100, 3) == 3
    assert workers_for(10, None) == 1
    assert 1 <= workers_for(MIN_PER_WORKER * 100, 0) <= 8
    with process_map(1) as fleet_map:
        assert fleet_map is serial_map


def test_a_failure_in_a_worker_reaches_the_caller():
    with process_map(2) as fleet_map, pytest.raises(ZeroDivisionError):
        fleet_map(partial(divmod, 1), [1, 0, 2])


def test_replay_scores_do_not_depend_on_the_worker_count():
    from rightsizing import Resources
    from rightsizing.evaluation import ReplaySeries, replay

    rng = np.random.default_rng(9)
    n = MIN_PER_WORKER * 2  # just enough for two processes
    t = times(9)
    series = [
        ReplaySeries(
            f"s{i}",
            t,
            rng.uniform(0.05, 2.0) * np.clip(rng.normal(1.0, 0.25, t.size), 0.02, None),
            np.full(t.size, 3e8),
            Resources(1.0, None, 5e8, 5e8),
        )
        for i in range(n)
    ]
    serial = replay(series, ["tacos"], include_current=False)
    parallel = replay(series, ["tacos"], include_current=False, workers=2)
    assert parallel["tacos"].as_dict() == serial["tacos"].as_dict()
    assert serial["tacos"].decisions == n
