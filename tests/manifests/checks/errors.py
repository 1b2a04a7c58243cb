"""The one error tree of the manifest checks.

A *finding* is a problem in the manifests and is returned, never raised. These exceptions
mean a check could not run: reporting "no findings" then would hide the problem.
"""

from __future__ import annotations


class ManifestCheckError(Exception):
    """A check could not run."""


class RenderError(ManifestCheckError):
    """``kubectl kustomize`` failed or printed something that is not Kubernetes YAML."""


class SchemaMissingError(ManifestCheckError):
    """No schema (built-in or CRD) is known for a kind we render."""


class ModelError(ManifestCheckError):
    """The capacity model (namespace annotations, capacity-model ConfigMap) is malformed."""
