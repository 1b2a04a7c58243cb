"""Secrets are configured by reference, never by value.

A ``SecretRef`` names an environment variable or a file (e.g. a mounted Kubernetes
Secret). The value is read when it is used, so it never sits in the settings object
that gets logged or printed, and a rotated file is picked up without a restart.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from app.errors import ConfigError


class SecretRef(BaseModel):
    """Exactly one of ``env`` or ``file``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret reference needs exactly one of `env` or `file`")
        return self

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"file:{self.file}"

    def read(self) -> str:
        """Return the secret, or raise ``ConfigError`` naming the reference (not the value)."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(f"secret environment variable {self.env} is not set or empty")
            return value
        assert self.file is not None
        try:
            value = self.file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read secret file {self.file}: {exc.strerror}") from exc
        if not value:
            raise ConfigError(f"secret file {self.file} is empty")
        return value

    def __repr__(self) -> str:
        return f"SecretRef({self.describe()})"
