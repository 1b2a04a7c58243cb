"""The capacity model: 30k RPS, quota and LimitRange fit, database connections."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from .checks.capacity import (
    check_db_connections,
    check_limit_range,
    check_quota,
    check_rps_capacity,
    fleet_need,
)
from .checks.errors import ModelError
from .checks.findings import report
from .checks.model import load_model
from .checks.scaling import bounds, scalers, surge_pods
from .conftest import TACOS_OVERLAYS, short

PROD = TACOS_OVERLAYS[2]


@pytest.mark.parametrize("directory", TACOS_OVERLAYS, ids=short)
def test_capacity_checks_pass(rendered, directory: Path) -> None:
    objects = rendered(directory)
    model = load_model(objects)
    findings = (
        check_quota(objects, model)
        + check_limit_range(objects)
        + check_rps_capacity(objects, model)
        + check_db_connections(objects, model)
    )
    assert findings == [], report(findings)


def test_prod_is_sized_for_30k_rps_with_the_documented_mix(rendered) -> None:
    model = load_model(rendered(PROD))
    assert model.target_rps == 30000
    assert model.service_rps() == {
        "gateway-api": Decimal(30000),
        "inventory-api": Decimal(27000),  # 70% browse + 20% reservations that check stock
        "reservation-api": Decimal(6000),
        "reservation-worker": Decimal(6000),  # one queue message per reservation
        "payment-sim-api": Decimal(3000),
    }


def test_prod_capacity_at_max_replicas(rendered) -> None:
    objects = rendered(PROD)
    index = scalers(objects)
    capacity = {}
    for w in (o for o in objects if o["kind"] in ("Rollout", "Deployment")):
        per_pod = int(
            w["spec"]["template"]["metadata"]["annotations"]["capacity.tacos.io/rps-per-pod"]
        )
        capacity[w["metadata"]["name"]] = bounds(w, index).max_replicas * per_pod
    assert capacity == {
        "gateway-api": 45000,
        "inventory-api": 40000,
        "reservation-api": 9000,
        "payment-sim-api": 5000,
        "reservation-worker": 7500,
    }


def test_prod_fleet_need_known_answer(rendered) -> None:
    """(max + 25% surge) x (app + proxy requests), summed by hand from the manifests."""
    need = fleet_need(rendered(PROD))
    # gateway 45+12 pods x 0.7 cpu; reservation 30+8 x 1.1; inventory 50+13 x 0.6;
    # payment 10+3 x 0.35; worker 30+8 x 0.6
    assert need["pods"] == 57 + 38 + 63 + 13 + 38
    assert need["requests.cpu"] == Decimal("39.9") + Decimal("41.8") + Decimal("37.8") + Decimal(
        "4.55"
    ) + Decimal("22.8")


def test_quota_too_small_or_too_large_is_reported(rendered) -> None:
    objects = rendered(PROD)
    model = load_model(objects)
    quota = next(o for o in objects if o["kind"] == "ResourceQuota")
    quota["spec"]["hard"]["requests.cpu"] = "100"
    quota["spec"]["hard"]["limits.memory"] = "1000Gi"
    del quota["spec"]["hard"]["pods"]
    messages = sorted(f.message for f in check_quota(objects, model))
    assert messages == [
        "does not limit pods",
        # 57x768Mi + 38x1280Mi + 63x1024Mi + 13x512Mi + 38x640Mi = 183.5Gi; x1.1 up = 202Gi
        "limits.memory=1000Gi exceeds the need 183.50Gi plus the stated headroom 0.10 (at most "
        "202.00Gi)",
        "requests.cpu=100 does not admit the fleet at max replicas plus surge, which needs 146.85",
    ]


def test_rps_shortfall_and_hpa_target_above_capacity(rendered) -> None:
    objects = rendered(PROD)
    model = load_model(objects)
    for o in objects:
        if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "gateway-api":
            o["spec"]["maxReplicas"] = 20
        if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "payment-sim-api":
            o["spec"]["metrics"][2]["pods"]["target"]["averageValue"] = "900"
    messages = [f.message for f in check_rps_capacity(objects, model)]
    assert (
        "max 20 replicas x 1000 rps/pod = 20000 < 30000 rps needed at 30000 rps aggregate"
        in messages
    )
    assert (
        "RPS target 900 is above the pod's capacity 500: pods saturate before it scales" in messages
    )


def test_db_pool_mismatch_and_connection_overrun(rendered) -> None:
    objects = rendered(PROD)
    model = load_model(objects)
    inv = next(
        o for o in objects if o["metadata"]["name"] == "inventory-api" and o["kind"] == "Rollout"
    )
    env = inv["spec"]["template"]["spec"]["containers"][0]["env"]
    next(e for e in env if e["name"] == "DB_POOL_MAX_SIZE")["value"] = "30"
    messages = [f.message for f in check_db_connections(objects, model)]
    assert "DB_POOL_MAX_SIZE=30 disagrees with capacity.tacos.io/db-pool-per-pod=8" in messages
    assert any(
        m.endswith("connections > 1400 usable (1500 max - 100 reserved)")
        and "inventory-api (50+13) x 30" in m
        for m in messages
    ), messages


def test_limit_range_bounds(rendered) -> None:
    objects = rendered(PROD)
    res = next(
        o for o in objects if o["metadata"]["name"] == "reservation-api" and o["kind"] == "Rollout"
    )
    res["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "4Gi"
    messages = [f.message for f in check_limit_range(objects)]
    assert "container reservation-api limit memory=4Gi above the LimitRange max 1Gi" in messages
    assert (
        "container reservation-api memory limit/request ratio 8.00 above the LimitRange's 4"
        in messages
    )


@pytest.mark.parametrize(
    ("raw", "replicas", "expected"),
    [("25%", 45, 12), ("25%", 4, 1), (2, 10, 2), ("0%", 10, 0)],
)
def test_surge_rounds_up_like_kubernetes(raw: object, replicas: int, expected: int) -> None:
    d = {"kind": "Deployment", "spec": {"strategy": {"rollingUpdate": {"maxSurge": raw}}}}
    assert surge_pods(d, replicas) == expected


def _model_cm(objects):
    return next(
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "capacity-model"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda objs: objs[0]["metadata"]["annotations"].pop("capacity.tacos.io/target-rps"),
            "target-rps is missing",
        ),
        (
            lambda objs: objs[0]["metadata"]["annotations"].update(
                {"capacity.tacos.io/target-rps": "lots"}
            ),
            "not a number",
        ),
        (
            lambda objs: objs[0]["metadata"]["annotations"].update(
                {"capacity.tacos.io/target-rps": "-5"}
            ),
            "finite number >= 0",
        ),
        (
            lambda objs: objs[0]["metadata"]["annotations"].update(
                {"capacity.tacos.io/db-reserved-connections": "5000"}
            ),
            "reserved connections",
        ),
        (
            lambda objs: _model_cm(objs)["data"].update(
                {"model.yaml": "request_classes:\n  - {name: a, share: 0.5, path: [x]}\n"}
            ),
            "add up to 0.5",
        ),
        (lambda objs: _model_cm(objs)["data"].update({"model.yaml": "[unclosed"}), "not YAML"),
        (
            lambda objs: _model_cm(objs)["data"].update({"model.yaml": "request_classes: []\n"}),
            "no request_classes",
        ),
    ],
)
def test_malformed_model_is_an_error_not_a_pass(rendered, mutate, message: str) -> None:
    objects = rendered(PROD)
    objects.sort(key=lambda o: o["kind"] != "Namespace")
    mutate(objects)
    with pytest.raises(ModelError, match=message):
        load_model(objects)


def test_missing_resources_make_the_quota_uncomputable(rendered) -> None:
    objects = rendered(PROD)
    gw = next(
        o for o in objects if o["metadata"]["name"] == "gateway-api" and o["kind"] == "Rollout"
    )
    del gw["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"]
    with pytest.raises(ModelError, match=r"container gateway-api has no requests\.memory"):
        fleet_need(objects)
