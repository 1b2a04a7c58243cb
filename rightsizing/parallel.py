"""Per-container work on several processes: the fleet map.

Why processes: the engine is numpy on small arrays (a few thousand points per
container), so its time is interpreter and numpy call overhead, which holds the GIL;
threads would not run it in parallel. Containers are independent until the fleet
calibration pools their results, so the work splits into ranges of containers, each
run by ``fn`` in a worker process, and comes back in order.

Where the platform can fork (Linux), each map forks its workers *after* the
containers are in memory, so the workers read them from the copy-on-write copy of
the caller's memory: nothing but the results crosses a pipe (shipping 500 containers
of 14 days at 5 minutes costs 0.2 s per map, as much as the work it would save), and
a fork starts in milliseconds without re-importing the caller's main module. A
forked worker runs only the engine on its range, never the code of the caller's other
threads, so locks those threads held at the fork do not matter to it. Elsewhere the
containers are pickled to spawned workers. Small fleets stay serial.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 200
"""Below this many containers per worker, starting the workers costs more than it saves."""

_SHARED: Sequence[Any] = ()
_SHARED_LOCK = threading.Lock()  # one forked map at a time per process: _SHARED is global


class FleetMap(Protocol):
    def __call__(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


def serial_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(x) for x in items]


def _run_chunk(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(x) for x in chunk]


def _run_shared_range(fn: Callable[[Any], R], lo: int, hi: int) -> list[R]:
    return [fn(x) for x in _SHARED[lo:hi]]


def default_workers() -> int:
    """One per CPU this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def workers_for(items: int, workers: int | None) -> int:
    """How many processes ``items`` containers are worth (1: run serially)."""
    wanted = default_workers() if workers is None or workers <= 0 else workers
    return max(1, min(wanted, items // MIN_PER_WORKER))


def _ranges(n: int, workers: int) -> tuple[list[int], list[int]]:
    size = math.ceil(n / (workers * 4))  # a few ranges each, so the workers finish together
    los = list(range(0, n, size))
    return los, [min(lo + size, n) for lo in los]


def _forked_map(workers: int, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    global _SHARED
    los, his = _ranges(len(items), workers)
    with _SHARED_LOCK:
        _SHARED = items
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                parts = list(pool.map(_run_shared_range, [fn] * len(los), los, his))
        finally:
            _SHARED = ()
    return [r for part in parts for r in part]


@contextmanager
def process_map(workers: int) -> Iterator[FleetMap]:
    """A ``FleetMap`` over ``workers`` processes (serial for one)."""
    if workers <= 1:
        yield serial_map
        return
    if "fork" in multiprocessing.get_all_start_methods():

        def forked(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
            return _forked_map(workers, fn, items) if len(items) > 1 else serial_map(fn, items)

        yield forked
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:

        def spawned(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
            if len(items) < 2:
                return serial_map(fn, items)
            los, his = _ranges(len(items), workers)
            chunks = [items[lo:hi] for lo, hi in zip(los, his, strict=True)]
            parts = pool.map(_run_chunk, [fn] * len(chunks), chunks)
            return [r for part in parts for r in part]

        yield spawned
