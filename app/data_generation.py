"""A process-local counter of data writes, for caches that must never serve stale data.

Every write path in this process (ingest, the allocation job) calls ``bump()``;
caches include ``current()`` in their keys, so a write made here is visible to the
next request at once. Writes by *other* processes (another replica) are picked up
by the caches' own short time-to-live.
"""

from __future__ import annotations

import itertools
import threading

_lock = threading.Lock()
_counter = itertools.count(1)
_value = 0


def bump() -> int:
    global _value
    with _lock:
        _value = next(_counter)
        return _value


def current() -> int:
    return _value
