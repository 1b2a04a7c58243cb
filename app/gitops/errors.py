"""Errors of the rightsizing PR job; all are ``FinopsError`` so the CLI prints them cleanly."""

from __future__ import annotations

from app.errors import FinopsError


class GitOpsJobError(FinopsError):
    """Base class of the job's own errors."""


class GitCommandError(GitOpsJobError):
    """A git command failed; the message carries git's stderr with any secret masked."""


class VerificationError(GitOpsJobError):
    """The patched manifests failed a check (parse, scope of the change, kustomize render)."""
