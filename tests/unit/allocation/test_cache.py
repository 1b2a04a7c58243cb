from __future__ import annotations

import threading
import time

import pytest

from app.allocation.cache import ResultCache


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
