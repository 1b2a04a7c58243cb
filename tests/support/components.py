"""Decide whether a test that needs an external component runs, skips or fails.

Locally a missing component (PostgreSQL, Prometheus, Chromium) skips the test with
the reason. Under CI (``CI=true``) the same absence is a failure: CI installs and
starts every component, so a skip there would hide a broken pipeline.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when ``available`` is false."""
    if available:
        return
    if in_ci():
        pytest.fail(f"required component missing under CI: {reason}")
    pytest.skip(reason)


def require_binary(name: str, hint: str = "") -> str:
    """Return the path of an executable, or skip/fail naming the package to install."""
    path = shutil.which(name)
    require(path is not None, f"`{name}` not found on PATH{'; ' + hint if hint else ''}")
    assert path is not None
    return path


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
