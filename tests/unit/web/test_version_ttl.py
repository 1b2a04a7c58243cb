"""The short-lived data-state memo of the pages and the API: reused within its TTL, refreshed after."""

from __future__ import annotations

import time

from app.allocation.cache import ShortLived


def test_version_is_reused_within_ttl_and_refreshed_after() -> None:
    memo: ShortLived[tuple[object, ...]] = ShortLived(ttl=0.2)
    calls: list[int] = []

    def compute() -> tuple[object, ...]:
        calls.append(1)
        return (len(calls),)

    assert memo.get("k", compute) == (1,)
    assert memo.get("k", compute) == (1,)
    assert memo.get("other", compute) == (2,)
    time.sleep(0.25)
    assert memo.get("k", compute) == (3,)
