"""Markdown that cannot be hijacked by what the cluster told us.

Workload, container and namespace names, notes and evidence labels come from
the cluster (or from annotations anyone with deploy rights can set). Put raw into
a PR body they could break a table (``|``), open a code span (`` ` ``), inject
HTML (``<script>``, ``<img onerror=...>``), ping people (``@org/team``) or link
issues (``#1``). ``cell`` neutralises all of these and keeps the text readable.
"""

from __future__ import annotations

MAX_CELL = 200
# One pass, so that an entity written for one character is never escaped again.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "@": "&#64;", "#": "&#35;"}
_ESCAPES.update({ch: "\\" + ch for ch in "\\`*_{}[]()!|~"})


def cell(value: object, max_len: int = MAX_CELL) -> str:
    """One table cell or inline text: single line, escaped, at most ``max_len`` characters."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)  # newlines, NUL, ESC, ...
    text = " ".join(text.split())
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    text = "".join(_ESCAPES.get(ch, ch) for ch in text)
    # A leading list, quote or setext marker would change the block's meaning.
    if text[:1] in {"-", "+", "=", ">"}:
        text = "\\" + text
    return text or " "


def table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub table from already-escaped cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
