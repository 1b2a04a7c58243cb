"""The capacity model of a namespace, read from the rendered objects themselves.

Environment numbers live on the Namespace (``capacity.tacos.io/*`` annotations, set per
overlay); the traffic mix and call graph live in the ``capacity-model`` ConfigMap. Keeping
them in the manifests means the checks, the docs and the cluster read one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .errors import ModelError

Obj = dict[str, Any]
ANN = "capacity.tacos.io/"


@dataclass(frozen=True)
class RequestClass:
    name: str
    share: Decimal
    path: tuple[str, ...]
    async_consumer: str | None


@dataclass(frozen=True)
class Model:
    namespace: str
    target_rps: Decimal
    quota_headroom: Decimal
    db_max_connections: int
    db_reserved_connections: int
    classes: tuple[RequestClass, ...]
    external_peers: dict[str, Obj]
    edges: tuple[str, ...]

    def service_rps(self) -> dict[str, Decimal]:
        """Requests (or messages) per second each service must serve at the target RPS."""
        out: dict[str, Decimal] = {}
        for c in self.classes:
            rps = self.target_rps * c.share
            for svc in (*c.path, *([c.async_consumer] if c.async_consumer else [])):
                out[svc] = out.get(svc, Decimal(0)) + rps
        return out


def _decimal(raw: Any, what: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ModelError(f"{what}: {raw!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise ModelError(f"{what}: {raw!r} must be a finite number >= 0")
    return value


def _find(objects: list[Obj], kind: str, name: str | None = None) -> Obj:
    found = [
        o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]
    if len(found) != 1:
        raise ModelError(
            f"expected exactly one {kind}{' ' + name if name else ''}, found {len(found)}"
        )
    return found[0]


def load_model(objects: list[Obj]) -> Model:
    ns = _find(objects, "Namespace")
    ann = ns["metadata"].get("annotations") or {}
    name = ns["metadata"]["name"]

    def need(key: str) -> str:
        if ANN + key not in ann:
            raise ModelError(f"Namespace/{name}: annotation {ANN}{key} is missing")
        return str(ann[ANN + key])

    cm = _find(objects, "ConfigMap", "capacity-model")
    try:
        raw = yaml.safe_load((cm.get("data") or {}).get("model.yaml", ""))
    except yaml.YAMLError as exc:
        raise ModelError(f"ConfigMap/capacity-model: model.yaml is not YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ModelError("ConfigMap/capacity-model: model.yaml must be a mapping")
    classes = []
    for i, c in enumerate(raw.get("request_classes") or []):
        if not isinstance(c, dict) or not c.get("path"):
            raise ModelError(f"capacity-model: request class {i} needs a name, a share and a path")
        classes.append(
            RequestClass(
                str(c.get("name", i)),
                _decimal(c.get("share"), f"class {i} share"),
                tuple(c["path"]),
                c.get("async"),
            )
        )
    if not classes:
        raise ModelError("capacity-model: no request_classes")
    total = sum((c.share for c in classes), Decimal(0))
    if total != 1:
        raise ModelError(f"capacity-model: request class shares add up to {total}, not 1")
    max_conn = int(_decimal(need("db-max-connections"), "db-max-connections"))
    reserved = int(_decimal(need("db-reserved-connections"), "db-reserved-connections"))
    if reserved >= max_conn:
        raise ModelError(f"Namespace/{name}: reserved connections {reserved} >= max {max_conn}")
    return Model(
        namespace=name,
        target_rps=_decimal(need("target-rps"), "target-rps"),
        quota_headroom=_decimal(need("quota-headroom"), "quota-headroom"),
        db_max_connections=max_conn,
        db_reserved_connections=reserved,
        classes=tuple(classes),
        external_peers=dict(raw.get("external_peers") or {}),
        edges=tuple(str(e) for e in raw.get("edges") or []),
    )
