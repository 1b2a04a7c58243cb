"""Pagination for long tables: one place decides bounds, so every table behaves the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def clamp(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), min(MAX_PER_PAGE, max(1, per_page))


def paginate(rows: list[T], page: int, per_page: int) -> Page[T]:
    """Slice an in-memory list; a page past the end shows the last page."""
    page, per_page = clamp(page, per_page)
    total = len(rows)
    last = max(1, -(-total // per_page))
    page = min(page, last)
    start = (page - 1) * per_page
    return Page(rows[start : start + per_page], page, per_page, total)
