"""Map pods to the workloads that own them, from kube-state-metrics series.

``kube_pod_owner`` names a pod's direct controller; ReplicaSets and Jobs are
intermediate, so ``kube_replicaset_owner`` lifts a ReplicaSet to its Deployment or
Argo Rollout and ``kube_job_owner`` lifts a Job to its CronJob. Pods that
kube-state-metrics never saw (they lived less than one scrape) are attributed by
name: ``<replicaset|job>-<5 chars>`` to a known ReplicaSet or Job, ``<statefulset>-<n>`` to a
known StatefulSet, otherwise to a bare ``Pod``. Pure code: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from collectors.prometheus.errors import UnknownOwnerKind

WorkloadKey = tuple[str, str]  # (kind, name)

DIRECT_KINDS = frozenset({"StatefulSet", "DaemonSet", "ReplicationController"})
"""Owner kinds that are workloads themselves."""

NO_OWNER = {"<none>", ""}

_POD_SUFFIX = re.compile(r"^(?P<parent>.+)-[a-z0-9]{5}$")
_ORDINAL = re.compile(r"^(?P<parent>.+)-\d+$")


@dataclass
class OwnerIndex:
    """Ownership facts for one namespace."""

    pod_owner: dict[str, tuple[str, str]]
    replicaset_owner: dict[str, tuple[str, str]]
    job_owner: dict[str, tuple[str, str]]
    extra_kinds: frozenset[str] = frozenset()

    @classmethod
    def from_series(
        cls, series: Iterable[Mapping[str, str]], extra_kinds: frozenset[str] = frozenset()
    ) -> OwnerIndex:
        """Build from the label sets of kube_pod_owner, kube_replicaset_owner, kube_job_owner."""
        pods: dict[str, tuple[str, str]] = {}
        rss: dict[str, tuple[str, str]] = {}
        jobs: dict[str, tuple[str, str]] = {}
        for labels in series:
            name = labels.get("__name__", "")
            kind = labels.get("owner_kind", "")
            owner = labels.get("owner_name", "")
            if name == "kube_pod_owner" and "pod" in labels:
                # A pod may have several owner references; only the controller counts.
                if (
                    labels.get("owner_is_controller", "true") != "false"
                    or labels["pod"] not in pods
                ):
                    pods[labels["pod"]] = (kind, owner)
            elif name == "kube_replicaset_owner" and "replicaset" in labels:
                rss[labels["replicaset"]] = (kind, owner)
            elif name == "kube_job_owner" and "job_name" in labels:
                jobs[labels["job_name"]] = (kind, owner)
        return cls(pods, rss, jobs, extra_kinds)

    def workload_of(self, namespace: str, pod: str) -> WorkloadKey:
        """The (kind, name) of the workload owning ``pod``; raises on an unknown kind."""
        owner = self.pod_owner.get(pod)
        if owner is None:
            return self._guess(pod)
        kind, name = owner
        if kind in NO_OWNER:
            return ("Pod", pod)
        if kind == "ReplicaSet":
            return self._lift_replicaset(name)
        if kind == "Job":
            return self._lift_job(name)
        if kind == "Node":
            return ("Pod", pod)  # static (mirror) pod managed by the kubelet
        if kind in DIRECT_KINDS or kind in self.extra_kinds:
            return (kind, name)
        raise UnknownOwnerKind(
            f"pod {namespace}/{pod} is owned by unknown kind {kind!r} ({name}); add it to "
            "extra_owner_kinds to treat it as a workload"
        )

    def _lift_replicaset(self, rs: str) -> WorkloadKey:
        kind, name = self.replicaset_owner.get(rs, ("", ""))
        if kind in NO_OWNER:
            return ("ReplicaSet", rs)
        if kind in {"Deployment", "Rollout"} or kind in self.extra_kinds:
            return (kind, name)
        raise UnknownOwnerKind(
            f"ReplicaSet {rs} is owned by unknown kind {kind!r} ({name}); add it to "
            "extra_owner_kinds to treat it as a workload"
        )

    def _lift_job(self, job: str) -> WorkloadKey:
        kind, name = self.job_owner.get(job, ("", ""))
        if kind in NO_OWNER:
            return ("Job", job)
        if kind == "CronJob" or kind in self.extra_kinds:
            return (kind, name)
        raise UnknownOwnerKind(
            f"Job {job} is owned by unknown kind {kind!r} ({name}); add it to "
            "extra_owner_kinds to treat it as a workload"
        )

    def _guess(self, pod: str) -> WorkloadKey:
        match = _POD_SUFFIX.match(pod)
        if match and match["parent"] in self.replicaset_owner:
            return self._lift_replicaset(match["parent"])
        if match and match["parent"] in self.job_owner:
            return self._lift_job(match["parent"])
        match = _ORDINAL.match(pod)
        if match:
            siblings = {o for p, o in self.pod_owner.items() if _ORDINAL.match(p)}
            for kind, name in siblings:
                if kind == "StatefulSet" and name == match["parent"]:
                    return (kind, name)
        return ("Pod", pod)
