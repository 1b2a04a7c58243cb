from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from rightsizing import (
    Autoscaler,
    Guardrails,
    InvalidInputError,
    InvalidSettingError,
    NoRecommendation,
    QuotaContext,
    Reason,
    Recommendation,
    ReplicaHistory,
    Resources,
    UnitPrices,
    recommend,
)
from rightsizing.annotations import read_pins
from rightsizing.fleet import recommend_fleet

from .builders import GIB, MIB, inputs, noisy_fleet, times

BIG = Resources(cpu_request=2.0, cpu_limit=None, memory_request=2 * GIB, memory_limit=2 * GIB)


def rec(inp, strategy="krr-simple", g: Guardrails | None = None) -> Recommendation:
    out = recommend(inp, strategy, g)
    assert isinstance(out, Recommendation), out
    return out


def test_opt_out_annotation():
    for value in ("disabled", "false", "OFF"):
        out = recommend(inputs(0.5, annotations={"finops.tacos.io/rightsizing": value}))
        assert isinstance(out, NoRecommendation)
        assert out.reason is Reason.OPTED_OUT
    assert isinstance(
        recommend(inputs(1.0, current=BIG, annotations={"finops.tacos.io/rightsizing": "enabled"})),
        Recommendation,
    )


def test_too_little_history_or_points():
    short = recommend(inputs(0.5, days=6.5, current=BIG))
    assert isinstance(short, NoRecommendation)
    assert short.reason is Reason.INSUFFICIENT_DATA
    assert "6.5 days" in short.detail
    g = Guardrails(min_data_points=5000)
    few = recommend(inputs(0.5, days=7, current=BIG), "tacos", g)
    assert isinstance(few, NoRecommendation)
    assert "2016 data points" in few.detail


def test_zero_replica_time_counts_as_history_but_not_as_usage():
    t = times(7)
    keep = (((t - t[0]) // 3600) % 24) < 12  # runs 12 h a day, scaled to zero otherwise
    from rightsizing import ContainerInputs, UsageHistory

    inp = ContainerInputs(
        "k",
        UsageHistory.from_samples(
            t[keep], np.full(keep.sum(), 0.5), np.full(keep.sum(), 300 * MIB)
        ),
        current=BIG,
        autoscaler=Autoscaler("keda", 0, 4),
        replicas=ReplicaHistory(t, keep.astype(float)),
        start_s=float(t[0]),
        now_s=float(t[-1] + 300),
    )
    r = rec(inp)
    assert r.recommended.cpu_request == pytest.approx(1.0)  # 50% decrease cap from 2.0
    assert r.evidence_value("zero_replica_share") == pytest.approx(0.5)
    assert r.evidence_value("mean_replicas") == pytest.approx(0.5)


def test_gradual_decrease_and_floors():
    r = rec(inputs(0.1, current=BIG))
    assert r.recommended.cpu_request == pytest.approx(1.0)  # at most 50% down from 2.0
    assert any("decrease limited" in n for n in r.notes)
    tiny = rec(
        inputs(0.0001, 1 * MIB, current=Resources(0.02, None, 40 * MIB, 40 * MIB)),
        g=Guardrails(min_monthly_saving=Decimal(0)),
    )
    assert tiny.recommended.cpu_request == pytest.approx(0.01)
    assert tiny.recommended.memory_request == pytest.approx(20 * MIB)


def test_change_threshold_keeps_small_changes_and_reports_below_threshold():
    cur = Resources(0.5, None, 512 * MIB * 1.15, 512 * MIB * 1.15)
    out = recommend(inputs(0.48, current=cur), "krr-simple")
    assert isinstance(out, NoRecommendation)
    assert out.reason is Reason.BELOW_THRESHOLD
    # CPU moves 60%, memory 4%: memory keeps its current values, CPU changes
    cur2 = Resources(2.0, None, 512 * MIB * 1.2, 512 * MIB * 1.2)
    r = rec(inputs(1.2, current=cur2))
    assert r.recommended.cpu_request == pytest.approx(1.2)
    assert r.recommended.memory_request == cur2.memory_request
    assert any("memory unchanged" in n for n in r.notes)


def test_memory_increase_that_prevents_an_oom_is_never_held_back():
    from rightsizing import OomEvent

    from .builders import DAY, T0

    cur = Resources(0.5, None, 560 * MIB, 560 * MIB)
    oom = OomEvent(T0 + 6 * DAY, 500 * MIB)
    # after the OOM tacos wants max(500 x 1.2, 500 + 100) = 600 MiB: only +7%, below the
    # 10% threshold, yet it goes through because the container was killed
    r = rec(inputs(0.5, 300 * MIB, current=cur, oom_events=(oom,)), "tacos")
    assert r.recommended.memory_limit == pytest.approx(600 * MIB)
    # no OOM, but the 500 MiB peak is within 5% of the 524 MiB limit: the +9.7% increase
    # to 575 MiB goes through; with 530 MiB (6% headroom) the +8.5% waits for the threshold
    close = rec(inputs(0.5, 500 * MIB, current=Resources(0.5, None, 524 * MIB, 524 * MIB)))
    assert close.recommended.memory_limit == pytest.approx(500 * MIB * 1.15)
    comfy = recommend(inputs(0.5, 500 * MIB, current=Resources(0.5, None, 530 * MIB, 530 * MIB)))
    assert isinstance(comfy, NoRecommendation)
    assert comfy.reason is Reason.BELOW_THRESHOLD
    without = recommend(
        inputs(0.5, 300 * MIB, current=Resources(0.5, None, 590 * MIB, 590 * MIB)), "tacos"
    )
    assert isinstance(without, NoRecommendation)  # 345 MiB wanted, but a -41% memory cut saves < $5


def test_minimum_saving_applies_to_decreases_only():
    cur = Resources(0.05, None, 100 * MIB, 100 * MIB)
    small = recommend(inputs(0.02, 50 * MIB, current=cur), "krr-simple")
    assert isinstance(small, NoRecommendation)
    assert "below the $5 minimum" in small.detail
    up = rec(inputs(0.08, 50 * MIB, current=cur))  # an increase of $0.7/month still goes through
    assert up.monthly_saving < 0


def test_saving_known_answer():
    cur = Resources(2.0, None, 4 * GIB, 4 * GIB)
    inp = inputs(
        1.0 / 1.0,
        2 * GIB / 1.15,
        current=cur,
        replicas=ReplicaHistory(times(7), np.full(times(7).size, 3.0)),
        prices=UnitPrices(Decimal("0.04"), Decimal("0.005")),
    )
    r = rec(inp)
    assert r.recommended.cpu_request == pytest.approx(1.0)
    assert r.recommended.memory_request == pytest.approx(2 * GIB)
    # (1 core x 0.04 + 2 GiB x 0.005) x 3 replicas x 730 h = 109.50
    assert r.monthly_saving == Decimal("109.50")


def test_pins_bound_the_recommendation_and_bad_pins_stop_only_their_workload():
    ann = {
        "finops.tacos.io/cpu-request-min": "750m",
        "finops.tacos.io/memory-request-max": "512Mi",
        "finops.tacos.io/cpu-limit": "2",
    }
    r = rec(
        inputs(0.3, 600 * MIB, current=Resources(1.0, None, 2 * GIB, 2 * GIB), annotations=ann),
        g=Guardrails(max_decrease=1.0),
    )
    assert r.recommended.cpu_request == pytest.approx(0.75)
    assert r.recommended.cpu_limit == pytest.approx(2.0)
    assert r.recommended.memory_request == pytest.approx(512 * MIB)
    assert r.recommended.memory_limit >= r.recommended.memory_request
    bad = recommend(inputs(0.3, annotations={"finops.tacos.io/cpu-request-min": "lots"}))
    assert isinstance(bad, NoRecommendation) and bad.reason is Reason.INVALID_ANNOTATION
    assert bad.detail.startswith(
        "finops.tacos.io/cpu-request-min: not a Kubernetes quantity: 'lots'; nothing is "
        "recommended for this workload until the annotation is fixed"
    )
    crossed = recommend(
        inputs(
            0.3,
            annotations={
                "finops.tacos.io/cpu-request-min": "2",
                "finops.tacos.io/cpu-request-max": "1",
            },
        )
    )
    assert isinstance(crossed, NoRecommendation) and "is above" in crossed.detail
    with pytest.raises(InvalidInputError, match=r"finops\.tacos\.io/memory-limit: not a"):
        read_pins({"finops.tacos.io/memory-limit": "2 gigs"})  # the parser itself refuses


def test_one_bad_annotation_does_not_stop_the_fleet():
    """A typo in one team's pin costs that workload its recommendation, with the reason;
    the others are recommended as if it were not in the fleet (it is not calibrated on)."""
    fleet = noisy_fleet([0.1, 0.5, 1.0, 4.0], cv=0.3)
    typo = replace(fleet[1], annotations={"finops.tacos.io/cpu-request-max": "1 core"})
    out = recommend_fleet([fleet[0], typo, *fleet[2:]], "tacos")
    assert isinstance(out[1], NoRecommendation)
    assert out[1].reason is Reason.INVALID_ANNOTATION
    assert "finops.tacos.io/cpu-request-max" in out[1].detail
    without = recommend_fleet([fleet[0], *fleet[2:]], "tacos")
    assert [out[0], *out[2:]] == without
    assert all(isinstance(o, Recommendation) for o in without)


def test_pinned_limit_below_request_lowers_the_request():
    ann = {"finops.tacos.io/memory-limit": "400Mi"}
    r = rec(inputs(0.5, 600 * MIB, current=BIG, annotations=ann))
    assert r.recommended.memory_limit == pytest.approx(400 * MIB)
    assert r.recommended.memory_request == pytest.approx(400 * MIB)


def test_hpa_target_moves_to_keep_the_scale_out_point():
    hpa = Autoscaler("hpa", 2, 10, cpu_target_percent=70)
    cur = Resources(1.0, None, 2 * GIB, 2 * GIB)
    r = rec(inputs(0.8, current=cur, autoscaler=hpa), "tacos")
    (adj,) = r.hpa
    assert adj.kept
    assert adj.scale_out_point == pytest.approx(0.7)
    assert adj.new_target_percent == pytest.approx(round(70 / 0.8, 1))  # 87.5%


def test_hpa_upper_bound_raises_the_request_lower_bound_is_reported():
    hpa = Autoscaler("hpa", 2, 10, cpu_target_percent=70)
    cur = Resources(1.0, None, 2 * GIB, 2 * GIB)
    r = rec(inputs(0.6, current=cur, autoscaler=hpa), "tacos")
    (adj,) = r.hpa
    assert adj.new_target_percent == 95.0
    assert r.recommended.cpu_request == pytest.approx(0.7 / 0.95)
    assert adj.kept
    low = Autoscaler("hpa", 2, 10, cpu_target_percent=25)
    r2 = rec(inputs(2.0, current=Resources(1.0, None, 2 * GIB, 2 * GIB), autoscaler=low), "tacos")
    (adj2,) = r2.hpa
    assert not adj2.kept
    assert adj2.new_target_percent == 20.0
    assert "cannot keep the cpu scale-out point" in adj2.note


def test_quota_caps_the_increase_and_says_so():
    quota = QuotaContext(hard={"requests.cpu": 10.0}, others_at_max={"requests.cpu": 6.0})
    hpa = Autoscaler("hpa", 1, 4, memory_target_percent=None)
    r = rec(
        inputs(2.0, current=Resources(0.5, None, 2 * GIB, 2 * GIB), quota=quota, autoscaler=hpa),
        "tacos",
    )
    assert r.recommended.cpu_request == pytest.approx(1.0)  # (10 - 6) / 4 max replicas
    assert any("ResourceQuota" in n for n in r.notes)
    over = QuotaContext(hard={"requests.cpu": 1.0}, others_at_max={"requests.cpu": 6.0})
    r2 = recommend(
        inputs(2.0, current=Resources(0.5, None, 2 * GIB, 2 * GIB), quota=over, autoscaler=hpa),
        "tacos",
    )
    # already over quota: no increase (and the small memory cut alone is not worth a PR)
    assert isinstance(r2, NoRecommendation)
    assert "requests.cpu capped at 0.5 per pod by the namespace ResourceQuota" in r2.detail


def test_quota_on_cpu_limits_keeps_a_cpu_limit():
    quota = QuotaContext(hard={"limits.cpu": 100.0})
    r = rec(inputs(1.0, current=Resources(2.0, None, 2 * GIB, 2 * GIB), quota=quota), "tacos")
    assert r.recommended.cpu_limit is not None
    assert r.recommended.cpu_limit >= r.recommended.cpu_request


def test_requests_never_exceed_limits():
    cur = Resources(4.0, 0.5, 4 * GIB, 4 * GIB)
    r = rec(inputs(1.0, current=cur), "vpa")
    res = r.recommended
    assert res.cpu_limit is None or res.cpu_request <= res.cpu_limit
    assert res.memory_request <= res.memory_limit


def test_confidence_and_evidence():
    rng = np.random.default_rng(3)
    n = times(14).size
    steady = rec(
        inputs(0.5 * np.clip(rng.normal(1, 0.05, n), 0, None), days=14, current=BIG), "tacos"
    )
    short = rec(
        inputs(0.5 * np.clip(rng.normal(1, 0.05, times(7).size), 0, None), days=7, current=BIG),
        "tacos",
    )
    assert steady.confidence > short.confidence
    assert steady.confidence_label == "high"
    assert steady.evidence_value("history_days") == pytest.approx(14.0)
    assert steady.evidence_value("data_points") == n
    assert steady.evidence_value("cpu_cost_optimal") > 0
    with pytest.raises(KeyError):
        steady.evidence_value("nonexistent")


def test_guardrail_validation():
    with pytest.raises(InvalidSettingError, match="max_decrease"):
        Guardrails(max_decrease=1.5)
    with pytest.raises(InvalidSettingError, match="hpa_target_min_percent"):
        Guardrails(hpa_target_min_percent=96, hpa_target_max_percent=95)
    with pytest.raises(InvalidSettingError, match="min_monthly_saving"):
        Guardrails(min_monthly_saving=Decimal(-1))


def test_daily_p95_per_day_known_answer():
    from rightsizing.confidence import daily_cpu_p95

    n = times(3).size  # 864 samples, 288 a day
    day = np.arange(n) // 288
    cpu = (np.arange(n) % 288 % 100 + 1) / 100 * (day + 1)  # per day: 1..100 (x2.88) scaled
    out = daily_cpu_p95(inputs(cpu, days=3))
    expected = [float(np.quantile(cpu[day == k], 0.95, method="inverted_cdf")) for k in range(3)]
    assert out.tolist() == pytest.approx(expected)


def test_daily_p95_fast_and_general_paths_agree():
    from rightsizing import ContainerInputs, UsageHistory
    from rightsizing.confidence import daily_cpu_p95

    rng = np.random.default_rng(5)
    t = times(4)
    cpu = rng.gamma(2.0, 0.1, t.size)
    regular = daily_cpu_p95(inputs(cpu, days=4))
    # drop one sample: no longer a whole-day grid, so the general path runs
    gappy = ContainerInputs("k", UsageHistory.from_samples(t[1:], cpu[1:], np.ones(t.size - 1)))
    general = daily_cpu_p95(gappy)
    assert regular.size == general.size == 4
    assert regular[1:].tolist() == pytest.approx(general[1:].tolist())


def test_hpa_target_follows_the_final_request():
    hpa = Autoscaler("hpa", 2, 4, cpu_target_percent=70)
    cur = Resources(1.0, None, 2 * GIB, 2 * GIB)
    # CPU wants 1.05 (within 10%): unchanged, so the HPA target must stay as it is, while
    # memory (16 GiB -> 8 GiB, the 50% step) still changes
    big_mem = Resources(1.0, None, 16 * GIB, 16 * GIB)
    r = rec(inputs(1.05, 500 * MIB, current=big_mem, autoscaler=hpa), "tacos")
    assert r.recommended.cpu_request == 1.0
    assert r.hpa == ()
    # the quota caps the increase at (7 - 2) / 4 = 1.25 cores per pod
    quota = QuotaContext(hard={"requests.cpu": 7.0}, others_at_max={"requests.cpu": 2.0})
    r2 = rec(inputs(2.0, 500 * MIB, current=cur, autoscaler=hpa, quota=quota), "tacos")
    assert r2.recommended.cpu_request == pytest.approx(1.25)
    (adj,) = r2.hpa
    assert adj.kept
    assert adj.new_target_percent == pytest.approx(56.0)  # 0.7 cores / 1.25


def test_hpa_point_that_a_pinned_limit_makes_unreachable_is_reported():
    hpa = Autoscaler("hpa", 2, 4, cpu_target_percent=70)
    cur = Resources(1.0, None, 2 * GIB, 2 * GIB)
    ann = {"finops.tacos.io/cpu-limit": "600m"}
    # 0.3 cores used; the HPA would need 0.74 cores to keep its 0.7-core point at 95%,
    # but the pinned 600m limit caps the request at 0.6
    r = rec(inputs(0.3, 500 * MIB, current=cur, autoscaler=hpa, annotations=ann), "tacos")
    assert r.recommended.cpu_request == pytest.approx(0.6)
    (adj,) = r.hpa
    assert not adj.kept
    assert adj.new_target_percent == 95.0
    assert adj.scale_out_point == pytest.approx(0.57)
    assert "would need a target above 95%" in adj.note


def _hpa_inputs(cpu: float, replicas: list[float], min_replicas: int = 6):
    hpa = Autoscaler("hpa", min_replicas, 12, cpu_target_percent=80)
    t = times(7)
    history = ReplicaHistory(t[:: len(t) // len(replicas)][: len(replicas)], np.array(replicas))
    return inputs(
        cpu, current=Resources(2.0, None, 2 * GIB, 2 * GIB), autoscaler=hpa, replicas=history
    )


def test_an_hpa_idling_at_its_minimum_is_named_as_the_cost():
    """Six pods at 0.1 cores against a 1.6-core scale-out point: the request is pinned
    by the point, and the note tells the team that minReplicas is the lever."""
    r = rec(_hpa_inputs(0.1, [6, 6, 6, 6]), "tacos")
    (note,) = [n for n in r.notes if "minReplicas" in n]
    assert note.startswith("the HPA stayed at minReplicas (6) all window")
    assert "peaking at 6% of its scale-out point 1.6" in note


def test_no_idle_hpa_note_when_it_scaled_out_or_runs_near_its_point():
    scaled = recommend(_hpa_inputs(0.1, [6, 6, 9, 6]), "tacos")
    busy = recommend(_hpa_inputs(0.9, [6, 6, 6, 6]), "tacos")
    for out in (scaled, busy):
        text = " ".join(out.notes) if isinstance(out, Recommendation) else out.detail
        assert "minReplicas" not in text
    no_history = recommend(
        inputs(
            0.1,
            current=Resources(2.0, None, 2 * GIB, 2 * GIB),
            autoscaler=Autoscaler("hpa", 6, 12, cpu_target_percent=80),
        ),
        "tacos",
    )
    text = (
        " ".join(no_history.notes) if isinstance(no_history, Recommendation) else no_history.detail
    )
    assert "minReplicas" not in text


def test_a_spec_the_engine_cannot_use_costs_only_its_workload():
    """``spec_error`` (set by the loader for an autoscaler it cannot read): that workload
    gets a reasoned no-recommendation and is left out of the calibration."""
    fleet = noisy_fleet([0.1, 0.5, 1.0, 4.0], cv=0.3)
    odd = replace(fleet[2], spec_error="its autoscaler cannot be read (min 5 above max 2)")
    out = recommend_fleet([*fleet[:2], odd, fleet[3]], "tacos")
    assert isinstance(out[2], NoRecommendation) and out[2].reason is Reason.INVALID_SPEC
    assert out[2].detail.startswith("its autoscaler cannot be read (min 5 above max 2); ")
    assert [*out[:2], out[3]] == recommend_fleet([*fleet[:2], fleet[3]], "tacos")
