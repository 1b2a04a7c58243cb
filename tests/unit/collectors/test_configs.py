"""Collector configurations refuse bad values with clear messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from collectors.aws import CostExplorerSource
from collectors.kubernetes import KubernetesSource
from collectors.prometheus import PrometheusConnection, PrometheusUsageSource

CONN = PrometheusConnection("http://127.0.0.1:9090")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step": timedelta(minutes=7)}, "step must divide one hour"),
        ({"chunk": timedelta(minutes=30)}, "chunk must be a whole number of hours"),
        ({"cluster": ""}, "cluster name must not be empty"),
    ],
)
def test_prometheus_usage_source(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"connection": CONN, "cluster": "c", **kwargs}
    with pytest.raises(ValueError, match=message):
        PrometheusUsageSource(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://x"}, "must be http"),
        ({"url": "http://u:p@127.0.0.1"}, "must not carry credentials"),
        ({"basic_auth_user": "u"}, "needs basic_auth_password_file"),
        ({"timeout": 0}, "timeout must be positive"),
    ],
)
def test_prometheus_connection(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"url": "http://127.0.0.1:9090", **kwargs}
    with pytest.raises(ValueError, match=message):
        PrometheusConnection(**args)  # type: ignore[arg-type]


def test_safe_url_drops_query() -> None:
    assert PrometheusConnection("https://prom.example:9443/prometheus?x=1").safe_url == (
        "https://prom.example:9443/prometheus"
    )


def test_kubernetes_source() -> None:
    with pytest.raises(ValueError, match="in_cluster excludes kubeconfig"):
        KubernetesSource(cluster="c", in_cluster=True, kubeconfig=Path("/k"))
    with pytest.raises(ValueError, match="page_size"):
        KubernetesSource(cluster="c", page_size=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metrics": ()}, "at least one Cost Explorer metric"),
        ({"tag_keys": ("Team", "Team")}, "distinct"),
        ({"accounts": ("12345",)}, "12-digit"),
    ],
)
def test_cost_explorer_source(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CostExplorerSource(**kwargs)  # type: ignore[arg-type]
