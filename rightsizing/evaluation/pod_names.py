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
from collections.abc import Set
from dataclasses import replace
from typing import NamedTuple

import numpy as np

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


class PodGroups(NamedTuple):
    """What ``group_by_pod_names`` did: the series (grouped where it could), how many
    series it grouped, and the workloads it grouped them into."""

    series: list[ReplaySeries]
    pods: int
    workloads: frozenset[str]


def group_by_pod_names(series: list[ReplaySeries]) -> PodGroups:
    """The series, those without a group given their workload's where two or more share
    it; how many series were grouped, and into which workloads (what ``uneven_groups``
    checks: an export's own group column is its choice and is not checked)."""
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
    return PodGroups(out, count, frozenset(grouped))


#: pods side by side whose median CPU differs more than this are not alike
UNEVEN_RATIO = 3.0
#: two pods count as side by side when they ran together this long (a rolling update's
#: overlap of minutes is not; a new generation may use a new level, which is usage)
SIDE_BY_SIDE_S = 86400.0
#: a busiest pod under this many cores is under the guardrails' CPU floor, which sets
#: the request for every strategy whatever the pods' levels
UNEVEN_MIN_CORES = 0.01
#: groups with more pods than this are not checked pair by pair (their pods are many
#: replicas, whose spread a few pairs would not settle anyway)
MAX_CHECKED_PODS = 400


def uneven_groups(series: list[ReplaySeries], groups: Set[str]) -> str | None:
    """A warning where pods grouped into one container ran side by side at very different
    levels; None where they did not.

    Why: a workload's pods share one request, so a group is sized for its busiest pod,
    and every strategy's slack over the others rises. That is Kubernetes' own rule, but
    the grouping by names is automatic: an export whose "pods" of one name are unlike
    (a sharded service, a leader and followers) is then replayed as if they were alike,
    and the user should know to compare with the pods apart.
    """
    members: dict[str, list[tuple[float, float, float]]] = {}
    for one in series:
        if one.group not in groups or one.times_s.size == 0:
            continue
        live = one.cpu if one.weights is None else one.cpu[one.weights > 0]
        if live.size:
            level = float(np.median(live))
            members.setdefault(one.group, []).append(
                (float(one.times_s[0]), float(one.times_s[-1]), level)
            )
    uneven = 0
    example = ""
    for name, pods in sorted(members.items()):
        if not 2 <= len(pods) <= MAX_CHECKED_PODS:
            continue
        pair = _most_uneven(pods)
        if pair is not None:
            uneven += 1
            if not example:
                example = f"{name}: {pair[0]:.3g} and {pair[1]:.3g} cores"
    if not uneven:
        return None
    return (
        f"{uneven} of {len(members)} containers grouped by pod name had pods running side by "
        f"side whose median CPU differs more than {UNEVEN_RATIO:g}x (e.g. {example}): one "
        "request covers the busiest pod, which raises every strategy's slack; "
        "--no-pod-groups replays each pod on its own"
    )


def _most_uneven(pods: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """The lower and higher median of the most unequal pair of pods that ran side by side
    for ``SIDE_BY_SIDE_S``, where they differ more than ``UNEVEN_RATIO``; else None."""
    worst: tuple[float, float] | None = None
    for i, (start_a, end_a, level_a) in enumerate(pods):
        for start_b, end_b, level_b in pods[i + 1 :]:
            if min(end_a, end_b) - max(start_a, start_b) < SIDE_BY_SIDE_S:
                continue
            low, high = sorted((level_a, level_b))
            if high < UNEVEN_MIN_CORES or high <= UNEVEN_RATIO * low:
                continue
            if worst is None or high * worst[0] > worst[1] * low:
                worst = (low, high)
    return worst
