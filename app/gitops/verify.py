"""Verify a patched checkout before anything is committed or pushed.

1. Every changed file still parses and differs from the base only in the fields
   a rightsizing PR may edit (``rightsizing.gitops.scope``).
2. If ``kubectl`` is on PATH, every directory under the manifests path that holds
   a kustomization is rendered with ``kubectl kustomize`` before and after the
   patch: it must still render, and the rendered output may differ only in the
   same fields. This catches what a file-level check cannot: a patch that breaks
   an overlay, or an edit that lands in a file no overlay uses.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from app.gitops.errors import VerificationError
from rightsizing.gitops.errors import ManifestError
from rightsizing.gitops.scope import out_of_scope

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
RENDER_TIMEOUT_S = 60


@dataclass
class Rendered:
    outputs: dict[str, str] = field(default_factory=dict)  # dir -> rendered YAML
    failed: dict[str, str] = field(default_factory=dict)  # dir -> error


def kustomize_dirs(root: Path) -> list[Path]:
    dirs = {p.parent for name in KUSTOMIZATION_FILES for p in root.rglob(name) if p.is_file()}
    return sorted(d for d in dirs if ".git" not in d.parts)


def render_all(root: Path, kubectl: str | None) -> Rendered:
    result = Rendered()
    if kubectl is None:
        return result
    for d in kustomize_dirs(root):
        key = str(d.relative_to(root)) or "."
        try:
            proc = subprocess.run(  # noqa: S603 - fixed executable, no shell
                [kubectl, "kustomize", str(d)],
                capture_output=True,
                text=True,
                timeout=RENDER_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            result.failed[key] = f"did not render within {RENDER_TIMEOUT_S} s"
            continue
        if proc.returncode == 0:
            result.outputs[key] = proc.stdout
        else:
            result.failed[key] = proc.stderr.strip()[-1000:]
    return result


def find_kubectl() -> str | None:
    return shutil.which("kubectl")


@dataclass(frozen=True)
class Verification:
    files_checked: int
    overlays_rendered: int
    warnings: tuple[str, ...]


def verify(
    before_files: dict[str, str],
    after_files: dict[str, str],
    before: Rendered,
    after: Rendered,
) -> Verification:
    """Raise ``VerificationError`` listing every problem; return what was checked."""
    problems: list[str] = []
    for path, new in after_files.items():
        try:
            problems += out_of_scope(before_files[path], new, path)
        except ManifestError as exc:
            problems.append(str(exc))
    warnings = [
        f"kustomize {d} does not render on the base branch either: {err}"
        for d, err in before.failed.items()
    ]
    for d, err in after.failed.items():
        if d not in before.failed:
            problems.append(f"kustomize {d} no longer renders after the patch: {err}")
    for d, out in after.outputs.items():
        if d in before.outputs:
            try:
                problems += out_of_scope(before.outputs[d], out, f"kustomize {d}")
            except ManifestError as exc:
                problems.append(str(exc))
    if problems:
        raise VerificationError(
            "the patched manifests failed verification; nothing was pushed:\n  "
            + "\n  ".join(problems)
        )
    return Verification(len(after_files), len(after.outputs), tuple(warnings))
