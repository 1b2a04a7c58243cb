"""Find the documents a recommendation refers to inside a set of parsed manifest files.

A workload is matched by ``kind`` + ``metadata.name`` (+ ``metadata.namespace``
when the document names one: kustomize bases usually leave it to the overlay)
and a container of that name in its pod template (``containers`` or native
sidecars in ``initContainers``). Autoscalers are matched by their
``scaleTargetRef``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rightsizing.gitops.changes import WorkloadRef
from rightsizing.gitops.yaml_io import YamlFile


@dataclass(frozen=True)
class ContainerSite:
    """One place a container is declared: the file, the document and the container map."""

    file: YamlFile
    doc_index: int
    container: Any  # ruamel CommentedMap

    @property
    def has_resources(self) -> bool:
        res = self.container.get("resources")
        return isinstance(res, dict) and bool(res)


@dataclass(frozen=True)
class AutoscalerSite:
    file: YamlFile
    doc_index: int
    doc: Any


def _get(node: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(k)
    return node


def documents(files: Sequence[YamlFile]) -> Iterator[tuple[YamlFile, int, Any]]:
    for f in files:
        for i, doc in enumerate(f.documents):
            if isinstance(doc, dict):
                yield f, i, doc


def _namespace_ok(doc: Any, ref: WorkloadRef) -> bool:
    ns = _get(doc, "metadata", "namespace")
    return ns is None or ref.namespace is None or str(ns) == ref.namespace


def container_sites(files: Sequence[YamlFile], ref: WorkloadRef) -> list[ContainerSite]:
    sites: list[ContainerSite] = []
    for f, i, doc in documents(files):
        if doc.get("kind") != ref.kind or str(_get(doc, "metadata", "name")) != ref.name:
            continue
        if not _namespace_ok(doc, ref):
            continue
        pod = _get(doc, "spec", "template", "spec")
        for list_key in ("containers", "initContainers"):
            items = _get(pod, list_key)
            if not isinstance(items, list):
                continue
            for c in items:
                if isinstance(c, dict) and str(c.get("name")) == ref.container:
                    sites.append(ContainerSite(f, i, c))
    return sites


def autoscaler_sites(files: Sequence[YamlFile], ref: WorkloadRef) -> list[AutoscalerSite]:
    """HPAs and KEDA ScaledObjects whose ``scaleTargetRef`` points at the workload."""
    sites: list[AutoscalerSite] = []
    for f, i, doc in documents(files):
        kind = doc.get("kind")
        if kind not in ("HorizontalPodAutoscaler", "ScaledObject"):
            continue
        target = _get(doc, "spec", "scaleTargetRef")
        if not isinstance(target, dict) or str(target.get("name")) != ref.name:
            continue
        # KEDA defaults the target kind to Deployment; an HPA always names it.
        target_kind = target.get("kind") or ("Deployment" if kind == "ScaledObject" else None)
        if target_kind != ref.kind or not _namespace_ok(doc, ref):
            continue
        sites.append(AutoscalerSite(f, i, doc))
    return sites


def utilization_targets(site: AutoscalerSite, resource: str, container: str) -> list[Any]:
    """The maps holding the utilization target for ``resource``: HPA ``target`` or KEDA ``metadata``.

    For an HPA the value lives under ``averageUtilization``; for KEDA under ``value``.
    """
    doc = site.doc
    found: list[Any] = []
    if doc.get("kind") == "HorizontalPodAutoscaler":
        for m in _get(doc, "spec", "metrics") or []:
            if not isinstance(m, dict):
                continue
            if m.get("type") == "Resource":
                spec = m.get("resource")
            elif m.get("type") == "ContainerResource":
                spec = m.get("containerResource")
                if _get(spec, "container") != container:
                    continue
            else:
                continue
            target = _get(spec, "target")
            if (
                _get(spec, "name") == resource
                and isinstance(target, dict)
                and target.get("type") == "Utilization"
                and "averageUtilization" in target
            ):
                found.append(target)
    else:
        for t in _get(doc, "spec", "triggers") or []:
            if not isinstance(t, dict) or t.get("type") != resource:
                continue
            meta = t.get("metadata")
            kind = t.get("metricType") or _get(meta, "type") or "Utilization"
            if isinstance(meta, dict) and kind == "Utilization" and "value" in meta:
                if _get(meta, "containerName") not in (None, container):
                    continue
                found.append(meta)
    return found
