"""Parse the allocation query options (shared by the API and the CLI)."""

from __future__ import annotations

from collections.abc import Mapping

from app.allocation.aggregate import Options, validate_aggregate
from app.allocation.errors import ParameterError
from app.allocation.store import METRICS
from app.settings import ClusterSetting, Settings

_METRIC_ALIASES = {
    "amortized": "AmortizedCost",
    "amortizedcost": "AmortizedCost",
    "unblended": "UnblendedCost",
    "unblendedcost": "UnblendedCost",
}


def parse_metric(text: str | None, settings: Settings) -> str:
    if text is None or text == "":
        return settings.aws.cost_metric
    metric = _METRIC_ALIASES.get(text.strip().lower())
    if metric is None or metric not in METRICS:
        raise ParameterError("metric", f"{text!r} is not one of amortized, unblended")
    return metric


def parse_options(
    settings: Settings,
    aggregate: str | None,
    idle: str | None,
    shared: str | None,
) -> Options:
    idle = (idle or settings.pricing.idle).strip().lower()
    if idle not in {"separate", "share"}:
        raise ParameterError("idle", f"{idle!r} is not one of separate, share")
    shared = (shared or settings.pricing.shared_split).strip().lower()
    if shared not in {"even", "weighted", "none"}:
        raise ParameterError("shared", f"{shared!r} is not one of even, weighted, none")
    names = list(settings.cost_tags)
    shared_ns: Mapping[str, frozenset[str]] = {
        c.name: frozenset(c.shared_namespaces) for c in settings.clusters
    }
    default_shared = frozenset(ClusterSetting(name="default").shared_namespaces)
    return Options(
        aggregate=validate_aggregate(aggregate or "namespace", names),
        idle=idle,
        shared=shared,
        shared_namespaces=_DefaultShared(shared_ns, default_shared),
    )


class _DefaultShared(dict[str, frozenset[str]]):
    """Clusters not in the configuration use the default shared namespaces."""

    def __init__(self, known: Mapping[str, frozenset[str]], default: frozenset[str]) -> None:
        super().__init__(known)
        self.default = default

    def __missing__(self, key: str) -> frozenset[str]:
        return self.default

    def get(self, key: str, default: frozenset[str] | None = None) -> frozenset[str]:  # type: ignore[override]
        return self[key]
