"""``GET /metrics``: Prometheus exposition of the service's own state, read from the database.

Figures are computed at scrape time from the database rather than kept in process
memory, so every replica reports the same values and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import CollectionRun, SourceWatermark
from app.recommendations.service import latest_run
from app.settings import Settings
from app.web.deps import ContextDep

router = APIRouter(tags=["health"])


class DatabaseMetrics(Collector):
    def __init__(self, sessions: sessionmaker[Session], settings: Settings | None = None) -> None:
        self.sessions = sessions
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        runs = GaugeMetricFamily(
            "finops_collection_runs_last_24h",
            "Collection runs in the last 24 hours by source and status.",
            labels=["source", "status"],
        )
        last_ok = GaugeMetricFamily(
            "finops_collection_last_success_timestamp_seconds",
            "End of the last successfully collected window per source (the watermark).",
            labels=["source"],
        )
        saving = GaugeMetricFamily(
            "finops_rightsizing_potential_monthly_saving_dollars",
            "Total monthly saving of the latest rightsizing run's recommendations.",
        )
        with self.sessions() as s:
            stmt = (
                select(CollectionRun.source, CollectionRun.status, func.count())
                .where(CollectionRun.started_at >= now - timedelta(hours=24))
                .group_by(CollectionRun.source, CollectionRun.status)
            )
            for source, status, n in s.execute(stmt):
                runs.add_metric([source, status], float(n))
            for mark in s.scalars(select(SourceWatermark)):
                last_ok.add_metric([mark.source], mark.watermark.timestamp())
            run = latest_run(s)
            if run is not None:
                from app.recommendations.models import RecommendationRow

                total = s.scalar(
                    select(func.coalesce(func.sum(RecommendationRow.monthly_saving), 0)).where(
                        RecommendationRow.run_id == run.id,
                        RecommendationRow.status == "recommended",
                    )
                )
                saving.add_metric([], float(total or 0))
        yield runs
        yield last_ok
        yield saving
        if self.settings is not None and self.settings.budgets:
            yield self._budgets(now)

    def _budgets(self, now: datetime) -> Metric:
        """Spend over budget amount; alert rules fire on ``>= 1`` (manifests' PrometheusRule)."""
        from app.budgets.job import budget_statuses

        ratio = GaugeMetricFamily(
            "finops_budget_spend_ratio",
            "Spend (actual, or forecast for the period) divided by the budget amount.",
            labels=["budget", "scope", "kind"],
        )
        assert self.settings is not None
        with self.sessions() as s:
            for st in budget_statuses(s, self.settings, now.date()):
                ratio.add_metric([st.name, st.scope, "actual"], st.actual_ratio)
                ratio.add_metric([st.name, st.scope, "forecast"], st.forecast_ratio)
        return ratio


@router.get("/metrics", include_in_schema=False)
def metrics(ctx: ContextDep) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseMetrics(ctx.sessions, ctx.settings))
    return Response(
        generate_latest(registry), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
