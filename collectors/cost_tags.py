"""Resolve a workload's cost tags from Kubernetes labels.

A cost tag is one business dimension (service, team, ...) with a Kubernetes label
name and an AWS tag key. The workload takes the value from its pod-template labels
first, then from its namespace's labels, so a team can label a whole namespace once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CostTag:
    """One dimension: ``name`` in our model, ``label`` in Kubernetes, ``aws_tag`` in AWS."""

    name: str
    label: str
    aws_tag: str


def resolve_cost_tags(
    tags: tuple[CostTag, ...] | list[CostTag],
    pod_labels: Mapping[str, str],
    namespace_labels: Mapping[str, str],
) -> dict[str, str]:
    """Map each cost tag name to its value; tags without a value are left out."""
    out: dict[str, str] = {}
    for tag in tags:
        value = pod_labels.get(tag.label)
        if value is None or value == "":
            value = namespace_labels.get(tag.label)
        if value:
            out[tag.name] = value
    return out
