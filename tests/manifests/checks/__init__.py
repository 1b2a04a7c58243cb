"""Checks over rendered Kubernetes manifests.

Every check takes the rendered objects of one overlay (plain dicts, as ``kubectl kustomize``
prints them) and returns a list of :class:`~tests.manifests.checks.findings.Finding`: an empty
list means the check passed. Checks never raise for a problem in the manifests; they raise
:class:`~tests.manifests.checks.errors.ManifestCheckError` only when they cannot run at all
(kustomize fails, a schema is missing, the capacity model is malformed).
"""
