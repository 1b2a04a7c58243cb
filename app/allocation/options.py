"""Parse the allocation query options (shared by the API and the CLI)."""

from __future__ import annotations

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
    return Options(
        aggregate=validate_aggregate(aggregate or "namespace", list(settings.cost_tags)),
        idle=idle,
        shared=shared,
        shared_namespaces={c.name: frozenset(c.shared_namespaces) for c in settings.clusters},
        # Clusters seen in the data but not configured use the configuration's default.
        default_shared=frozenset(ClusterSetting(name="default").shared_namespaces),
    )
