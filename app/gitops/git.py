"""The git CLI, run with a clean environment and the token kept out of argv and URLs.

Authentication goes through ``http.extraHeader`` set by ``GIT_CONFIG_COUNT`` /
``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n`` environment variables: command lines
are visible to every user of the machine (``ps``) and end up in logs, the
environment of our own child process is not. The user's global and system git
configuration is ignored (no surprise signing, hooks paths or credential
helpers), prompts are disabled so a bad token fails instead of hanging, and
every error message has the token (and its Base64 form) masked.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from app.gitops.errors import GitCommandError

AUTHOR_NAME = "tacos-finops"
AUTHOR_EMAIL = "finops@localhost"
TIMEOUT_S = 300
# GitHub takes any user name with a token as the password; GitLab expects "oauth2".
BASIC_USER = "x-access-token"


def check_repo_url(url: str) -> str:
    """Refuse URLs that carry credentials: they would be stored in .git/config and logged."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ssh", "git") and "@" in parts.netloc:
        user = parts.netloc.split("@", 1)[0]
        if ":" in user or parts.scheme in ("http", "https"):
            raise GitCommandError(
                "git.repo_url must not contain credentials; configure git.token instead"
            )
    return url


def _auth_header(token: str, user: str) -> str:
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    return f"Authorization: Basic {basic}"


class Git:
    """git in one working directory, with an optional token for HTTP(S) remotes."""

    def __init__(self, cwd: Path, token: str | None = None, auth_user: str = BASIC_USER):
        self.cwd = cwd
        self._secrets = [s for s in (token,) if s]
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("GIT_") and k not in ("SSH_ASKPASS", "SSH_AUTH_SOCK")
        }
        env.update(
            {
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ASKPASS": "true",  # answer any prompt with nothing, never block
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_AUTHOR_NAME": AUTHOR_NAME,
                "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
                "GIT_COMMITTER_NAME": AUTHOR_NAME,
                "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
                "LC_ALL": "C",
            }
        )
        config = [("commit.gpgsign", "false"), ("core.hooksPath", os.devnull)]
        if token:
            header = _auth_header(token, auth_user)
            self._secrets.append(header.removeprefix("Authorization: Basic "))
            config.append(("http.extraHeader", header))
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (k, v) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = k
            env[f"GIT_CONFIG_VALUE_{i}"] = v
        self._env = env

    def mask(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def run(self, *args: str, cwd: Path | None = None, check: bool = True) -> str:
        cmd = ["git", *args]
        try:
            proc = subprocess.run(  # noqa: S603 - fixed executable, no shell
                cmd,
                cwd=cwd or self.cwd,
                env=self._env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except FileNotFoundError:
            raise GitCommandError("git is not installed (not found on PATH)") from None
        except subprocess.TimeoutExpired:
            raise GitCommandError(f"git {args[0]} did not finish within {TIMEOUT_S} s") from None
        if check and proc.returncode != 0:
            detail = self.mask((proc.stderr or proc.stdout).strip())[-2000:]
            raise GitCommandError(f"git {args[0]} failed (exit {proc.returncode}): {detail}")
        return proc.stdout

    # -- the operations the job uses ------------------------------------------------------

    def clone(self, url: str, branch: str) -> None:
        """Shallow clone of ``branch`` into ``self.cwd`` (which must not exist yet)."""
        check_repo_url(url)
        self.run(
            "clone",
            "--quiet",
            "--no-tags",
            "--depth",
            "1",
            "--branch",
            branch,
            "--single-branch",
            "--",
            url,
            str(self.cwd),
            cwd=self.cwd.parent,
        )

    def remote_head(self, branch: str) -> str | None:
        out = self.run("ls-remote", "--heads", "origin", f"refs/heads/{branch}")
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch_tree(self, branch: str) -> str | None:
        """The tree id of the remote ``branch``'s head, or None when it does not exist."""
        if self.remote_head(branch) is None:
            return None
        self.run("fetch", "--quiet", "--no-tags", "--depth", "1", "origin", f"refs/heads/{branch}")
        return self.run("rev-parse", "FETCH_HEAD^{tree}").strip()

    def checkout_new(self, branch: str) -> None:
        self.run("checkout", "--quiet", "-B", branch)

    def diff(self, paths: Sequence[str] = ()) -> str:
        return self.run("diff", "--no-color", "--no-ext-diff", "--", *paths)

    def commit_all(self, message: str, paths: Sequence[str]) -> str:
        self.run("add", "--", *paths)
        self.run("commit", "--quiet", "--no-verify", "-m", message)
        return self.run("rev-parse", "HEAD").strip()

    def tree(self, rev: str = "HEAD") -> str:
        return self.run("rev-parse", f"{rev}^{{tree}}").strip()

    def push(self, branch: str, expected: str | None) -> None:
        """Force-push our own branch, but only over the commit we saw (or onto nothing)."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.run("push", "--quiet", "--porcelain", lease, "origin", f"HEAD:refs/heads/{branch}")
