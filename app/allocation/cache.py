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
