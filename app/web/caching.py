"""Cache reads for ``async`` endpoints: a hit on the event loop, a miss in a worker thread.

Why. A page or API answer served from an in-process cache costs well under a
millisecond, but a plain ``def`` endpoint pays a hop to a worker thread and back on
every request, which under load cost more than the answer itself
(docs/benchmarks-dashboard.md). Computing a miss means database queries, which must
never run on the event loop, so only the miss goes to a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from app.allocation.cache import ResultCache, ShortLived

T = TypeVar("T")


async def cached(cache: ResultCache[T], key: Hashable, compute: Callable[[], T]) -> T:
    """``cache``'s value for ``key``; on a miss ``compute`` runs once, in a worker thread."""
    hit = cache.peek(key)
    if hit is not None:
        return hit
    return await run_in_threadpool(cache.get_or_compute, key, compute)


async def remembered(cache: ShortLived[T], key: Hashable, compute: Callable[[], T]) -> T:
    """``cache``'s fresh value for ``key``, else ``compute`` in a worker thread."""
    hit = cache.peek(key)
    if hit is not None:
        return hit
    return await run_in_threadpool(cache.get, key, compute)
