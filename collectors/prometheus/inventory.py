"""Prometheus-only mode: the workload inventory from kube-state-metrics series.

Where the service gets no Kubernetes API access, kube-state-metrics has already
exported what we need: owners (``kube_pod_owner``, ``kube_replicaset_owner``,
``kube_job_owner``), replicas (``kube_deployment_spec_replicas`` and friends,
Argo's ``rollout_info_replicas_desired``), requests and limits per pod container,
HPA bounds and targets, and the allow-listed pod and namespace labels. A handful
of grouped instant queries at the window's end replaces every list call.

Label names come sanitized by kube-state-metrics (``app.kubernetes.io/name`` is
exported as ``label_app_kubernetes_io_name``); we keep the sanitized names in
``WorkloadRecord.labels`` and resolve cost tags by sanitizing the configured names.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from collectors.cost_tags import CostTag, resolve_cost_tags
from collectors.prometheus.client import PrometheusClient
from collectors.prometheus.connection import PrometheusConnection
from collectors.prometheus.errors import PrometheusError
from collectors.prometheus.ownership import OwnerIndex
from collectors.prometheus.queries import selector
from collectors.records import (
    AutoscalerSpec,
    Batch,
    ContainerSpec,
    NamespaceRecord,
    ResourceQuotaRecord,
    TimeWindow,
    WorkloadRecord,
)

log = logging.getLogger(__name__)

REPLICAS = {
    "Deployment": ("kube_deployment_spec_replicas", "deployment"),
    "StatefulSet": ("kube_statefulset_replicas", "statefulset"),
    "DaemonSet": ("kube_daemonset_status_desired_number_scheduled", "daemonset"),
    "Rollout": ("rollout_info_replicas_desired", "name"),
}


def sanitize(label: str) -> str:
    """kube-state-metrics' label name: non-alphanumerics become underscores."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", label)


@dataclass(frozen=True)
class PrometheusInventorySource:
    """What to read in Prometheus-only mode; ``lookback`` bounds how stale a series
    may be and still count as present at the window's end."""

    connection: PrometheusConnection
    cluster: str
    namespaces: tuple[str, ...] = ()
    cost_tags: tuple[CostTag, ...] = ()
    lookback: timedelta = timedelta(hours=1)
    extra_owner_kinds: frozenset[str] = field(default_factory=frozenset)


class PrometheusInventoryCollector:
    """Implements the ``Collector`` protocol: workloads as kube-state-metrics saw them."""

    source = "prometheus-inventory"
    max_window = timedelta(days=3650)

    def __init__(self, config: PrometheusInventorySource, client: PrometheusClient | None = None):
        self.config = config
        self.client = client or PrometheusClient(config.connection)

    def collect(self, window: TimeWindow) -> Batch:
        before = self.client.requests_made
        batch = Batch()
        try:
            for ns in self.config.namespaces or self._all_namespaces(window.end):
                self._collect_namespace(ns, window, batch)
        except PrometheusError:
            log.error("prometheus inventory failed for %s", self.config.cluster)
            raise
        finally:
            batch.requests_made = self.client.requests_made - before
        return batch

    def _sel(self, ns: str | None, extra: str = "") -> str:
        return selector(ns, self.config.connection.cluster_label, self.config.cluster, extra)

    def _last(
        self, metric: str, ns: str | None, at: datetime, by: str, extra: str = ""
    ) -> list[tuple[dict[str, str], float]]:
        lookback = int(self.config.lookback.total_seconds())
        query = f"max by ({by}) (last_over_time({metric}{self._sel(ns, extra)}[{lookback}s]))"
        return self.client.query(query, at)

    def _all_namespaces(self, at: datetime) -> list[str]:
        return sorted(
            {lbl["namespace"] for lbl, _ in self._last("kube_pod_owner", None, at, "namespace")}
        )

    def _collect_namespace(self, ns: str, window: TimeWindow, batch: Batch) -> None:
        at, cluster = window.end, self.config.cluster
        start = max(window.start, at - self.config.lookback)
        owners = OwnerIndex.from_series(
            self.client.series(
                [
                    f"kube_pod_owner{self._sel(ns)}",
                    f"kube_replicaset_owner{self._sel(ns)}",
                    f"kube_job_owner{self._sel(ns)}",
                ],
                start,
                at,
            ),
            self.config.extra_owner_kinds,
        )
        ns_labels = self._labels("kube_namespace_labels", ns, at, "namespace").get(ns, {})
        batch.namespaces.append(NamespaceRecord(cluster, ns, ns_labels))
        quotas: dict[str, dict[str, Decimal]] = defaultdict(dict)
        hard = self._last("kube_resourcequota", ns, at, "resourcequota, resource", 'type="hard"')
        for lbl, value in hard:
            quotas[lbl["resourcequota"]][lbl["resource"]] = Decimal(repr(value))
        for name, limits in sorted(quotas.items()):
            batch.quotas.append(ResourceQuotaRecord(cluster, ns, name, limits))

        # Requests and limits per pod container, lifted to workload containers.
        specs: dict[tuple[str, str], dict[str, dict[str, Decimal]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        for kind_of in ("requests", "limits"):
            rows = self._last(
                f"kube_pod_container_resource_{kind_of}", ns, at, "pod, container, resource"
            )
            for lbl, value in rows:
                wl = owners.workload_of(ns, lbl["pod"])
                specs[wl][lbl["container"]][f"{lbl['resource']}_{kind_of}"] = Decimal(repr(value))
        pod_labels = self._labels("kube_pod_labels", ns, at, "pod")
        template_labels: dict[tuple[str, str], dict[str, str]] = {}
        for pod, labels in sorted(pod_labels.items()):
            template_labels[owners.workload_of(ns, pod)] = labels

        replicas: dict[tuple[str, str], int] = {}
        for kind, (metric, label) in REPLICAS.items():
            for lbl, value in self._last(metric, ns, at, label):
                replicas[(kind, lbl[label])] = int(value)

        scalers = self._hpas(ns, at)
        tags = tuple(CostTag(t.name, sanitize(t.label), t.aws_tag) for t in self.config.cost_tags)
        for key in sorted(set(specs) | set(replicas)):
            kind, name = key
            labels = template_labels.get(key, {})
            containers = tuple(
                ContainerSpec(
                    name=c,
                    cpu_request=v.get("cpu_requests"),
                    cpu_limit=v.get("cpu_limits"),
                    memory_request=v.get("memory_requests"),
                    memory_limit=v.get("memory_limits"),
                )
                for c, v in sorted(specs.get(key, {}).items())
            )
            batch.workloads.append(
                WorkloadRecord(
                    cluster=cluster,
                    namespace=ns,
                    kind=kind,
                    name=name,
                    observed_at=at,
                    replicas=replicas.get(key),
                    labels=labels,
                    cost_tags=resolve_cost_tags(tags, labels, ns_labels),
                    containers=containers,
                    autoscalers=tuple(scalers.get(key, ())),
                )
            )

    def _labels(self, metric: str, ns: str, at: datetime, key: str) -> dict[str, dict[str, str]]:
        lookback = int(self.config.lookback.total_seconds())
        rows = self.client.query(f"last_over_time({metric}{self._sel(ns)}[{lookback}s])", at)
        out: dict[str, dict[str, str]] = {}
        for lbl, _ in rows:
            if key in lbl:
                out.setdefault(lbl[key], {}).update(
                    {k.removeprefix("label_"): v for k, v in lbl.items() if k.startswith("label_")}
                )
        return out

    def _hpas(self, ns: str, at: datetime) -> dict[tuple[str, str], list[AutoscalerSpec]]:
        by = "horizontalpodautoscaler"
        info = self._last(
            "kube_horizontalpodautoscaler_info",
            ns,
            at,
            f"{by}, scaletargetref_kind, scaletargetref_name",
        )
        mins = {
            lbl[by]: int(v)
            for lbl, v in self._last("kube_horizontalpodautoscaler_spec_min_replicas", ns, at, by)
        }
        maxs = {
            lbl[by]: int(v)
            for lbl, v in self._last("kube_horizontalpodautoscaler_spec_max_replicas", ns, at, by)
        }
        metrics: dict[str, list[dict[str, object]]] = defaultdict(list)
        for lbl, v in self._last(
            "kube_horizontalpodautoscaler_spec_target_metric",
            ns,
            at,
            f"{by}, metric_name, metric_target_type",
        ):
            target_type = {
                "utilization": "Utilization",
                "average": "AverageValue",
                "value": "Value",
            }.get(lbl.get("metric_target_type", ""), lbl.get("metric_target_type", ""))
            entry: dict[str, object] = {
                "name": lbl.get("metric_name", ""),
                "target_type": target_type,
            }
            entry["type"] = "Resource" if entry["name"] in {"cpu", "memory"} else "External"
            entry["target"] = int(v) if target_type == "Utilization" else v
            metrics[lbl[by]].append(entry)
        out: dict[tuple[str, str], list[AutoscalerSpec]] = defaultdict(list)
        for lbl, _ in info:
            name = lbl[by]
            if name not in maxs:
                continue
            out[(lbl.get("scaletargetref_kind", ""), lbl.get("scaletargetref_name", ""))].append(
                AutoscalerSpec(
                    kind="HorizontalPodAutoscaler",
                    name=name,
                    min_replicas=mins.get(name, 1),
                    max_replicas=maxs[name],
                    metrics=tuple(sorted(metrics.get(name, []), key=lambda m: str(m["name"]))),
                )
            )
        return out
