"""Run one callable from many threads at the same instant and collect what they return."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_concurrently(n: int, target: Callable[[], T], timeout: float = 60) -> list[T]:
    """``n`` threads released together by a barrier; re-raises the first failure."""
    out: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def run() -> None:
        start.wait()
        try:
            value = target()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            with lock:
                errors.append(exc)
            return
        with lock:
            out.append(value)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    if errors:
        raise errors[0]
    return out
