"""Prometheus source: hourly container usage, and the workload inventory from kube-state-metrics.

Public API: :class:`PrometheusConnection` (how to reach and authenticate),
:class:`PrometheusUsageSource` / :class:`PrometheusCollector` (hourly usage) and
:class:`PrometheusInventoryCollector` (Prometheus-only mode: workloads without
Kubernetes API access). Errors derive from :class:`PrometheusError`.
"""

from collectors.prometheus.client import PrometheusClient
from collectors.prometheus.collector import PrometheusCollector, PrometheusUsageSource
from collectors.prometheus.connection import PrometheusConnection
from collectors.prometheus.errors import (
    PrometheusError,
    PrometheusQueryError,
    PrometheusResponseError,
    PrometheusUnavailable,
    UnknownOwnerKind,
)
from collectors.prometheus.inventory import PrometheusInventoryCollector, PrometheusInventorySource

__all__ = [
    "PrometheusClient",
    "PrometheusCollector",
    "PrometheusConnection",
    "PrometheusError",
    "PrometheusInventoryCollector",
    "PrometheusInventorySource",
    "PrometheusQueryError",
    "PrometheusResponseError",
    "PrometheusUnavailable",
    "PrometheusUsageSource",
    "UnknownOwnerKind",
]
