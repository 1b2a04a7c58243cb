"""The one error hierarchy of the GitOps part of rightsizing, documented in one place.

``GitOpsError``
    ``ManifestError``      a manifest file cannot be read as YAML or has an impossible shape
    ``QuantityError``      a Kubernetes quantity in a manifest cannot be parsed
    ``ProviderError``      the Git forge's API refused or failed a request
        ``AuthenticationError``  401: the token is missing, wrong or expired
        ``PermissionDeniedError`` 403: the token may not do this (scopes, rate limit)
        ``RepositoryNotFoundError`` 404: no such repository or pull request (or no access)
        ``RequestRejectedError``  422: the forge rejected the request's content
        ``ServerError``           5xx or a transport failure: retry later

Messages never contain the token: providers build them from the status code, the
method, the path and the forge's own ``message`` field.
"""

from __future__ import annotations


class GitOpsError(Exception):
    """Base class: the message is meant for the user."""


class ManifestError(GitOpsError):
    """A manifest cannot be parsed or has a shape the patcher cannot edit safely."""


class QuantityError(GitOpsError, ValueError):
    """A CPU or memory quantity is not a valid Kubernetes quantity."""


class ProviderError(GitOpsError):
    """The forge's API answered with an error. ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationError(ProviderError):
    """401: the token is missing, wrong or expired."""


class PermissionDeniedError(ProviderError):
    """403: the token lacks a scope, the repository is archived, or a rate limit hit."""


class RepositoryNotFoundError(ProviderError):
    """404: the repository or pull request does not exist, or the token cannot see it."""


class RequestRejectedError(ProviderError):
    """422: the forge rejected the content (e.g. a duplicate pull request, unknown base)."""


class ServerError(ProviderError):
    """5xx or no answer at all: the forge is down or unreachable; retry on the next run."""
