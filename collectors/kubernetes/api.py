"""Paginated, raw-JSON list calls through the official ``kubernetes`` client.

We ask the client for the undecoded body (``_preload_content=False``) and read
the wire JSON ourselves: the same mapping code then serves core kinds and custom
resources (Argo Rollouts, KEDA ScaledObjects), and nothing is lost to the
client's model classes. Every list follows ``metadata.continue`` until the end,
and every failure becomes one :class:`KubernetesError` naming what was asked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import urllib3
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from collectors.kubernetes.errors import (
    KubernetesConfigError,
    KubernetesError,
    KubernetesForbidden,
    KubernetesUnavailable,
)
from collectors.kubernetes.source import KubernetesSource

log = logging.getLogger(__name__)

MAX_PAGES = 10_000
"""A list that never ends (a server bug) must not loop forever."""


@dataclass(frozen=True)
class Resource:
    """One listable resource: API group ("" for core), version and plural."""

    group: str
    version: str
    plural: str
    namespaced: bool = True

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


DEPLOYMENTS = Resource("apps", "v1", "deployments")
STATEFULSETS = Resource("apps", "v1", "statefulsets")
DAEMONSETS = Resource("apps", "v1", "daemonsets")
JOBS = Resource("batch", "v1", "jobs")
CRONJOBS = Resource("batch", "v1", "cronjobs")
HPAS = Resource("autoscaling", "v2", "horizontalpodautoscalers")
QUOTAS = Resource("", "v1", "resourcequotas")
ROLLOUTS = Resource("argoproj.io", "v1alpha1", "rollouts")
SCALEDOBJECTS = Resource("keda.sh", "v1alpha1", "scaledobjects")
NAMESPACES = Resource("", "v1", "namespaces", namespaced=False)
NODES = Resource("", "v1", "nodes", namespaced=False)


class KubernetesApi:
    """Raw list/read calls with pagination and error mapping; counts requests."""

    def __init__(self, source: KubernetesSource):
        self.source = source
        self.requests_made = 0
        self._api = _api_client(source)
        self._core = client.CoreV1Api(self._api)
        self._apps = client.AppsV1Api(self._api)
        self._batch = client.BatchV1Api(self._api)
        self._autoscaling = client.AutoscalingV2Api(self._api)
        self._custom = client.CustomObjectsApi(self._api)

    @property
    def server(self) -> str:
        return str(self._api.configuration.host)

    def close(self) -> None:
        self._api.close()  # type: ignore[no-untyped-call]

    def list(self, resource: Resource, namespace: str | None = None) -> list[dict[str, Any]]:
        """Every item of a list, following ``continue`` tokens."""
        call = self._list_call(resource, namespace)
        items: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"limit": self.source.page_size}
            if token:
                kwargs["_continue"] = token
            body = self._request(partial(call, **kwargs), "list", resource, namespace)
            page = body.get("items")
            if not isinstance(page, list):
                raise KubernetesError(
                    f"unexpected answer to list {resource.qualified}"
                    f"{_in(namespace)} from {self.server}: no items"
                )
            items.extend(page)
            token = (body.get("metadata") or {}).get("continue") or None
            if not token:
                return items
        raise KubernetesError(
            f"list {resource.qualified}{_in(namespace)} did not end after {MAX_PAGES} pages"
        )

    def read_namespace(self, name: str) -> dict[str, Any]:
        return self._request(
            lambda: self._core.read_namespace(name, **self._opts()), "get", NAMESPACES, None, name
        )

    # -- internals ---------------------------------------------------------------

    def _opts(self) -> dict[str, Any]:
        return {"_preload_content": False, "_request_timeout": self.source.timeout}

    def _list_call(self, r: Resource, namespace: str | None) -> Callable[..., Any]:
        o = self._opts()
        ns = namespace or ""  # cluster-scoped calls below ignore it
        table: dict[Resource, Callable[..., Any]] = {
            DEPLOYMENTS: lambda **kw: self._apps.list_namespaced_deployment(ns, **kw, **o),
            STATEFULSETS: lambda **kw: self._apps.list_namespaced_stateful_set(ns, **kw, **o),
            DAEMONSETS: lambda **kw: self._apps.list_namespaced_daemon_set(ns, **kw, **o),
            JOBS: lambda **kw: self._batch.list_namespaced_job(ns, **kw, **o),
            CRONJOBS: lambda **kw: self._batch.list_namespaced_cron_job(ns, **kw, **o),
            HPAS: lambda **kw: self._autoscaling.list_namespaced_horizontal_pod_autoscaler(
                ns, **kw, **o
            ),
            QUOTAS: lambda **kw: self._core.list_namespaced_resource_quota(ns, **kw, **o),
            NAMESPACES: lambda **kw: self._core.list_namespace(**kw, **o),
            NODES: lambda **kw: self._core.list_node(**kw, **o),
        }
        if r in table:
            return table[r]
        return lambda **kw: self._custom.list_namespaced_custom_object(
            r.group, r.version, ns, r.plural, **kw, **o
        )

    def _request(
        self,
        call: Callable[[], Any],
        verb: str,
        resource: Resource,
        namespace: str | None,
        name: str = "",
    ) -> dict[str, Any]:
        what = f"{verb} {resource.qualified}{' ' + name if name else ''}{_in(namespace)}"
        self.requests_made += 1
        try:
            response = call()
            raw = response.data
        except ApiException as exc:
            raise _api_error(exc, verb, resource, namespace, what, self.server) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise KubernetesUnavailable(
                f"cannot reach the Kubernetes API at {self.server} to {what}: {type(exc).__name__}"
            ) from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise KubernetesError(f"malformed JSON from {self.server} on {what}") from exc
        if not isinstance(body, dict):
            raise KubernetesError(f"unexpected answer from {self.server} on {what}")
        return body


class NotInstalled(KubernetesError):
    """HTTP 404 on a list: the resource type (usually a CRD) is not installed."""


def _in(namespace: str | None) -> str:
    return f" in namespace {namespace}" if namespace else " at cluster scope"


def _api_error(
    exc: ApiException, verb: str, r: Resource, ns: str | None, what: str, server: str
) -> KubernetesError:
    status = exc.status or 0
    if status == 403:
        return KubernetesForbidden(
            f"forbidden: {what} — grant {verb} on {r.qualified}"
            f"{' in namespace ' + ns if ns else ' (ClusterRole)'} to the finops service account"
        )
    if status == 401:
        return KubernetesForbidden(
            f"unauthorized (HTTP 401) at {server} on {what}: the token or client certificate "
            "was rejected (expired?)"
        )
    if status == 404:
        return NotInstalled(f"not found (HTTP 404) at {server} on {what}")
    if status >= 500 or status == 429:
        return KubernetesUnavailable(f"Kubernetes API at {server} answered HTTP {status} on {what}")
    return KubernetesError(
        f"Kubernetes API at {server} answered HTTP {status} on {what}: {exc.reason}"
    )


def _api_client(source: KubernetesSource) -> client.ApiClient:
    try:
        if source.in_cluster:
            cfg = client.Configuration()
            config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
            return client.ApiClient(cfg)
        api: client.ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(source.kubeconfig) if source.kubeconfig else None,
            context=source.context,
            persist_config=False,
        )
        return api
    except (ConfigException, OSError, TypeError, ValueError, yaml.YAMLError) as exc:
        where = (
            "in-cluster service account"
            if source.in_cluster
            else (
                f"kubeconfig {source.kubeconfig or '~/.kube/config'}"
                f"{' context ' + source.context if source.context else ''}"
            )
        )
        raise KubernetesConfigError(
            f"cannot load Kubernetes configuration from {where}: {exc}"
        ) from exc
