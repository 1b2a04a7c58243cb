"""Build the configured collectors from settings (the composition root for sources).

Each cluster gets its own collector instances, named ``<kind>:<cluster>`` so that
every cluster has its own watermark and collection runs; Cost Explorer is one
source for the whole bill. Secrets are handed over as references (file or
environment variable), never as values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import CostLineRow
from app.secrets import SecretRef
from app.settings import ClusterSetting, PrometheusSetting, Settings
from collectors.records import Batch, Collector, TimeWindow


class NamedCollector:
    """Give a collector a per-cluster source name, keeping its behaviour."""

    def __init__(self, inner: Collector, source: str) -> None:
        self.inner = inner
        self.source = source
        self.kind = source.split(":", 1)[0]

    @property
    def max_window(self) -> timedelta:
        return getattr(self.inner, "max_window", timedelta(days=1))

    def collect(self, window: TimeWindow) -> Batch:
        return self.inner.collect(window)


def _ref(ref: SecretRef | None) -> tuple[object, object]:
    if ref is None:
        return None, None
    return ref.file, ref.env


def prometheus_connection(p: PrometheusSetting) -> object:
    from collectors.prometheus import PrometheusConnection

    token_file, token_env = _ref(p.bearer_token)
    pw_file, pw_env = _ref(p.basic_auth_password)
    return PrometheusConnection(
        url=p.url,
        bearer_token_file=token_file,  # type: ignore[arg-type]
        bearer_token_env=token_env,  # type: ignore[arg-type]
        basic_auth_user=p.basic_auth_user,
        basic_auth_password_file=pw_file,  # type: ignore[arg-type]
        basic_auth_password_env=pw_env,  # type: ignore[arg-type]
        ca_file=p.ca_file,
        sigv4_region=p.sigv4_region,
        cluster_label=p.cluster_label,
        timeout=p.timeout_seconds,
        compress_responses=p.compress_responses,
    )


def estimated_days(sessions: sessionmaker[Session]) -> Callable[[], Iterable[date]]:
    """Days Cost Explorer still marks estimated: the collector re-fetches them."""

    def days() -> list[date]:
        with sessions() as s:
            rows = s.scalars(
                select(CostLineRow.day).where(CostLineRow.estimated.is_(True)).distinct()
            )
            return sorted(rows)

    return days


def _cluster_collectors(settings: Settings, c: ClusterSetting) -> list[Collector]:
    from collectors.aws import NodePricer, PricingSource
    from collectors.kubernetes import KubernetesCollector, KubernetesSource
    from collectors.prometheus import (
        PrometheusCollector,
        PrometheusInventoryCollector,
        PrometheusInventorySource,
        PrometheusUsageSource,
    )

    out: list[Collector] = []
    namespaces = tuple(c.namespaces)
    tags = tuple(settings.cost_tag_list())
    if c.prometheus is not None:
        conn = prometheus_connection(c.prometheus)
        usage = PrometheusCollector(
            PrometheusUsageSource(
                conn,  # type: ignore[arg-type]
                cluster=c.name,
                namespaces=namespaces,
                concurrency=c.prometheus.query_concurrency,
            )
        )
        out.append(NamedCollector(usage, f"prometheus:{c.name}"))
        if c.kubernetes.mode == "prometheus":
            inventory = PrometheusInventoryCollector(
                PrometheusInventorySource(
                    conn,  # type: ignore[arg-type]
                    cluster=c.name,
                    namespaces=namespaces,
                    cost_tags=tags,
                )
            )
            out.append(NamedCollector(inventory, f"kubernetes:{c.name}"))
    if c.kubernetes.mode == "api":
        overrides = {
            k: Decimal(str(v)) for k, v in settings.pricing.instance_price_overrides.items()
        }
        pricer = NodePricer(PricingSource(region=settings.aws.region, overrides=overrides))
        specs = KubernetesCollector(
            KubernetesSource(
                cluster=c.name,
                kubeconfig=c.kubernetes.kubeconfig,
                context=c.kubernetes.context,
                in_cluster=c.kubernetes.in_cluster,
                namespaces=namespaces,
                cost_tags=tags,
            ),
            pricer=pricer,
        )
        out.append(NamedCollector(specs, f"kubernetes:{c.name}"))
    return out


def build_collectors(
    settings: Settings, sessions: sessionmaker[Session] | None = None
) -> list[Collector]:
    """Every collector the configuration asks for."""
    if settings.demo:
        from collectors.demo import DemoCollector

        return [DemoCollector()]
    out: list[Collector] = []
    for cluster in settings.clusters:
        out.extend(_cluster_collectors(settings, cluster))
    if settings.aws.enabled and settings.clusters:
        from collectors.aws import CostExplorerCollector, CostExplorerSource

        tag_keys = (*(t.aws_tag for t in settings.cost_tag_list()), settings.aws.cluster_tag_key)
        costs = CostExplorerCollector(
            CostExplorerSource(
                region=settings.aws.region,
                accounts=tuple(settings.aws.accounts),
                tag_keys=tuple(dict.fromkeys(tag_keys)),
                endpoint_url=settings.aws.endpoint_url,
                restate_days=settings.aws.refetch_days,
            ),
            estimated_days=estimated_days(sessions) if sessions is not None else None,
        )
        out.append(NamedCollector(costs, "aws_costs"))
    return out
