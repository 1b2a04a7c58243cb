"""What the demo cluster runs: namespaces, workloads with their specs, node groups, quotas.

Everything here is static data (the types are in ``models``). The numbers are
chosen so that the simulated usage tells the stories the demo exists for (see the
package docstring): ``inventory-api`` asks for far more than it uses,
``payment-sim-api`` has a memory limit below its working set and a slow leak, and
``reservation-worker`` scales to zero on an SQS queue. Memory is given in MiB here
and converted to bytes only when records are built.
"""

from __future__ import annotations

from decimal import Decimal

from collectors.cost_tags import CostTag
from collectors.demo.models import (
    MIB,
    ContainerModel,
    NodeGroup,
    RequestChange,
    Scaling,
    WorkloadModel,
)

#: The default cost-tag mapping of the configuration file (``cost_tags``).
DEFAULT_COST_TAGS: tuple[CostTag, ...] = (
    CostTag("service", "app.kubernetes.io/name", "Service"),
    CostTag("team", "team", "Team"),
    CostTag("cost_center", "cost-center", "CostCenter"),
    CostTag("environment", "environment", "Environment"),
)
DEFAULT_CLUSTER_TAG_KEY = "eks:cluster-name"


NAMESPACE_LABELS: dict[str, dict[str, str]] = {
    "tacos": {
        "team": "checkout",
        "cost-center": "CC-1001",
        "environment": "prod",
        "pod-security.kubernetes.io/enforce": "restricted",
    },
    "finops": {"team": "platform", "cost-center": "CC-1004", "environment": "prod"},
    "kube-system": {"team": "platform", "cost-center": "CC-1004", "environment": "prod"},
    "monitoring": {"team": "platform", "cost-center": "CC-1004", "environment": "prod"},
}


def _labels(name: str, **extra: str) -> dict[str, str]:
    out = {"app.kubernetes.io/name": name}
    out.update({k.replace("_", "-"): v for k, v in extra.items()})
    return out


_TACOS = {"app.kubernetes.io/part-of": "traffic-tacos"}

WORKLOADS: tuple[WorkloadModel, ...] = (
    WorkloadModel(
        "tacos", "Rollout", "gateway-api",
        {**_labels("gateway-api", team="platform", cost_center="CC-1004"), **_TACOS},
        Scaling("hpa", 3, 40, target=70),
        (ContainerModel("gateway-api", 0.5, 1.0, 128, 256, 0.02, 0.0005, 70, 0.04),),
        load_kind="rps", load_share=1.0,
    ),
    WorkloadModel(
        # Team and cost center come from the namespace labels.
        "tacos", "Rollout", "reservation-api",
        {**_labels("reservation-api", environment="prod"), **_TACOS},
        Scaling("hpa", 4, 50, target=60),
        (ContainerModel("reservation-api", 1.0, 2.0, 1024, 1536, 0.05, 0.0025, 640, 0.35),),
        load_kind="rps", load_share=0.35,
    ),
    WorkloadModel(
        # Over-provisioned: 2 cores and 4 GiB per pod for a cache-backed read path.
        "tacos", "Rollout", "inventory-api",
        {**_labels("inventory-api", team="catalog", cost_center="CC-1002"), **_TACOS},
        Scaling("hpa", 6, 12, target=80),
        (ContainerModel("inventory-api", 2.0, 2.0, 4096, 4096, 0.04, 0.00016, 520, 0.15),),
        load_kind="rps", load_share=0.6,
    ),
    WorkloadModel(
        # Under-provisioned: the working set plus a slow leak outgrows the 384 MiB limit.
        "tacos", "Rollout", "payment-sim-api",
        {**_labels("payment-sim-api", team="payments", cost_center="CC-1003"), **_TACOS},
        Scaling("hpa", 2, 10, target=70),
        (ContainerModel("payment-sim-api", 0.25, 0.5, 256, 384, 0.02, 0.0033, 200, 0.45, 3.0),),
        load_kind="rps", load_share=0.04,
    ),
    WorkloadModel(
        "tacos", "Deployment", "reservation-worker",
        {**_labels("reservation-worker"), **_TACOS},
        Scaling("keda", 0, 30, target=5, activation=5, queue_name="tacos-reservations"),
        (ContainerModel("reservation-worker", 0.5, None, 256, 512, 0.03, 0.02, 150, 1.5),),
        load_kind="queue", load_share=0.015,
    ),
    WorkloadModel(
        "finops", "Deployment", "finops-api", _labels("finops-api"),
        Scaling("fixed", 2, 2),
        (ContainerModel("finops-api", 0.25, 1.0, 512, 1024, 0.04, 0.0, 310),),
        # finops rightsized itself: its first merged PR halved its requests.
        request_change=RequestChange(12, 6, {"finops-api": (0.5, 1024)}),
    ),
    WorkloadModel(
        "finops", "Deployment", "finops-scheduler", _labels("finops-scheduler"),
        Scaling("fixed", 1, 1),
        (ContainerModel("finops-scheduler", 0.1, 0.5, 256, 512, 0.015, 0.0, 180),),
    ),
    WorkloadModel(
        # Upstream CoreDNS carries k8s-app only: no service tag, so it shows as unallocated.
        "kube-system", "Deployment", "coredns", {"k8s-app": "kube-dns"},
        Scaling("fixed", 2, 2),
        (ContainerModel("coredns", 0.1, None, 70, 170, 0.01, 0.00002, 28, 0.002),),
        load_kind="rps", load_share=1.0,
    ),
    WorkloadModel(
        "kube-system", "DaemonSet", "aws-node", _labels("aws-node"),
        Scaling("daemonset"),
        (ContainerModel("aws-node", 0.025, None, 64, None, 0.006, 0.0, 52),),
    ),
    WorkloadModel(
        "monitoring", "StatefulSet", "prometheus-server", _labels("prometheus"),
        Scaling("fixed", 1, 1),
        (
            ContainerModel("prometheus", 1.0, 2.0, 6144, 8192, 0.55, 0.0, 4300, 0.0, 2.0),
            ContainerModel("config-reloader", 0.01, 0.05, 32, 64, 0.001, 0.0, 14),
        ),
    ),
    WorkloadModel(
        "monitoring", "Deployment", "kube-state-metrics", _labels("kube-state-metrics"),
        Scaling("fixed", 1, 1),
        (ContainerModel("kube-state-metrics", 0.1, 0.2, 128, 256, 0.012, 0.0, 64),),
    ),
)  # fmt: skip

NODE_GROUPS: tuple[NodeGroup, ...] = (
    NodeGroup("system", "m7g.2xlarge", "on-demand", 8, 32, Decimal("0.3264"), 2, 2, False),
    NodeGroup("app-ondemand", "m6i.4xlarge", "on-demand", 16, 64, Decimal("0.768"), 1, 1, False),
    NodeGroup("app-spot", "c6i.4xlarge", "spot", 16, 32, Decimal("0.2712"), 0, 12, True),
)

#: Share of a node's capacity that pods can request (kubelet and system reservations).
ALLOCATABLE_FRACTION = 0.92

ZONES: tuple[str, ...] = ("us-east-1a", "us-east-1b", "us-east-1c")

#: ResourceQuota ``hard`` per namespace, in base units (cores, bytes, counts).
QUOTAS: dict[str, dict[str, Decimal]] = {
    "tacos": {
        "requests.cpu": Decimal(120),
        "requests.memory": Decimal(160 * 1024) * MIB,
        "limits.cpu": Decimal(200),
        "limits.memory": Decimal(240 * 1024) * MIB,
        "pods": Decimal(200),
    },
    "finops": {
        "requests.cpu": Decimal(2),
        "requests.memory": Decimal(4 * 1024) * MIB,
        "limits.cpu": Decimal(4),
        "limits.memory": Decimal(8 * 1024) * MIB,
        "pods": Decimal(10),
    },
}


def workload(name: str) -> WorkloadModel:
    """The workload model called ``name`` (names are unique across namespaces here)."""
    for w in WORKLOADS:
        if w.name == name:
            return w
    raise KeyError(name)
