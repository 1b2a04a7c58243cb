"""Auth errors. They derive from the app's ``AuthError`` (401) and ``ForbiddenError``
(403), so the API answers with those statuses; ``LoginRequiredError`` additionally
lets browser pages redirect to the login form instead of showing JSON."""

from __future__ import annotations

from app.errors import AuthError, ForbiddenError


class LoginRequiredError(AuthError):
    """No valid credentials on a request for an HTML page."""

    def __init__(self, message: str, next_path: str) -> None:
        super().__init__(message)
        self.next_path = next_path


class PermissionDeniedError(ForbiddenError):
    """Authenticated, but the role lacks the permission."""


class CsrfError(ForbiddenError):
    """A form was posted without a valid CSRF token."""


class TokenError(AuthError):
    """A token is unknown, revoked, expired or malformed."""
