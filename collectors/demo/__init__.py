"""The built-in demo cluster: Traffic Tacos on EKS, simulated, behind the ``Collector`` interface.

``DemoCollector`` returns the same records as the real sources, so ``finops demo``
exercises the real ingest, allocation, rightsizing and dashboards. Data is
deterministic for a given ``(seed, end)`` and independent of how windows are split.

The scenario
------------
Cluster ``tacos-demo`` (account 123456789012, us-east-1) over the last 30 days, starting
at midnight UTC so that every day except the current one is whole.

* Namespace ``tacos`` (team checkout, CC-1001 by namespace label):
  ``gateway-api`` (platform, CC-1004; HPA 3-40 on 70% CPU) takes every request;
  ``reservation-api`` (HPA 4-50 on 60% CPU) takes 35% of them and inherits its team and
  cost center from the namespace; ``inventory-api`` (catalog, CC-1002; HPA 6-12 on 80%)
  is **over-provisioned**: 2 cores / 4 GiB per pod for a cache-backed read path whose
  p95 stays far below the request, so the HPA never leaves its minimum;
  ``payment-sim-api`` (payments, CC-1003; HPA 2-10) is **under-provisioned**: its
  working set plus a slow leak outgrows the 384 MiB limit, so pods are **OOM-killed**
  (``oom_kills``/``restarts`` in those hours, memory max at the limit);
  ``reservation-worker`` scales **from zero** with a KEDA ScaledObject on the
  ``tacos-reservations`` SQS queue (queueLength 5, activation 5): at night the queue is
  quiet, no pod runs and no usage row exists for those hours.
* Namespace ``finops``: ``finops-api`` (2 replicas) and ``finops-scheduler``. finops
  rightsized itself 12 days before the last whole day (06:00 UTC): ``finops-api``'s
  requests went from 500m / 1 GiB to 250m / 512 MiB, so its spec history has two rows
  (two ``WorkloadRecord``s with different ``observed_at``).
* Shared namespaces: ``kube-system`` (``coredns``, without an app label so it carries no
  service tag; ``aws-node`` DaemonSet, one pod per node) and ``monitoring``
  (``prometheus-server`` StatefulSet with a config-reloader sidecar,
  ``kube-state-metrics``).
* Traffic: a daily cycle peaking at 12:00 UTC around 6k requests/s with a long quiet
  night, busier weekends, +10% growth over the span, and a **ticket on-sale event** at
  11:00 UTC eight days before the last whole day that reaches ~29.5k requests/s: the
  gateway hits its HPA maximum (40) and is CPU-throttled, reservation-api scales to
  about 48 of its 50 pods, the worker to about 23, and the spot node group grows.
* Nodes: 2 × m7g.2xlarge and 1 × m6i.4xlarge on-demand, plus a c6i.4xlarge spot group
  (0-12 nodes, typically 0-2, 6 at the event) that follows the pods' requests like
  Cluster Autoscaler, with the odd spot interruption. Nodes live whole hours; hourly
  prices are us-east-1 list prices.
* Bill (Cost Explorer shape, ``AmortizedCost`` and ``UnblendedCost``, groupings by
  SERVICE and by SERVICE × each cost-tag key and ``eks:cluster-name``): EC2 compute
  tagged with the cluster tag and equal to node-hours × hourly price; tagged Aurora
  (reservation-api, partial-upfront reserved, so amortized > unblended) and RDS
  (inventory-api); ElastiCache (inventory-api, gateway-api); SQS (reservation-worker);
  ALB (gateway-api); a tagged S3 bucket (finops-api); untagged EKS control plane, EC2 -
  Other (NAT gateways, EBS, data transfer), CloudWatch and an old S3 bucket. About
  $12.4k a month amortized ($11.6k unblended) with seed 42. The last two whole days
  are ``estimated``.
* Windows: an hour belongs to the window containing its start, a day's cost lines to
  the window containing the day's end; snapshot records come with every window that
  touches the span. The current, partial day has usage but no cost lines yet.

Usage is simulated as 5-minute per-pod samples and rolled up hourly, so percentiles
are real percentiles of per-pod values. The whole span takes about 0.4 s to generate
and cut into records (``python -m collectors.demo`` prints the figures).
"""

from collectors.demo.collector import DemoCollector
from collectors.demo.errors import DemoConfigError, DemoError

__all__ = ["DemoCollector", "DemoConfigError", "DemoError"]
