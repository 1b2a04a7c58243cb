"""Strict schema validation: built-in kinds with kubernetes-validate pinned to the EKS version
we target, custom resources with the real CRD ``openAPIV3Schema`` turned into JSON Schema.

The conversion follows what the API server does: ``x-kubernetes-int-or-string`` accepts an
integer or a string, ``nullable`` admits null, and an object with ``properties`` is closed
unless it says ``x-kubernetes-preserve-unknown-fields`` (kubectl's default field validation is
Strict, so an unknown field is an error on apply, not a silent drop).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from .errors import SchemaMissingError
from .findings import Finding, ref

Obj = dict[str, Any]
EKS_VERSION = "1.33"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CRD_DIR = Path(__file__).resolve().parents[1] / "crds"


@dataclass(frozen=True)
class CrdVersion:
    group: str
    kind: str
    version: str
    schema: Obj  # the CRD's openAPIV3Schema, unconverted (CEL rules live here)


def to_json_schema(node: Any) -> Any:
    """Convert one OpenAPI v3 (structural) schema node to JSON Schema, recursively."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    out.pop("nullable", None)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out = {"anyOf": [{"type": "integer"}, {"type": "string"}], **out}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-embedded-resource"):
        props = out.setdefault("properties", {})
        for key in ("apiVersion", "kind"):
            props.setdefault(key, {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


@cache
def crd_index(directory: Path = CRD_DIR) -> dict[tuple[str, str], CrdVersion]:
    """(apiVersion, kind) -> served schema, from every CRD file in ``directory``."""
    index: dict[tuple[str, str], CrdVersion] = {}
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=_LOADER):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for v in spec["versions"]:
                if not v.get("served", True):
                    continue
                api_version = f"{spec['group']}/{v['name']}"
                index[(api_version, spec["names"]["kind"])] = CrdVersion(
                    spec["group"], spec["names"]["kind"], v["name"], v["schema"]["openAPIV3Schema"]
                )
    return index


@cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    crd = crd_index()[(api_version, kind)]
    schema = to_json_schema(copy.deepcopy(crd.schema))
    # metadata is validated by the API server's ObjectMeta rules, not by the CRD.
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def is_custom(obj: Obj) -> bool:
    return (obj["apiVersion"], obj["kind"]) in crd_index()


def validate_object(obj: Obj) -> list[Finding]:
    """All schema errors of one object; SchemaMissingError if no schema knows its kind."""
    if is_custom(obj):
        errors = sorted(_validator(obj["apiVersion"], obj["kind"]).iter_errors(obj), key=str)
        return [
            Finding(
                "schema",
                ref(obj),
                f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}",
            )
            for e in errors
        ]
    try:
        kubernetes_validate.validate(obj, EKS_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise SchemaMissingError(
            f"{ref(obj)}: no schema for {obj['apiVersion']} {obj['kind']} in Kubernetes "
            f"{EKS_VERSION} nor among the CRDs in {CRD_DIR}"
        ) from exc
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path) or "(root)"
        return [Finding("schema", ref(obj), f"{path}: {exc.message} (Kubernetes {EKS_VERSION})")]
    return []


def check_schemas(objects: list[Obj]) -> list[Finding]:
    return [f for obj in objects for f in validate_object(obj)]
