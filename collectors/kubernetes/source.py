"""Configuration of the Kubernetes source."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from collectors.cost_tags import CostTag

DEFAULT_COST_TAGS: tuple[CostTag, ...] = (
    CostTag("service", "app.kubernetes.io/name", "Service"),
    CostTag("team", "team", "Team"),
    CostTag("cost_center", "cost-center", "CostCenter"),
    CostTag("environment", "environment", "Environment"),
)


@dataclass(frozen=True)
class KubernetesSource:
    """Which cluster to read and how.

    ``kubeconfig`` / ``context`` select a kubeconfig entry (``None``: the default
    ``~/.kube/config``); ``in_cluster`` uses the pod's service account instead.
    ``namespaces`` empty means every namespace the service account may list.
    ``page_size`` is the ``limit`` of each list request (the API server hands
    the rest out with ``continue`` tokens). ``optional_kinds`` are custom
    resources whose absence (HTTP 404: CRD not installed) is not an error.
    """

    cluster: str
    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = False
    namespaces: tuple[str, ...] = ()
    cost_tags: tuple[CostTag, ...] = DEFAULT_COST_TAGS
    page_size: int = 500
    timeout: float = 30.0
    include_nodes: bool = True
    optional_kinds: frozenset[str] = field(
        default_factory=lambda: frozenset({"rollouts", "scaledobjects"})
    )

    def __post_init__(self) -> None:
        if not self.cluster:
            raise ValueError("cluster name must not be empty")
        if self.in_cluster and (self.kubeconfig is not None or self.context is not None):
            raise ValueError("in_cluster excludes kubeconfig and context")
        if not 1 <= self.page_size <= 10_000:
            raise ValueError("page_size must be in 1..10000")
