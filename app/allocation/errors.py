"""The allocation area's errors, in one place.

``AllocationError`` derives from ``FinopsError`` so the CLI prints its message
cleanly. Errors about a user-supplied parameter carry its name: the web layer turns
them into ``InvalidParameterError`` (a 422 naming the parameter).
"""

from __future__ import annotations

from app.errors import FinopsError


class AllocationError(FinopsError):
    """Base class of every allocation error; the message is meant for the user."""


class ParameterError(AllocationError):
    """A window, step, aggregate or option string is malformed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.detail = message


class InputDataError(AllocationError):
    """Stored inputs are inconsistent in a way the arithmetic cannot absorb."""
