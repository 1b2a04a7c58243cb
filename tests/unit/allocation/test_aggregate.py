from __future__ import annotations

from decimal import Decimal

import pytest

from app.allocation.aggregate import (
    Group,
    Line,
    Options,
    WorkloadMeta,
    attach_external,
    group_lines,
    share_in_cluster,
    validate_aggregate,
)
from app.allocation.errors import ParameterError

D = Decimal


def lines() -> list[Line]:
    return [
        Line("c", "workload", "a", "Deployment", "a1", cpu_cost=D(30)),
        Line("c", "workload", "b", "Deployment", "b1", cpu_cost=D(10)),
        Line("c", "workload", "kube-system", "Deployment", "dns", cpu_cost=D(4)),
        Line("c", "idle", workload="__idle__", cpu_cost=D(8)),
        Line("c", "overhead", workload="__shared__", other_cost=D(2)),
    ]


def opts(idle: str, shared: str, aggregate: str = "namespace") -> Options:
    return Options(aggregate, idle, shared, {"c": frozenset({"kube-system"})})


def totals(ls: list[Line]) -> dict[str, Decimal]:
    return {g.name: g.total for g in group_lines(ls, "namespace", lambda _l: None, {})}


def test_weighted_and_even_shared_spreading() -> None:
    weighted = totals(share_in_cluster(lines(), opts("separate", "weighted")))
    assert weighted == {"a": D("34.5"), "b": D("11.5"), "__idle__": D(8)}  # 6 by 3:1
    even = totals(share_in_cluster(lines(), opts("separate", "even")))
    assert even == {"a": D(33), "b": D(13), "__idle__": D(8)}


def test_idle_shared_by_cost_before_the_shared_namespaces() -> None:
    out = totals(share_in_cluster(lines(), opts("share", "weighted")))
    # idle 8 over a:b:dns = 30:10:4; dns (4 + 8·4/44) and the EKS fee then go to a and b 3:1
    assert sum(out.values()) == D(54)
    assert "__idle__" not in out and out["a"] == D("40.5")


def test_no_sharing_keeps_everything_visible() -> None:
    out = totals(share_in_cluster(lines(), opts("separate", "none")))
    assert out == {
        "a": D(30),
        "b": D(10),
        "kube-system": D(4),
        "__idle__": D(8),
        "__shared__": D(2),
    }


def test_shared_cost_with_nobody_to_carry_it_stays() -> None:
    only_shared = [ln for ln in lines() if ln.namespace in {"kube-system", ""}]
    out = totals(share_in_cluster(only_shared, opts("separate", "weighted")))
    assert out == {"kube-system": D(4), "__idle__": D(8), "__shared__": D(2)}


def test_external_costs_join_their_service_or_stay_visible() -> None:
    ls = lines()[:2]
    left = attach_external(
        ls,
        {"svc-a": D(5), "gone": D(7), "": D(3)},
        lambda ln: "svc-a" if ln.namespace == "a" else None,
    )
    assert ls[0].external_cost == D(5)
    assert left == {"__external__": D(7), "__unallocated__": D(3)}


def test_labels_and_tags_group_with_unallocated_for_missing_values() -> None:
    meta = {"a1": WorkloadMeta({"tier": "api"}, {"team": "x"}), "b1": WorkloadMeta({}, {})}
    groups = group_lines(lines()[:2], "label:tier", lambda ln: meta[ln.workload], {})
    assert {g.name for g in groups} == {"api", "__unallocated__"}
    groups = group_lines(lines()[:2], "team", lambda ln: meta[ln.workload], {"x": D(1)})
    assert {g.name: g.total for g in groups} == {"x": D(31), "__unallocated__": D(10)}


def test_cost_weighted_efficiency() -> None:
    g = Group("g", cpu_request_core_hours=10, cpu_usage_core_hours=5, ram_request_gib_hours=4)
    g.ram_usage_gib_hours, g.cpu_cost, g.ram_cost = 8, D(3), D(1)
    assert g.efficiency() == (0.5, 2.0, pytest.approx(0.875))
    assert Group("empty").efficiency() == (None, None, None)


@pytest.mark.parametrize("bad", ["pod", "label:", "", "annotation:x"])
def test_unknown_aggregates_name_the_parameter(bad: str) -> None:
    with pytest.raises(ParameterError) as info:
        validate_aggregate(bad, ["service", "team"])
    assert info.value.parameter == "aggregate"
    assert validate_aggregate("label:app", ["service"]) == "label:app"
