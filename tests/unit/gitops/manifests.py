"""Manifest texts for the patcher tests: comments, odd quoting, several styles."""

from __future__ import annotations

from decimal import Decimal

from rightsizing.gitops.changes import (
    ChangeRequest,
    EvidenceItem,
    HpaTarget,
    ResourceValues,
    WorkloadRef,
)

MI = 2**20

# kubectl style (mapping 2, sequence 4, offset 2), two documents, comments everywhere.
DEPLOYMENT = """\
# inventory-api: stock lookups. Sized for 30k RPS at the gateway.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: inventory-api   # the service name
  labels: {app.kubernetes.io/name: inventory-api, team: 'catalog'}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: inventory-api
          image: "registry.example/inventory-api:1.2.3"
          args: ['--port', "8080"]
          resources:
            requests:
              cpu: 500m      # measured p95 was 420m in March
              memory: "512Mi"
            limits:
              cpu: '1'
              memory: 1Gi
        - name: linkerd-proxy
          image: cr.l5d.io/proxy:stable
          resources:
            requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: inventory-api
spec:
  ports:
    - port: 80
      targetPort: 8080
"""

# Four-space indentation, sequences not indented, no resources yet.
WORKER = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: reservation-worker
    namespace: tacos
spec:
    template:
        spec:
            containers:
            -   name: worker
                image: worker:2
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: inventory-api
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: inventory-api
  minReplicas: 3
  maxReplicas: 30
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70   # scale out at 70% of the request
    - type: Pods
      pods:
        metric: {name: http_requests_per_second}
        target: {type: AverageValue, averageValue: "700"}
"""

KEDA = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: reservation-worker
spec:
  scaleTargetRef:
    kind: StatefulSet
    name: reservation-worker
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: "60"
"""


def change(
    kind: str = "Deployment",
    name: str = "inventory-api",
    container: str = "inventory-api",
    namespace: str | None = "tacos",
    *,
    current: ResourceValues | None = None,
    recommended: ResourceValues | None = None,
    hpa: tuple[HpaTarget, ...] = (),
    saving: str = "12.50",
) -> ChangeRequest:
    return ChangeRequest(
        ref=WorkloadRef(kind, name, container, namespace, "prod"),
        current=current
        or ResourceValues(Decimal("0.5"), Decimal(1), Decimal(512 * MI), Decimal(1024 * MI)),
        recommended=recommended
        or ResourceValues(Decimal("0.25"), Decimal(1), Decimal(384 * MI), Decimal(1024 * MI)),
        monthly_saving=Decimal(saving),
        confidence=0.82,
        evidence=(
            EvidenceItem("cpu_p95", 0.212, "cores"),
            EvidenceItem("memory_daily_peak_max", 301 * MI, "bytes", "last 8 days"),
            EvidenceItem("history_days", 14.0, "days"),
            EvidenceItem("data_points", 4032, "count"),
        ),
        hpa=hpa,
        strategy="tacos",
    )
