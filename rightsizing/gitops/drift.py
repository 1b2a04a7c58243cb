"""The drift guard: write a change only over the values the engine started from.

The engine's numbers (a halving step, an HPA target, the saving) are relative to
what the cluster runs. A manifest that says something else (an unsynced overlay,
the wrong ``manifests_path``) must not receive them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rightsizing.gitops.changes import FIELDS, ChangeRequest
from rightsizing.gitops.errors import QuantityError
from rightsizing.gitops.locate import ContainerSite
from rightsizing.gitops.quantities import human, parse_quantity, rounded


def _file_value(site: ContainerSite, name: str) -> Any:
    resource, kind = name.split("_")
    resources = site.container.get("resources")
    section = (
        resources.get("requests" if kind == "request" else "limits")
        if isinstance(resources, dict)
        else None
    )
    return section.get(resource) if isinstance(section, dict) else None


def _same(resource: str, in_file: Any, value: Decimal | None) -> bool:
    if in_file is None or value is None:
        return in_file is None and value is None
    try:
        return rounded(resource, parse_quantity(in_file)) == rounded(resource, value)
    except QuantityError:
        return False


def changes_field(change: ChangeRequest, name: str) -> bool:
    """The engine asks for a new value: recommended differs from what the cluster runs.

    A field it leaves as it is (recommended == current) is not written, whatever the
    file holds: the recommendation has no opinion about it.
    """
    resource = name.split("_")[0]
    rec, cur = change.recommended.get(name), change.current.get(name)
    if rec is None or cur is None:
        return (rec is None) != (cur is None)
    return rounded(resource, rec) != rounded(resource, cur)


def drift(site: ContainerSite, change: ChangeRequest) -> str | None:
    """Why the file cannot take this change: it does not hold what the cluster runs.

    The engine's numbers (a halving step, the HPA target, the saving) are relative to
    the cluster's current values. Written over a file that says something else they
    could, say, triple a request the repository thought was small. Only values that
    would change are compared.
    """
    differences = []
    for name in FIELDS:
        resource = name.split("_")[0]
        in_file = _file_value(site, name)
        if not changes_field(change, name) or _same(
            resource, in_file, change.recommended.get(name)
        ):
            continue
        cluster = change.current.get(name)
        if not _same(resource, in_file, cluster):
            shown = "unset" if in_file is None else str(in_file)
            differences.append(
                f"{name.replace('_', ' ')} {shown} in the file, {human(resource, cluster)} in the cluster"
            )
    if not differences:
        return None
    return (
        f"manifest differs from the cluster ({'; '.join(differences)}); not applied: "
        "is git.manifests_path the tree this cluster runs, and is it synced?"
    )
