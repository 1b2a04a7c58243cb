"""Every way reading the Kubernetes API can fail, in one place.

All derive from :class:`collectors.records.CollectorError`. A 403 names the verb,
resource and namespace the service account lacks, so the fix is one RBAC rule.
"""

from __future__ import annotations

from collectors.records import CollectorError


class KubernetesError(CollectorError):
    """Base class of the Kubernetes source's errors."""


class KubernetesConfigError(KubernetesError):
    """The kubeconfig or in-cluster configuration could not be loaded."""


class KubernetesForbidden(KubernetesError):
    """The API server answered 401 or 403: missing credentials or RBAC."""


class KubernetesUnavailable(KubernetesError):
    """The API server could not be reached, timed out, or answered 5xx."""


class KubernetesSpecError(KubernetesError):
    """An object's spec could not be read (e.g. an unparsable quantity)."""
