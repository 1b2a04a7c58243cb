"""How to reach one Prometheus-compatible server and prove who we are.

Real clusters expose Prometheus behind a bearer token (OpenShift, Grafana Cloud),
basic auth (nginx in front of Prometheus), a private CA, or Amazon Managed
Prometheus (SigV4 with the AWS credentials chain). Secrets are only ever named
here (a file or an environment variable) and read at request time, so a rotated
token is picked up without a restart and nothing secret sits in the config object
or its ``repr``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from collectors.prometheus.errors import PrometheusError


@dataclass(frozen=True)
class PrometheusConnection:
    """Where Prometheus is and how to authenticate.

    ``url`` is the base URL (``https://prom.example:9090`` or an AMP workspace URL
    ending in ``/workspaces/ws-.../``). At most one of bearer token, basic auth and
    SigV4 may be set. ``cluster_label``: when one Prometheus holds several clusters
    (Thanos, Mimir, AMP), the label that tells them apart; each collector then
    selects its own cluster's series with ``{cluster_label="<cluster>"}``.
    ``headers`` adds non-secret headers such as Mimir's ``X-Scope-OrgID``.
    ``compress_responses`` asks for gzip answers. Off by default: compressing costs
    the server about as much CPU as evaluating the query (1.7 -> 3.2 CPU-s per day of
    2,000 pods, docs/benchmarks-collectors.md), and next to the cluster's Prometheus
    the bytes are cheaper than its CPU. Turn it on over a slow or metered link
    (answers shrink about 7x).
    """

    url: str
    bearer_token_file: Path | None = None
    bearer_token_env: str | None = None
    basic_auth_user: str | None = None
    basic_auth_password_file: Path | None = None
    basic_auth_password_env: str | None = None
    ca_file: Path | None = None
    insecure_skip_verify: bool = False
    sigv4_region: str | None = None
    sigv4_service: str = "aps"
    cluster_label: str | None = None
    timeout: float = 60.0
    headers: Mapping[str, str] = field(default_factory=dict)
    compress_responses: bool = False

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(
                f"Prometheus url must be http(s)://host[:port][/path], got {self.safe_url!r}"
            )
        if parts.username or parts.password:
            raise ValueError(
                "Prometheus url must not carry credentials; use basic_auth_user and "
                "basic_auth_password_file instead"
            )
        schemes = [
            self.bearer_token_file is not None or self.bearer_token_env is not None,
            self.basic_auth_user is not None,
            self.sigv4_region is not None,
        ]
        if sum(schemes) > 1:
            raise ValueError("choose one of bearer token, basic auth and SigV4 for Prometheus")
        if self.basic_auth_user is not None and (
            self.basic_auth_password_file is None and self.basic_auth_password_env is None
        ):
            raise ValueError("basic_auth_user needs basic_auth_password_file or _env")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")

    @property
    def safe_url(self) -> str:
        """The URL without any user info or query string, safe for logs and errors."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def bearer_token(self) -> str | None:
        if self.bearer_token_file is not None:
            return _read_secret_file(self.bearer_token_file, "bearer token")
        if self.bearer_token_env is not None:
            return _read_secret_env(self.bearer_token_env, "bearer token")
        return None

    def basic_auth(self) -> tuple[str, str] | None:
        if self.basic_auth_user is None:
            return None
        if self.basic_auth_password_file is not None:
            password = _read_secret_file(self.basic_auth_password_file, "basic auth password")
        else:
            assert self.basic_auth_password_env is not None
            password = _read_secret_env(self.basic_auth_password_env, "basic auth password")
        return self.basic_auth_user, password

    def ssl_context(self) -> ssl.SSLContext | bool:
        """``verify`` for httpx: a context trusting ``ca_file``, or the default."""
        if self.insecure_skip_verify:
            return False
        if self.ca_file is None:
            return True
        try:
            return ssl.create_default_context(cafile=str(self.ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise PrometheusError(f"cannot load Prometheus CA file {self.ca_file}: {exc}") from exc


def _read_secret_file(path: Path, what: str) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PrometheusError(f"cannot read Prometheus {what} file {path}: {exc.strerror}") from exc
    if not value:
        raise PrometheusError(f"Prometheus {what} file {path} is empty")
    return value


def _read_secret_env(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise PrometheusError(f"environment variable {name} (Prometheus {what}) is not set")
    return value
