"""The one error hierarchy of the rightsizing package.

Everything the engine, the strategies and the replay raise derives from
``RightsizingError`` so callers (the CLI, the weekly job) can catch one type and
show its message. "No recommendation" is *not* an error: it is a value
(``NoRecommendation``) because a container without enough data is a normal,
expected outcome that must be stored and shown with its reason.
"""

from __future__ import annotations


class RightsizingError(Exception):
    """Base class: something about the inputs or settings makes the request impossible."""


class InvalidInputError(RightsizingError, ValueError):
    """The container inputs are inconsistent (negative usage, unsorted time, NaN, ...)."""


class InvalidSettingError(RightsizingError, ValueError):
    """A strategy or guardrail setting is unknown or out of range."""


class UnknownStrategyError(RightsizingError, KeyError):
    """No strategy is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else "unknown strategy"


class UsageDataError(RightsizingError, ValueError):
    """Usage data cannot be used: a CSV replay input (the message names file and line) or
    the database (no usage stored for what was asked)."""


class InvalidRowError(UsageDataError):
    """One row of a usage CSV holds a value that cannot be used (empty, not a number,
    negative, NaN, a repeated timestamp, a wrong number of fields). The whole file is
    refused unless the caller asked to skip such rows and count them instead."""
