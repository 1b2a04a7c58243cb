"""Render a kustomize directory with the real ``kubectl kustomize`` and parse the result."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from .errors import RenderError

Obj = dict[str, Any]

# Where the npm fallback (mk/manifests.mk) unpacks kubectl when /usr/bin/kubectl is missing.
FALLBACK_KUBECTL = Path(__file__).resolve().parents[3] / ".tools" / "kubectl" / "kubectl"


def find_kubectl() -> str | None:
    """kubectl from $KUBECTL, PATH, or the npm fallback; None when there is none."""
    explicit = os.environ.get("KUBECTL")
    if explicit and Path(explicit).is_file():
        return explicit
    found = shutil.which("kubectl")
    if found:
        return found
    return str(FALLBACK_KUBECTL) if FALLBACK_KUBECTL.is_file() else None


def render(directory: Path, kubectl: str) -> list[Obj]:
    """Run ``kubectl kustomize DIR`` (offline) and return its objects in order."""
    try:
        proc = subprocess.run(
            [kubectl, "kustomize", str(directory)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"kubectl kustomize {directory} could not run: {exc}") from exc
    if proc.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory} failed: {proc.stderr.strip()}")
    return parse_documents(proc.stdout, source=str(directory))


def parse_documents(text: str, source: str) -> list[Obj]:
    """Parse a multi-document YAML stream; every document must be a Kubernetes object."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise RenderError(f"{source}: rendered output is not YAML: {exc}") from exc
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
            raise RenderError(f"{source}: document {i} is not a Kubernetes object")
        if not (doc.get("metadata") or {}).get("name"):
            raise RenderError(f"{source}: document {i} ({doc['kind']}) has no metadata.name")
    return docs


def to_yaml(objects: list[Obj]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)
