"""The rightsizing job on demo data, stored and served, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.context import AppContext
from app.ingest import run_collector
from app.recommendations.models import RecommendationRow, RecommendationRun
from app.recommendations.service import run_recommendations
from app.settings import load_settings
from app.web.app import create_app
from collectors.demo import DemoCollector


def load_demo(sessions: sessionmaker[Session], days: int = 30) -> None:
    collector = DemoCollector(days=days)
    window = collector.full_window()
    for part in window.split(window.duration / 6):
        result = run_collector(sessions, collector, part)
        assert result.ok, result.error


@pytest.fixture
def demo_run(sessions: sessionmaker[Session]) -> int:
    load_demo(sessions, days=16)
    return run_recommendations(sessions)


def by_workload(sessions: sessionmaker[Session], run_id: int) -> dict[str, RecommendationRow]:
    with sessions() as s:
        rows = s.scalars(select(RecommendationRow).where(RecommendationRow.run_id == run_id)).all()
    return {f"{r.namespace}/{r.workload}/{r.container}": r for r in rows}


def test_over_provisioned_service_is_shrunk_with_a_saving(
    sessions: sessionmaker[Session], demo_run: int
) -> None:
    rows = by_workload(sessions, demo_run)
    inv = rows["tacos/inventory-api/inventory-api"]
    assert inv.status == "recommended"
    assert inv.cpu_request is not None and inv.current_cpu_request is not None
    assert inv.cpu_request < inv.current_cpu_request
    assert inv.monthly_saving is not None and inv.monthly_saving > Decimal(5)
    # Gradual decreases: never below half of the current request in one step.
    assert inv.cpu_request >= inv.current_cpu_request / 2
    assert {e["name"] for e in inv.evidence} >= {"history_days", "data_points"}


def test_oom_killed_service_gets_more_memory(
    sessions: sessionmaker[Session], demo_run: int
) -> None:
    pay = by_workload(sessions, demo_run)["tacos/payment-sim-api/payment-sim-api"]
    assert pay.status == "recommended"
    assert pay.memory_limit is not None and pay.current_memory_limit is not None
    assert pay.memory_limit > pay.current_memory_limit
    assert pay.monthly_saving is not None and pay.monthly_saving < 0  # it asks for more


def test_requests_never_exceed_limits(sessions: sessionmaker[Session], demo_run: int) -> None:
    for key, r in by_workload(sessions, demo_run).items():
        if r.status != "recommended":
            assert r.reason, key
            continue
        if r.cpu_limit is not None and r.cpu_request is not None:
            assert r.cpu_request <= r.cpu_limit, key
        if r.memory_limit is not None and r.memory_request is not None:
            assert r.memory_request <= r.memory_limit, key


def test_api_serves_the_latest_run_sorted_by_saving(
    engine: Engine, sessions: sessionmaker[Session], demo_run: int
) -> None:
    settings = load_settings(
        database_url=engine.url.render_as_string(hide_password=False), demo=True
    )
    client = TestClient(create_app(AppContext(settings=settings, engine=engine, sessions=sessions)))
    body = client.get("/api/v1/recommendations").json()
    assert body["run"]["id"] == demo_run
    savings = [i["monthly_saving"] for i in body["items"] if i["monthly_saving"] is not None]
    assert savings == sorted(savings, reverse=True)
    assert body["total_monthly_saving"] == pytest.approx(
        sum(i["monthly_saving"] for i in body["items"] if i["status"] == "recommended")
    )
    only = client.get("/api/v1/recommendations", params={"namespace": "finops"}).json()
    assert {i["namespace"] for i in only["items"]} == {"finops"}
    assert client.get("/api/v1/recommendations", params={"status": "nope"}).status_code == 422


def test_too_little_history_is_a_reason_not_an_error(sessions: sessionmaker[Session]) -> None:
    load_demo(sessions, days=3)
    run_id = run_recommendations(sessions)
    rows = by_workload(sessions, run_id)
    assert rows
    assert {r.reason for r in rows.values()} == {"insufficient-data"}
    with sessions() as s:
        run = s.get(RecommendationRun, run_id)
        assert run is not None
        assert (run.status, run.recommended, run.containers) == ("success", 0, len(rows))


def test_usage_without_a_known_spec_still_gets_a_recommendation(
    sessions: sessionmaker[Session],
) -> None:
    """Prometheus-only clusters without kube-state-metrics requests: recommend from usage."""
    from datetime import timedelta

    from collectors.records import Batch, TimeWindow
    from tests.support.sample_batches import T0, StaticCollector, batch_for

    class UsageOnly(StaticCollector):
        def collect(self, window: TimeWindow) -> Batch:
            b = batch_for(window)
            b.workloads = []
            return b

    window = TimeWindow(T0, T0 + timedelta(days=9))
    for part in window.split(timedelta(days=1)):
        assert run_collector(sessions, UsageOnly(), part).ok
    run_id = run_recommendations(sessions, end=window.end)
    rows = by_workload(sessions, run_id)
    row = rows["tacos/gateway-api/app"]
    assert row.current_cpu_request is None
    assert row.status == "recommended", row.detail
    assert row.cpu_request is not None
    assert row.cpu_request > 0


def weekly_job_run(
    engine: Engine, sessions: sessionmaker[Session], rightsizing: dict[str, object]
) -> RecommendationRun:
    """Run the scheduler's rightsizing job with this ``rightsizing`` config; its run."""
    from datetime import UTC, datetime

    from app.scheduling.jobs import _rightsizing_job

    url = engine.url.render_as_string(hide_password=False)
    ctx = AppContext.create(load_settings(database_url=url, rightsizing=rightsizing))
    try:
        _rightsizing_job(ctx, datetime.now(UTC))
    finally:
        ctx.close()
    with sessions() as s:
        run = s.scalars(select(RecommendationRun).order_by(RecommendationRun.id.desc())).first()
    assert run is not None and run.status == "success"
    return run


def test_the_weekly_job_runs_the_configured_strategy_and_settings(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=9)

    def run_with(rightsizing: dict[str, object]) -> dict[str, RecommendationRow]:
        run = weekly_job_run(engine, sessions, rightsizing)
        assert run.strategy == rightsizing["strategy"]
        return by_workload(sessions, run.id)

    # no minimum saving and no change threshold: whether a few dollars' change clears
    # them depends on the demo's draw (it is generated up to now), not on the setting
    loose = {"min_monthly_saving": 0, "change_threshold": 0}
    p95 = run_with(
        {"strategy": "krr-simple", "settings": {"cpu_percentile": 95}, "guardrails": loose}
    )
    p50 = run_with(
        {"strategy": "krr-simple", "settings": {"cpu_percentile": 50}, "guardrails": loose}
    )
    # the setting reached the engine: the median asks for less wherever usage decides
    # (an HPA's scale-out point may hold some requests where they are)
    lower = [
        k
        for k in p95
        if p95[k].cpu_request is not None
        and p50[k].cpu_request is not None
        and p50[k].cpu_request < p95[k].cpu_request
    ]
    higher = [
        k
        for k in p95
        if p95[k].cpu_request is not None
        and p50[k].cpu_request is not None
        and p50[k].cpu_request > p95[k].cpu_request
    ]
    assert lower and not higher


@pytest.mark.parametrize(
    ("rightsizing", "message"),
    [
        ({"strategy": "kubecost"}, "unknown strategy 'kubecost'"),
        ({"settings": {"cpu_percentile": 95}}, "rightsizing: tacos: cpu_percentile must be"),
        ({"settings": {"no_such_knob": 1}}, "unknown setting(s) no_such_knob"),
        ({"settings": {"holdout_under_factor": -1}}, "holdout_under_factor"),
        ({"workers": -1}, "rightsizing.workers"),
        ({"guardrails": {"min_history_dayz": 3}}, "unknown setting(s) min_history_dayz"),
        ({"guardrails": {"max_decrease": 2}}, "guardrail max_decrease must be within"),
        ({"guardrails": {"min_monthly_saving": "lots"}}, "min_monthly_saving must be a number"),
    ],
)
def test_a_bad_rightsizing_config_is_refused_when_it_loads(
    rightsizing: dict[str, object], message: str
) -> None:
    from app.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        load_settings(rightsizing=rightsizing)
    assert message in str(exc.value)


def test_configured_guardrails_reach_the_weekly_job(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    load_demo(sessions, days=9)

    def reasons(guardrails: dict[str, object]) -> set[str | None]:
        run = weekly_job_run(engine, sessions, {"guardrails": guardrails})
        return {r.reason for r in by_workload(sessions, run.id).values()}

    assert None in reasons({})  # 9 days of demo: the defaults (7 days) recommend
    assert reasons({"min_history_days": 10}) == {"insufficient-data"}


def successful_run(sessions: sessionmaker[Session]) -> dict[str, RecommendationRow]:
    """Run the job; it must succeed; its rows by workload."""
    run_id = run_recommendations(sessions)
    with sessions() as s:
        run = s.get(RecommendationRun, run_id)
        assert run is not None and run.status == "success", run and run.error
    return by_workload(sessions, run_id)


def test_a_malformed_pin_costs_its_workload_the_recommendation_not_the_run(
    sessions: sessionmaker[Session],
) -> None:
    """One team's typo in a pin annotation (an unreadable quantity) must not stop the
    weekly run for everyone: that workload is stored with the reason, the rest as ever."""
    from app.db.models import Workload

    load_demo(sessions, days=16)
    with sessions.begin() as s:
        inv = s.scalars(
            select(Workload).where(Workload.namespace == "tacos", Workload.name == "inventory-api")
        ).one()
        inv.annotations = {**inv.annotations, "finops.tacos.io/cpu-request-min": "two cores"}
    rows = successful_run(sessions)
    bad = rows["tacos/inventory-api/inventory-api"]
    assert (bad.status, bad.reason) == ("no_recommendation", "invalid-annotation")
    assert bad.cpu_request is None
    assert bad.detail is not None and "finops.tacos.io/cpu-request-min" in bad.detail
    others = [r for k, r in rows.items() if k != "tacos/inventory-api/inventory-api"]
    assert any(r.status == "recommended" for r in others)
    assert all(r.reason != "invalid-annotation" for r in others)


def test_an_autoscaler_the_engine_cannot_read_costs_only_its_workload(
    sessions: sessionmaker[Session],
) -> None:
    """A KEDA object admitted without its webhook (min above max) or any autoscaler spec
    the engine refuses: that workload is stored with the reason, the run goes on, and its
    HPA is not silently ignored (no request is recommended against it)."""
    from app.db.models import Workload

    load_demo(sessions, days=16)
    with sessions.begin() as s:
        worker = s.scalars(
            select(Workload).where(
                Workload.namespace == "tacos", Workload.name == "reservation-worker"
            )
        ).one()
        worker.autoscalers = [
            {"kind": "ScaledObject", "name": "odd", "min_replicas": 5, "max_replicas": 2}
        ]
    rows = successful_run(sessions)
    odd = rows["tacos/reservation-worker/reservation-worker"]
    assert (odd.status, odd.reason) == ("no_recommendation", "invalid-spec")
    assert odd.detail is not None and "autoscaler cannot be read" in odd.detail
    assert odd.detail is not None and "min 5, max 2" in odd.detail
    assert any(r.status == "recommended" for r in rows.values())


def test_an_engine_failure_on_one_container_is_its_row_not_the_run(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug the engine meets on one container (here: made to raise for it) leaves that
    container's row with the error as its reason; the run and every other row go on."""
    from rightsizing.strategies.tacos import TacosStrategy

    real = TacosStrategy.propose

    def failing(self: TacosStrategy, inputs):  # type: ignore[no-untyped-def]
        if "inventory-api" in inputs.key:
            raise ValueError("bad luck")
        return real(self, inputs)

    monkeypatch.setattr(TacosStrategy, "propose", failing)
    load_demo(sessions, days=16)
    rows = successful_run(sessions)
    bad = rows["tacos/inventory-api/inventory-api"]
    assert (bad.status, bad.reason) == ("no_recommendation", "engine-error")
    assert bad.detail is not None and "ValueError: bad luck" in bad.detail
    assert any(r.status == "recommended" for r in rows.values())
