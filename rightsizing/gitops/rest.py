"""The HTTP plumbing both forge providers share: one base URL, one error mapping.

Only the configured base URL is ever contacted: redirects are not followed and a
pagination ``Link`` that points elsewhere is ignored, because every request carries
the token. Statuses become the ``ProviderError`` subclasses of ``errors``; messages
name the forge, the call, the path and the forge's own explanation, never the token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from rightsizing.gitops.errors import (
    AuthenticationError,
    PermissionDeniedError,
    ProviderError,
    RepositoryNotFoundError,
    RequestRejectedError,
    ServerError,
)

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


def forge_message(resp: httpx.Response) -> str:
    """GitHub's ``message`` + ``errors[]``, GitLab's ``message`` (str, list or dict) or ``error``."""
    try:
        data = resp.json()
    except ValueError:
        return resp.reason_phrase or "no details"
    if not isinstance(data, dict):
        return "no details"
    parts: list[str] = []
    message = data.get("message", data.get("error", ""))
    if isinstance(message, list):
        parts += [str(m) for m in message]
    elif isinstance(message, dict):
        parts += [f"{k}: {v}" for k, v in message.items()]
    else:
        parts.append(str(message))
    for err in data.get("errors") or []:
        if isinstance(err, dict):
            parts.append(str(err.get("message") or err.get("code") or ""))
        else:
            parts.append(str(err))
    text = "; ".join(p.strip() for p in parts if p and p.strip()) or "no details"
    return text[:300]


class RestClient:
    def __init__(
        self,
        forge: str,
        api_url: str,
        token: str,
        auth_headers: dict[str, str],
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not token or any(ch.isspace() for ch in token):
            raise AuthenticationError(f"the {forge} token is empty or contains whitespace")
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
            raise ProviderError(
                f"api_url must be an http(s) URL without credentials, got {api_url!r}"
            )
        self.forge = forge
        self.base = api_url.rstrip("/") + "/"
        self._token = token
        self._client = httpx.Client(
            base_url=self.base,
            headers={"User-Agent": "tacos-finops", **auth_headers},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(
                f"{self.forge} {what}: no answer from {self.base} ({type(exc).__name__})"
            ) from None
        if resp.is_success:
            return resp
        where = urlsplit(str(resp.request.url)).path
        msg = f"{self.forge} {what} ({method} {where}): HTTP {resp.status_code}: {forge_message(resp)}"
        msg = msg.replace(self._token, "***")
        status = resp.status_code
        if status == 401:
            raise AuthenticationError(msg + " — check the token (expired or revoked?)", status)
        if status == 403:
            raise PermissionDeniedError(
                msg + " — the token needs write access to the repository and its pull requests",
                status,
            )
        if status == 404:
            raise RepositoryNotFoundError(
                msg + " — check git.repository, or the token cannot see it", status
            )
        if status in (409, 422):
            raise RequestRejectedError(msg, status)
        if status >= 500:
            raise ServerError(msg, status)
        raise ProviderError(msg, status)

    def json(self, resp: httpx.Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise ServerError(
                f"{self.forge} {what}: the answer is not JSON", resp.status_code
            ) from None

    def list_items(
        self, path: str, what: str, params: dict[str, str], max_pages: int = 20
    ) -> Iterator[Any]:
        """Every item of a paginated list answer, following ``Link: rel="next"``
        (only within our base URL) for at most ``max_pages`` pages."""
        url: str | None = path
        page_params: dict[str, str] | None = params
        for _ in range(max_pages):
            if url is None:
                return
            resp = self.request("GET", url, what, params=page_params)
            data = self.json(resp, what)
            if not isinstance(data, list):
                raise ServerError(f"{self.forge} {what}: expected a list", resp.status_code)
            yield from data
            url, page_params = self.next_page(resp), None

    def next_page(self, resp: httpx.Response) -> str | None:
        m = _NEXT.search(resp.headers.get("link", ""))
        if not m:
            return None
        url = urljoin(self.base, m.group(1))
        return url if url.startswith(self.base) else None
