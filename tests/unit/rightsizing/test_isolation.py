"""``recommend_fleet(isolate_errors=True)`` (the weekly job): one container's failure is
its own outcome, not the fleet's; off by default, where every failure is raised."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rightsizing import NoRecommendation, Reason, Recommendation, recommend
from rightsizing.fleet import recommend_fleet
from rightsizing.inputs import ContainerInputs
from rightsizing.results import Proposal
from rightsizing.strategies import KrrSimpleStrategy, TacosStrategy

from .builders import noisy_fleet


@dataclass(frozen=True)
class Flaky:
    """krr-simple, except that it fails on one container."""

    bad_key: str
    name = "flaky"

    def propose(self, inputs: ContainerInputs) -> Proposal | NoRecommendation:
        if inputs.key == self.bad_key:
            raise RuntimeError("boom")
        return KrrSimpleStrategy().propose(inputs)


@dataclass(frozen=True)
class CannotCalibrate(TacosStrategy):
    def calibrate(self, fleet, fleet_map=None, cpu_floor_cores=0.0):  # type: ignore[override]
        raise ZeroDivisionError("calibration bug")


def test_one_failing_container_is_its_own_outcome():
    fleet = noisy_fleet([0.1, 0.5, 1.0, 2.0])
    strategy = Flaky(bad_key=fleet[2].key)
    with pytest.raises(RuntimeError, match="boom"):
        recommend_fleet(fleet, strategy)  # the default: every failure is seen
    out = recommend_fleet(fleet, strategy, isolate_errors=True)
    bad = out[2]
    assert isinstance(bad, NoRecommendation) and bad.reason is Reason.ENGINE_ERROR
    assert bad.detail.startswith("the engine failed on this container (RuntimeError: boom)")
    for one, got in zip(fleet, out, strict=True):
        if one.key != fleet[2].key:
            assert got == recommend(one, strategy)
            assert isinstance(got, Recommendation)


def test_a_failing_calibration_leaves_the_per_container_price():
    fleet = noisy_fleet([0.1, 0.5, 1.0, 2.0])
    broken = CannotCalibrate()
    with pytest.raises(ZeroDivisionError):
        recommend_fleet(fleet, broken)
    out = recommend_fleet(fleet, broken, isolate_errors=True)
    assert out == [recommend(one, broken) for one in fleet]  # uncalibrated, every one
    assert all(isinstance(o, Recommendation) for o in out)
    calibrated_out = recommend_fleet(fleet, TacosStrategy())
    assert out != calibrated_out  # (the fleet price would have given other requests)
