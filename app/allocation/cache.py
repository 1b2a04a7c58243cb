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


def _compute_and_store(
    lock: threading.Lock,
    inflight: dict[Hashable, threading.Lock],
    key: Hashable,
    compute: Callable[[], T],
    store: Callable[[Hashable, T], None],
) -> T:
    """Run one caller's computation; store the value and release the key together, so
    that no caller arrives between the two and computes again. A failure stores
    nothing and releases the key, so the next caller retries."""
    try:
        value = compute()
    except BaseException:
        with lock:
            inflight.pop(key, None)
        raise
    with lock:
        store(key, value)
        inflight.pop(key, None)
    return value


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

    def peek(self, key: Hashable) -> T | None:
        """The cached value, counted as a hit, or ``None`` without computing anything."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        return None

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
            return _compute_and_store(self._lock, self._inflight, key, compute, self._store)

    def _store(self, key: Hashable, value: T) -> None:
        self._data[key] = value
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class ShortLived(Generic[T]):
    """Remember a value for ``ttl`` seconds.

    Data changes at most a few times an hour (ingest, the allocation job) while pages
    and the API are asked many times a second: checking the data's version once per
    ``ttl`` instead of on every request keeps cache hits free of database round trips.
    Callers put ``app.data_generation.current()`` in the key, so writes made by this
    process show at once; another replica's writes show within ``ttl`` seconds (plus
    the time of one refresh).

    When a value expires under load, one caller refreshes it (the others wait for that
    refresh in ``get``, or keep getting the previous value from ``peek`` meanwhile):
    without this, every request arriving in that instant ran the same queries at once,
    and under 32 concurrent clients that stampede every ``ttl`` was the p95.
    """

    def __init__(self, ttl: float = 2.0, maxsize: int = 1024) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._lock = threading.Lock()
        # key -> (when its computation started, when it was stored, value)
        self._data: dict[Hashable, tuple[float, float, T]] = {}
        self._inflight: dict[Hashable, threading.Lock] = {}

    def _fresh(self, key: Hashable) -> tuple[float, float, T] | None:
        hit = self._data.get(key)
        return hit if hit is not None and time.monotonic() - hit[0] < self.ttl else None

    def peek(self, key: Hashable) -> T | None:
        """The value if fresh, or the previous one while another caller refreshes it;
        ``None`` means: call ``get`` (in a worker thread if it may do I/O)."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and (key in self._inflight or self._fresh(key) is not None):
                return hit[2]
        return None

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._fresh(key)
            if hit is not None:
                return hit[2]
            gate = self._inflight.setdefault(key, threading.Lock())
            arrived = time.monotonic()
        with gate:
            with self._lock:
                hit = self._data.get(key)
                if hit is not None and (hit[1] >= arrived or self._fresh(key) is not None):
                    return hit[2]  # refreshed by the caller we waited for
            started = time.monotonic()

            def store(key: Hashable, value: T) -> None:
                if len(self._data) >= self.maxsize:
                    self._data.clear()
                self._data[key] = (started, time.monotonic(), value)

            return _compute_and_store(self._lock, self._inflight, key, compute, store)
