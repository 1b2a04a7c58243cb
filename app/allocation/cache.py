"""A small in-process cache of rendered allocation answers, keyed by a data version.

Summing 90 days × 1,000 workloads costs a few hundred milliseconds of database time,
and dashboards ask the same few windows again and again while the data changes
about hourly. The key therefore includes a *version* of the data behind the answer
(``queries.data_version``: how many days are stored in the window and when the last
was computed, plus the inventory's last change), so an answer is reused until the
allocation job or ingest changes what it was built from, never after.
Concurrent misses on one key compute once (the others wait for that result).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ResultCache(Generic[T]):
    def __init__(self, maxsize: int = 128) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            gate = self._inflight.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._data:  # computed by the thread we waited for
                    self.hits += 1
                    return self._data[key]
                self.misses += 1
            try:
                value = compute()
            finally:
                with self._lock:
                    self._inflight.pop(key, None)
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class ShortLived(Generic[T]):
    """Remember a value for ``ttl`` seconds.

    Data changes at most a few times an hour (ingest, the allocation job) while pages
    and the API are asked many times a second: checking the data's version once per
    ``ttl`` instead of on every request keeps cache hits free of database round trips.
    Callers put ``app.data_generation.current()`` in the key, so writes made by this
    process show at once; another replica's writes show within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 2.0, maxsize: int = 1024) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._data: dict[Hashable, tuple[float, T]] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                return hit[1]
        value = compute()
        with self._lock:
            if len(self._data) >= self.maxsize:
                self._data.clear()
            self._data[key] = (now, value)
        return value
