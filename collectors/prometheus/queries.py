"""PromQL for the usage collector: one query per metric per namespace and chunk.

Every query is grouped ``by (namespace, pod, container)`` so a namespace of a
thousand workloads costs the same handful of round trips as one of ten. Range
selectors span exactly one step so that each raw sample is read by exactly one
output point: ``(t - step, t]``. Prometheus 2.x range selectors include both
ends, so there we shorten the range by one millisecond; 3.x made them left-open.
"""

from __future__ import annotations

from dataclasses import dataclass


def selector(
    namespace: str | None, cluster_label: str | None, cluster: str, extra: str = ""
) -> str:
    """The label matchers shared by all queries, with values escaped for PromQL."""
    parts = []
    if namespace is not None:
        parts.append(f'namespace="{escape(namespace)}"')
    if cluster_label:
        parts.append(f'{cluster_label}="{escape(cluster)}"')
    if extra:
        parts.append(extra)
    return "{" + ", ".join(parts) + "}"


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exact_range(step_s: int, left_open: bool) -> str:
    """A range covering ``(t - step, t]`` exactly."""
    return f"{step_s}s" if left_open else f"{step_s * 1000 - 1}ms"


@dataclass(frozen=True)
class UsageQueries:
    """The PromQL strings for one namespace (``None``: all namespaces)."""

    namespace: str | None
    cluster_label: str | None
    cluster: str
    step_s: int
    left_open: bool

    def _sel(self, extra: str = "") -> str:
        return selector(self.namespace, self.cluster_label, self.cluster, extra)

    @property
    def containers(self) -> str:
        return self._sel('container!="", container!="POD"')

    def cpu(self) -> str:
        # Counters need the sample at t - step too: rate over [step] with both ends.
        # Not aggregated here: ``combine`` sums per pod container on our side, which
        # halves the server's cost of this, the heaviest query (see combine.py).
        return f"rate(container_cpu_usage_seconds_total{self.containers}[{self.step_s}s])"

    def memory(self) -> str:
        # Not aggregated here either: ``combine`` takes the max per pod container.
        r = exact_range(self.step_s, self.left_open)
        return f"max_over_time(container_memory_working_set_bytes{self.containers}[{r}])"

    def throttled(self) -> str:
        return (
            "sum by (namespace, pod, container) "
            f"(increase(container_cpu_cfs_throttled_periods_total{self.containers}[1h]))"
        )

    def periods(self) -> str:
        return (
            "sum by (namespace, pod, container) "
            f"(increase(container_cpu_cfs_periods_total{self.containers}[1h]))"
        )

    def restarts(self) -> str:
        return (
            "sum by (namespace, pod, container) "
            f"(increase(kube_pod_container_status_restarts_total{self._sel()}[1h]))"
        )

    def oom_flag(self) -> str:
        sel = self._sel('reason="OOMKilled"')
        r = exact_range(3600, self.left_open)  # a gauge: read each sample in one hour only
        return (
            "max by (namespace, pod, container) "
            f"(max_over_time(kube_pod_container_status_last_terminated_reason{sel}[{r}]))"
        )

    def owner_matchers(self) -> list[str]:
        sel = self._sel()
        return [f"kube_pod_owner{sel}", f"kube_replicaset_owner{sel}", f"kube_job_owner{sel}"]
