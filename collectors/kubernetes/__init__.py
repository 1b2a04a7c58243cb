"""Kubernetes source: workloads with requests and limits, autoscalers, quotas, nodes.

Public API: :class:`KubernetesSource` (configuration), :class:`KubernetesCollector`
and the error tree rooted at :class:`KubernetesError`.
"""

from collectors.kubernetes.collector import KubernetesCollector, NodePricer
from collectors.kubernetes.errors import (
    KubernetesConfigError,
    KubernetesError,
    KubernetesForbidden,
    KubernetesSpecError,
    KubernetesUnavailable,
)
from collectors.kubernetes.source import DEFAULT_COST_TAGS, KubernetesSource

__all__ = [
    "DEFAULT_COST_TAGS",
    "KubernetesCollector",
    "KubernetesConfigError",
    "KubernetesError",
    "KubernetesForbidden",
    "KubernetesSource",
    "KubernetesSpecError",
    "KubernetesUnavailable",
    "NodePricer",
]
