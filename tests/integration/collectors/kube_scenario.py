"""The Traffic Tacos namespace as the Kubernetes API returns it (real JSON shapes)."""

from __future__ import annotations

from typing import Any

from tests.support.kube_api_server import KubeApiServer

NS = "tacos"
APPS = f"/apis/apps/v1/namespaces/{NS}"
BATCH = f"/apis/batch/v1/namespaces/{NS}"


def _meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": NS, "uid": f"uid-{name}", "resourceVersion": "1", **extra}


def _template(
    labels: dict[str, str], containers: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "spec": {"containers": containers, **spec}}


def _container(
    name: str, requests: dict[str, Any] | None = None, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": name, "image": f"registry.example/{name}:1", "resources": resources}


def deployment(
    name: str, replicas: int | None, template: dict[str, Any], **meta: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, **meta),
        "spec": spec,
    }


def load(server: KubeApiServer, fillers: int = 4) -> None:
    server.add_object(
        f"/api/v1/namespaces/{NS}",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": NS,
                "labels": {"team": "platform", "cost-center": "cc-100", "environment": "prod"},
            },
        },
    )
    server.add_list(
        "/api/v1/namespaces",
        "NamespaceList",
        [
            {"metadata": {"name": NS, "labels": {"team": "platform"}}},
            {"metadata": {"name": "kube-system"}},
        ],
    )
    gw = deployment(
        "gateway-api",
        3,
        _template(
            {"app.kubernetes.io/name": "gateway-api", "team": "edge"},
            [_container("app", {"cpu": "250m", "memory": "512Mi"}, {"cpu": "1", "memory": "1Gi"})],
            initContainers=[
                {
                    **_container("envoy", {"cpu": "100m", "memory": "64Mi"}),
                    "restartPolicy": "Always",
                },
                _container("migrate", {"cpu": "2", "memory": "2Gi"}),
            ],
        ),
        labels={"app.kubernetes.io/part-of": "tacos"},
        annotations={"finops.tacos/opt-out": "true"},
    )
    res = deployment(
        "reservation-api",
        None,
        _template(
            {"app.kubernetes.io/name": "reservation-api"},
            [_container("app", {"cpu": "0.5", "memory": "1e9"})],
        ),
    )
    filler = [
        deployment(f"filler-{i}", 1, _template({}, [_container("app", {"cpu": "10m"})]))
        for i in range(fillers)
    ]
    server.add_list(f"{APPS}/deployments", "DeploymentList", [gw, res, *filler])
    server.add_list(
        f"{APPS}/statefulsets",
        "StatefulSetList",
        [
            {
                "metadata": _meta("inventory-db"),
                "spec": {
                    "replicas": 2,
                    "template": _template(
                        {"app.kubernetes.io/name": "inventory-api"},
                        [
                            _container(
                                "postgres", {"cpu": "0.5", "memory": "1.5Gi"}, {"memory": "1.5Gi"}
                            )
                        ],
                    ),
                },
            }
        ],
    )
    server.add_list(
        f"{APPS}/daemonsets",
        "DaemonSetList",
        [
            {
                "metadata": _meta("node-agent"),
                "spec": {
                    "template": _template(
                        {}, [_container("agent", {"cpu": "50m", "memory": "100Mi"})]
                    )
                },
                "status": {"desiredNumberScheduled": 4},
            }
        ],
    )
    server.add_list(
        f"{BATCH}/cronjobs",
        "CronJobList",
        [
            {
                "metadata": _meta("nightly-report"),
                "spec": {
                    "schedule": "0 2 * * *",
                    "jobTemplate": {
                        "spec": {
                            "template": _template(
                                {"app.kubernetes.io/name": "reporting"},
                                [_container("report", {"cpu": "1", "memory": "2Gi"})],
                            )
                        }
                    },
                },
            }
        ],
    )
    server.add_list(
        f"{BATCH}/jobs",
        "JobList",
        [
            {
                "metadata": _meta(
                    "nightly-report-29500000",
                    ownerReferences=[
                        {
                            "apiVersion": "batch/v1",
                            "kind": "CronJob",
                            "name": "nightly-report",
                            "uid": "u",
                        }
                    ],
                ),
                "spec": {"template": _template({}, [_container("report", {"cpu": "1"})])},
            },
            {
                "metadata": _meta("migrate-db"),
                "spec": {"template": _template({}, [_container("migrate", {"cpu": "200m"})])},
            },
        ],
    )
    server.add_list(
        "/apis/argoproj.io/v1alpha1/namespaces/tacos/rollouts",
        "RolloutList",
        [
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Rollout",
                "metadata": _meta("payment-sim-api"),
                "spec": {
                    "replicas": 5,
                    "strategy": {"canary": {"steps": [{"setWeight": 20}]}},
                    "template": _template(
                        {"app.kubernetes.io/name": "payment-sim-api"},
                        [
                            _container(
                                "app", {"cpu": "300m", "memory": "256Mi"}, {"memory": "256Mi"}
                            )
                        ],
                    ),
                },
            }
        ],
    )
    server.add_list(
        "/apis/autoscaling/v2/namespaces/tacos/horizontalpodautoscalers",
        "HorizontalPodAutoscalerList",
        [
            {
                "metadata": _meta("reservation-api"),
                "spec": {
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "reservation-api",
                    },
                    "minReplicas": 2,
                    "maxReplicas": 20,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": 70},
                            },
                        },
                        {
                            "type": "Pods",
                            "pods": {
                                "metric": {"name": "http_requests"},
                                "target": {"type": "AverageValue", "averageValue": "1k"},
                            },
                        },
                    ],
                },
            },
            {
                "metadata": _meta(
                    "keda-hpa-payment-sim-api",
                    ownerReferences=[
                        {
                            "apiVersion": "keda.sh/v1alpha1",
                            "kind": "ScaledObject",
                            "name": "payment-sim-api",
                            "uid": "k",
                        }
                    ],
                ),
                "spec": {
                    "scaleTargetRef": {
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "Rollout",
                        "name": "payment-sim-api",
                    },
                    "minReplicas": 1,
                    "maxReplicas": 30,
                    "metrics": [
                        {
                            "type": "External",
                            "external": {
                                "metric": {"name": "s0-aws-sqs-queue"},
                                "target": {"type": "AverageValue", "averageValue": "5"},
                            },
                        }
                    ],
                },
            },
        ],
    )
    server.add_list(
        "/apis/keda.sh/v1alpha1/namespaces/tacos/scaledobjects",
        "ScaledObjectList",
        [
            {
                "apiVersion": "keda.sh/v1alpha1",
                "kind": "ScaledObject",
                "metadata": _meta("payment-sim-api"),
                "spec": {
                    "scaleTargetRef": {
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "Rollout",
                        "name": "payment-sim-api",
                    },
                    "minReplicaCount": 0,
                    "maxReplicaCount": 30,
                    "triggers": [
                        {"type": "aws-sqs-queue", "metadata": {"queueURL": "q", "queueLength": "5"}}
                    ],
                },
            }
        ],
    )
    server.add_list(
        "/api/v1/namespaces/tacos/resourcequotas",
        "ResourceQuotaList",
        [
            {
                "metadata": _meta("tacos-quota"),
                "spec": {"hard": {"requests.cpu": "40", "requests.memory": "80Gi", "pods": "200"}},
            }
        ],
    )
    server.add_list(
        "/api/v1/nodes",
        "NodeList",
        [
            {
                "metadata": {
                    "name": "ip-10-0-1-1.eu-west-1.compute.internal",
                    "labels": {
                        "node.kubernetes.io/instance-type": "m6i.xlarge",
                        "topology.kubernetes.io/zone": "eu-west-1a",
                        "eks.amazonaws.com/capacityType": "ON_DEMAND",
                    },
                },
                "status": {
                    "capacity": {"cpu": "4", "memory": "16069496Ki"},
                    "allocatable": {"cpu": "3920m", "memory": "15137112Ki"},
                },
            },
            {
                "metadata": {
                    "name": "ip-10-0-2-2.eu-west-1.compute.internal",
                    "labels": {
                        "node.kubernetes.io/instance-type": "c6i.2xlarge",
                        "topology.kubernetes.io/zone": "eu-west-1b",
                        "karpenter.sh/capacity-type": "spot",
                    },
                },
                "status": {"allocatable": {"cpu": "7910m", "memory": "14Gi"}},
            },
        ],
    )
