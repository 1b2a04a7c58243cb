"""Write recommendations into manifest files: text in, text out, nothing else touched.

``patch_tree`` takes the files of a manifests directory (path -> text) and the
change requests, and returns the new text of every file it changed plus an
account of each edit and of each recommendation it could not place. It never
guesses: a workload found in several files that each set resources for the
container (say a base and two overlays) is reported as ambiguous, because
writing the production number into the dev overlay would be wrong.

Values keep the file's quoting (``cpu: "1"`` stays double-quoted) and an edit
changes only when the *quantity* changes: ``0.5`` and ``500m`` are equal, so a
spelling difference never makes a diff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from rightsizing.gitops.changes import FIELDS, ChangeRequest
from rightsizing.gitops.drift import changes_field, drift
from rightsizing.gitops.errors import GitOpsError, QuantityError
from rightsizing.gitops.locate import (
    ContainerSite,
    autoscaler_sites,
    container_sites,
    utilization_targets,
)
from rightsizing.gitops.quantities import format_quantity, parse_quantity, rounded
from rightsizing.gitops.yaml_io import YamlFile, is_yaml_name, load

NOT_FOUND = "not found in manifests"


@dataclass(frozen=True)
class Edit:
    """One value written: ``field`` is e.g. ``resources.requests.cpu`` or ``hpa.cpu``."""

    path: str
    workload: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Skipped:
    change: ChangeRequest
    reason: str


@dataclass
class TreePatch:
    files: dict[str, str] = field(default_factory=dict)  # only the files that changed
    edits: list[Edit] = field(default_factory=list)
    applied: list[ChangeRequest] = field(default_factory=list)
    already_applied: list[ChangeRequest] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.files)


def _styled(new: str, old: Any) -> Any:
    """The new value as a scalar of the same style as the old one."""
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(new)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(new)
    if new.isdigit():
        # Whole cores: a plain int where the file used one, else "2" (a plain 2 is an int).
        return (
            int(new)
            if isinstance(old, int) and not isinstance(old, bool)
            else (DoubleQuotedScalarString(new))
        )
    return new


def _insert(section: Any, key: str, value: Any) -> None:
    """Insert keeping the conventional order (cpu before memory, requests before limits)."""
    order = {"cpu": 0, "memory": 1, "requests": 0, "limits": 1}
    keys = list(section.keys())
    pos = len(keys)
    for i, k in enumerate(keys):
        if k in order and order[k] > order.get(key, 99):
            pos = i
            break
    section.insert(pos, key, value)


def _set_resource(
    site: ContainerSite, change: ChangeRequest, name: str, out: list[Edit], label: str
) -> None:
    if not changes_field(change, name):
        return
    resource, kind = name.split("_")  # cpu_request -> ("cpu", "request")
    section_name = "requests" if kind == "request" else "limits"
    desired = change.recommended.get(name)
    container = site.container
    resources = container.get("resources")
    section = resources.get(section_name) if isinstance(resources, dict) else None
    old = section.get(resource) if isinstance(section, dict) else None
    path = f"resources.{section_name}.{resource}"
    if desired is None:
        # Drop a value only when the engine saw one and chose none (e.g. no CPU limit);
        # a value the cluster never reported is not ours to remove.
        if old is None or change.current.get(name) is None or not isinstance(section, dict):
            return
        site.file.before_edit()
        del section[resource]
        if not section and isinstance(resources, dict):
            del resources[section_name]
        out.append(Edit(site.file.path, label, path, str(old), None))
        return
    if old is not None:
        try:
            if parse_quantity(old) == rounded(resource, desired):
                return
        except QuantityError as exc:
            raise QuantityError(f"{site.file.path}: {label} {path}: {exc}") from exc
    new = format_quantity(resource, desired)
    site.file.before_edit()
    if not isinstance(resources, dict):
        resources = CommentedMap()
        container["resources"] = resources
    if not isinstance(section, dict):
        section = CommentedMap()
        _insert(resources, section_name, section)
    if old is None:
        _insert(section, resource, _styled(new, None))
    else:
        section[resource] = _styled(new, old)
    out.append(Edit(site.file.path, label, path, None if old is None else str(old), new))


def _choose(sites: list[ContainerSite]) -> list[ContainerSite] | str:
    if len(sites) <= 1:
        return sites
    with_resources = [s for s in sites if s.has_resources]
    if len(with_resources) == 1:
        return with_resources
    where = ", ".join(sorted({s.file.path for s in sites}))
    return (
        f"ambiguous: declared with resources in several places ({where}); "
        "point git.manifests_path at the overlay of this cluster"
    )


def _patch_hpa(
    files: list[YamlFile], change: ChangeRequest, out: list[Edit], warn: list[str]
) -> None:
    label = change.ref.label()
    for adj in change.hpa:
        if not adj.kept or adj.new_value == round(adj.current_percent):
            continue
        sites = autoscaler_sites(files, change.ref)
        targets = [
            (s, t)
            for s in sites
            for t in utilization_targets(s, adj.resource, change.ref.container)
        ]
        if not targets:
            warn.append(f"{label}: no {adj.resource} utilization target found for the HPA change")
            continue
        for site, target in targets:
            key = "averageUtilization" if "averageUtilization" in target else "value"
            old = target[key]
            try:
                current = int(Decimal(str(old)))
            except ArithmeticError:
                warn.append(f"{site.file.path}: {label}: HPA target {old!r} is not a number")
                continue
            if current == adj.new_value:
                continue
            if current != round(adj.current_percent):
                warn.append(
                    f"{site.file.path}: {label}: HPA {adj.resource} target is {current}% in the "
                    f"file but {adj.current_percent:g}% in the cluster; left alone"
                )
                continue
            site.file.before_edit()
            # HPA targets are integers; KEDA metadata values are strings ("70").
            new: Any = (
                adj.new_value
                if key == "averageUtilization"
                else _styled(str(adj.new_value), old)
                if isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString)
                else DoubleQuotedScalarString(str(adj.new_value))
            )
            target[key] = new
            out.append(
                Edit(
                    site.file.path, label, f"hpa.{adj.resource}", f"{current}%", f"{adj.new_value}%"
                )
            )


def _mention(names: set[str]) -> re.Pattern[str]:
    """A whole-name match: ``svc-1`` must not select the file of ``svc-10``."""
    if not names:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w.-])")


def parse_files(
    files: Mapping[str, str], names: set[str] | None = None
) -> tuple[list[YamlFile], list[str]]:
    """Parse the YAML files; an unparsable one (e.g. a Helm template) is skipped with a warning.

    With ``names``, a file whose text mentions none of them is not parsed at all:
    a document about a workload always contains its name, and round-trip parsing
    is the slow part of a run (see docs/gitops.md, benchmark).
    """
    parsed: list[YamlFile] = []
    warnings: list[str] = []
    mention = _mention(names) if names is not None else None
    for path in sorted(files):
        if not is_yaml_name(path):
            continue
        text = files[path]
        if mention is not None and not mention.search(text):
            continue
        try:
            parsed.append(load(path, text))
        except GitOpsError as exc:
            warnings.append(f"skipped {exc}")
    return parsed, warnings


def patch_tree(files: Mapping[str, str], changes: Sequence[ChangeRequest]) -> TreePatch:
    parsed, warnings = parse_files(files, {c.ref.name for c in changes})
    result = TreePatch(warnings=warnings)
    for change in changes:
        choice = _choose(container_sites(parsed, change.ref))
        if isinstance(choice, str):
            result.skipped.append(Skipped(change, choice))
            continue
        if not choice:
            result.skipped.append(Skipped(change, NOT_FOUND))
            continue
        reason = drift(choice[0], change)
        if reason is not None:
            result.skipped.append(Skipped(change, reason))
            continue
        edits: list[Edit] = []
        for name in FIELDS:
            _set_resource(choice[0], change, name, edits, change.ref.label())
        _patch_hpa(parsed, change, edits, result.warnings)
        if edits:
            result.applied.append(change)
            result.edits.extend(edits)
        else:
            result.already_applied.append(change)
    for f in parsed:
        if f.style is not None:
            text = f.dump()
            if text != f.original:
                result.files[f.path] = text
            if not f.exact:
                result.warnings.append(
                    f"{f.path}: indentation style not fully detected; other lines may be re-indented"
                )
    return result
