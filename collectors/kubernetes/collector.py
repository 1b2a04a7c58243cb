"""The Kubernetes spec collector: workloads, autoscalers, quotas and nodes.

A snapshot of the cluster as it is now (``observed_at``); the lead's ingest turns
successive snapshots into spec history (valid from / valid to). The window only
stamps the run: the API has no past.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from collectors.kubernetes import mapping
from collectors.kubernetes.api import (
    CRONJOBS,
    DAEMONSETS,
    DEPLOYMENTS,
    HPAS,
    JOBS,
    NAMESPACES,
    NODES,
    QUOTAS,
    ROLLOUTS,
    SCALEDOBJECTS,
    STATEFULSETS,
    KubernetesApi,
    NotInstalled,
    Resource,
)
from collectors.kubernetes.errors import KubernetesError
from collectors.kubernetes.source import KubernetesSource
from collectors.records import AutoscalerSpec, Batch, NamespaceRecord, NodeRecord, TimeWindow

log = logging.getLogger(__name__)

NodePricer = Callable[[NodeRecord], Decimal | None]
"""Fills a node's hourly price (see ``collectors.aws.pricing.NodePricer``)."""

WORKLOAD_KINDS: tuple[tuple[str, Resource], ...] = (
    ("Deployment", DEPLOYMENTS),
    ("StatefulSet", STATEFULSETS),
    ("DaemonSet", DAEMONSETS),
    ("CronJob", CRONJOBS),
    ("Job", JOBS),
    ("Rollout", ROLLOUTS),
)


class KubernetesCollector:
    """Implements the ``Collector`` protocol for Kubernetes specs."""

    source = "kubernetes"
    max_window = timedelta(days=3650)  # a snapshot: any window is one request set

    def __init__(
        self,
        config: KubernetesSource,
        pricer: NodePricer | None = None,
        api: KubernetesApi | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.config = config
        self.pricer = pricer
        self._api = api
        self._clock = clock

    @property
    def api(self) -> KubernetesApi:
        if self._api is None:
            self._api = KubernetesApi(self.config)
        return self._api

    def collect(self, window: TimeWindow) -> Batch:
        observed_at = self._clock()
        api = self.api
        before = api.requests_made
        batch = Batch()
        try:
            for ns in self._namespaces():
                self._collect_namespace(ns, observed_at, batch)
            if self.config.include_nodes:
                for item in api.list(NODES):
                    record = mapping.node(self.config.cluster, item, observed_at)
                    if self.pricer is not None:
                        record = _priced(record, self.pricer(record))
                    batch.nodes.append(record)
        except KubernetesError:
            log.error("kubernetes collection failed for cluster %s", self.config.cluster)
            raise
        finally:
            batch.requests_made = api.requests_made - before
        log.info(
            "kubernetes: %d workloads, %d quotas, %d nodes in %d requests",
            len(batch.workloads),
            len(batch.quotas),
            len(batch.nodes),
            batch.requests_made,
        )
        return batch

    def _namespaces(self) -> list[dict[str, Any]]:
        if self.config.namespaces:
            return [self.api.read_namespace(ns) for ns in self.config.namespaces]
        return self.api.list(NAMESPACES)

    def _list_optional(self, resource: Resource, ns: str) -> list[dict[str, Any]]:
        try:
            return self.api.list(resource, ns)
        except NotInstalled:
            if resource.plural in self.config.optional_kinds:
                log.debug("%s not installed; skipping", resource.qualified)
                return []
            raise

    def _collect_namespace(
        self, ns_obj: dict[str, Any], observed_at: datetime, batch: Batch
    ) -> None:
        cluster = self.config.cluster
        meta = ns_obj.get("metadata") or {}
        ns = str(meta.get("name", ""))
        ns_labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        batch.namespaces.append(NamespaceRecord(cluster, ns, ns_labels))

        scalers: dict[tuple[str, str], list[AutoscalerSpec]] = {}
        for item in self._list_optional(HPAS, ns):
            if mapping.owned_by(item, "ScaledObject"):
                continue  # KEDA's generated HPA: the ScaledObject describes it
            target, spec = mapping.hpa(item)
            scalers.setdefault(target, []).append(spec)
        for item in self._list_optional(SCALEDOBJECTS, ns):
            target, spec = mapping.scaled_object(item)
            scalers.setdefault(target, []).append(spec)

        deployments: dict[str, dict[str, Any]] = {}
        for kind, resource in WORKLOAD_KINDS:
            for listed in self._list_optional(resource, ns):
                if kind == "Job" and mapping.owned_by(listed, "CronJob"):
                    continue  # its CronJob is the workload
                if kind == "Deployment":
                    deployments[str((listed.get("metadata") or {}).get("name", ""))] = listed
                obj: Mapping[str, Any] = listed
                if kind == "Rollout":
                    obj = mapping.resolve_workload_ref(listed, deployments)
                name = str((obj.get("metadata") or {}).get("name", ""))
                batch.workloads.append(
                    mapping.workload(
                        cluster,
                        kind,
                        obj,
                        ns_labels,
                        self.config.cost_tags,
                        observed_at,
                        tuple(scalers.get((kind, name), ())),
                    )
                )
        for item in self._list_optional(QUOTAS, ns):
            batch.quotas.append(mapping.resource_quota(cluster, item))


def _priced(record: NodeRecord, price: Decimal | None) -> NodeRecord:
    return replace(record, hourly_price=price)
