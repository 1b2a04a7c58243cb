from __future__ import annotations

import threading
import time

import pytest

from app.allocation.cache import ResultCache, ShortLived
from tests.support.concurrency import run_concurrently


def test_hits_misses_and_lru_eviction() -> None:
    cache: ResultCache[int] = ResultCache(maxsize=2)
    assert cache.get_or_compute("a", lambda: 1) == 1
    assert cache.get_or_compute("a", lambda: 2) == 1
    cache.get_or_compute("b", lambda: 3)
    cache.get_or_compute("c", lambda: 4)  # evicts "a", the least recently used
    assert cache.get_or_compute("a", lambda: 5) == 5
    assert (cache.hits, cache.misses) == (1, 4)


def test_concurrent_misses_compute_once() -> None:
    cache: ResultCache[int] = ResultCache()
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1


def test_a_failed_computation_is_not_cached() -> None:
    cache: ResultCache[int] = ResultCache()

    def boom() -> int:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", boom)
    assert cache.get_or_compute("k", lambda: 7) == 7
    with pytest.raises(ValueError, match="maxsize"):
        ResultCache(maxsize=0)


def test_peek_never_computes_and_counts_hits() -> None:
    cache: ResultCache[int] = ResultCache()
    assert cache.peek("a") is None
    assert cache.misses == 0 and cache.hits == 0
    cache.get_or_compute("a", lambda: 7)
    assert cache.peek("a") == 7
    assert cache.hits == 1


def test_short_lived_refreshes_once_under_concurrency() -> None:
    """An expired value under load is refreshed by one caller, not by all of them."""
    memo: ShortLived[int] = ShortLived(ttl=0.05)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.1)
        return len(calls)

    assert memo.get("k", slow) == 1
    time.sleep(0.06)
    assert memo.peek("k") is None  # expired and nobody refreshing: the caller must get()
    results = run_concurrently(12, lambda: memo.get("k", slow))
    assert results == [2] * 12
    assert len(calls) == 2


def test_short_lived_peek_serves_the_previous_value_while_one_refreshes() -> None:
    memo: ShortLived[str] = ShortLived(ttl=0.05)
    memo.get("k", lambda: "old")
    time.sleep(0.06)
    refreshing = threading.Event()
    release = threading.Event()

    def refresh() -> str:
        refreshing.set()
        release.wait(5)
        return "new"

    worker = threading.Thread(target=lambda: memo.get("k", refresh))
    worker.start()
    assert refreshing.wait(5)
    assert memo.peek("k") == "old"  # stale, but only while the refresh is in flight
    release.set()
    worker.join(5)
    assert memo.peek("k") == "new"


def test_short_lived_failed_refresh_is_retried_and_not_stored() -> None:
    memo: ShortLived[int] = ShortLived(ttl=10)

    def broken() -> int:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        memo.get("k", broken)
    assert memo.peek("k") is None
    assert memo.get("k", lambda: 3) == 3
