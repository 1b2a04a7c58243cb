"""The service's error hierarchy, documented in one place.

Every error the service raises on purpose derives from ``FinopsError``; the web
layer maps the subclasses to HTTP statuses once (``app.web.errors``) and the CLI
prints their message without a traceback.
"""

from __future__ import annotations


class FinopsError(Exception):
    """Base class: the message is meant for the user."""


class ConfigError(FinopsError):
    """The configuration file or an environment override is wrong or missing."""


class DatabaseError(FinopsError):
    """The database is unreachable or its schema is not at the expected revision."""


class NotFoundError(FinopsError):
    """A requested object does not exist."""


class InvalidParameterError(FinopsError):
    """A request parameter is malformed. ``parameter`` names it for the 422 answer."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.detail = message


class AuthError(FinopsError):
    """Missing or invalid credentials (401)."""


class ForbiddenError(FinopsError):
    """Authenticated, but the role does not allow this (403)."""
