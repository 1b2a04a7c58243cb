"""Which Kubernetes workload a per-pod usage series belongs to, read from the pod's name.

Why. Usage exports from Prometheus (cAdvisor's ``container_cpu_usage_seconds_total``
by pod) are per pod, and pods come and go: each rolling update of a Deployment
replaces every pod, so a container that ran for three weeks arrives as several series
of a few days each. None of them has the week of history a decision needs, and none is
what a team sizes: the request belongs to the pod template, which every pod of the
workload shares. The replay's ``group`` column says which series belong together; an
export without it can still say so through its names, because Kubernetes names pods
predictably:

* a Deployment's: ``<deployment>-<pod-template-hash>-<suffix>``,
* a DaemonSet's, a Job's or a bare ReplicaSet's: ``<name>-<suffix>``,
* a CronJob's: ``<cronjob>-<scheduled minute>-<suffix>``,

where the hash and the suffix are drawn from the alphabet Kubernetes uses for generated
names (``rand.SafeEncodeString``: no vowels, no 0, 1 or 3, so that no word is spelled).
A StatefulSet's ``<name>-<ordinal>`` is not read: an ordinal cannot be told from a
number in any other name. Only series without a group are read, and only names shared
by two series or more are grouped, so an id that merely looks generated changes
nothing on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from rightsizing.evaluation.series import ReplaySeries

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_NAME = r"(?P<name>[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)"
_SAFE = f"[{SAFE_ALPHABET}]"
_POD_PATTERNS = (
    re.compile(rf"^{_NAME}-{_SAFE}{{6,10}}-{_SAFE}{{5}}$"),  # Deployment
    re.compile(rf"^{_NAME}-[0-9]{{8,}}-{_SAFE}{{5}}$"),  # CronJob (its Job's pods)
    re.compile(rf"^{_NAME}-{_SAFE}{{5}}$"),  # DaemonSet, Job, ReplicaSet
)


def workload_of(series_id: str) -> str | None:
    """The series id with its pod name replaced by the workload's (None: no part of the
    id is a generated pod name). Ids are often ``namespace/pod/container``; each part
    separated by ``/`` is tried, the first generated pod name found is replaced."""
    parts = series_id.split("/")
    for i, part in enumerate(parts):
        for pattern in _POD_PATTERNS:
            match = pattern.match(part)
            if match:
                return "/".join([*parts[:i], match["name"], *parts[i + 1 :]])
    return None


def group_by_pod_names(series: list[ReplaySeries]) -> tuple[list[ReplaySeries], int, int]:
    """The series, those without a group given their workload's where two or more share
    it; and how many series were grouped into how many containers."""
    workloads = {s.series_id: workload_of(s.series_id) for s in series if not s.group}
    shared = Counter(w for w in workloads.values() if w is not None)
    out: list[ReplaySeries] = []
    grouped: set[str] = set()
    count = 0
    for one in series:
        name = workloads.get(one.series_id)
        if one.group or name is None or shared[name] < 2:
            out.append(one)
            continue
        out.append(replace(one, group=name))
        grouped.add(name)
        count += 1
    return out, count, len(grouped)
