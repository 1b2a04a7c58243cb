"""The demo source's errors, in one place.

``DemoError`` is a ``CollectorError`` so that ingest treats a broken demo exactly
like any other failed source. ``DemoConfigError`` is also a ``ValueError``: it is
raised at construction for arguments that could never produce a cluster, before any
data is generated, so nothing half-built ever reaches the database.
"""

from __future__ import annotations

from collectors.records import CollectorError


class DemoError(CollectorError):
    """The demo cluster could not produce records."""


class DemoConfigError(DemoError, ValueError):
    """An argument of ``DemoCollector`` is out of range or of the wrong type."""
