"""Every way reading Prometheus can fail, in one place.

All derive from :class:`collectors.records.CollectorError`, so the ingest job
records the message on the collection run and writes nothing. Messages name the
URL (never with credentials), the query and the HTTP status where there is one.
"""

from __future__ import annotations

from collectors.records import CollectorError


class PrometheusError(CollectorError):
    """Base class of the Prometheus source's errors."""


class PrometheusUnavailable(PrometheusError):
    """The server could not be reached, timed out, or answered 5xx."""


class PrometheusQueryError(PrometheusError):
    """The server rejected a query (HTTP 4xx or ``status: error``)."""


class PrometheusResponseError(PrometheusError):
    """The answer was not the JSON shape the HTTP API documents."""


class UnknownOwnerKind(PrometheusError):
    """A pod is owned by a controller kind we cannot map to a workload."""
