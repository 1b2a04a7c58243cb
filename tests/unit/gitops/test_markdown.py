"""Escaping of cluster-supplied text in the PR body."""

from __future__ import annotations

import pytest

from rightsizing.gitops.markdown import cell, table


def test_table_breaking_pipe_is_escaped() -> None:
    assert cell("a|b") == "a\\|b"
    row = table(["x", "y"], [[cell("a|b"), cell("c")]]).splitlines()[2]
    # Exactly three unescaped separators: the row keeps its two columns.
    unescaped = [i for i, ch in enumerate(row) if ch == "|" and row[i - 1] != "\\"]
    assert len(unescaped) == 3


@pytest.mark.parametrize(
    ("raw", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<img src=x onerror="steal()">', "<img"),
        ("`code` span", "`code`"),
        ("@org/platform-team", "@org"),
        ("fixes #123", "#123"),
        ("[click](http://evil.example)", "[click]"),
        ("**bold**", "**bold**"),
        ("line1\nline2\r\n|---|", "\n"),
    ],
)
def test_hostile_text_cannot_format_link_ping_or_inject(raw: str, forbidden: str) -> None:
    out = cell(raw)
    assert forbidden not in out
    assert "\n" not in out


def test_escaped_text_stays_readable() -> None:
    assert cell("gateway-api") == "gateway-api"
    assert cell("a & b <c>") == "a &amp; b &lt;c&gt;"
    assert cell("@x#y") == "&#64;x&#35;y"  # one pass: the entities are not escaped again


def test_control_characters_and_length() -> None:
    assert cell("a\x00b\x1b[31mc") == "a b \\[31mc"
    long = cell("x" * 500, max_len=50)
    assert len(long) == 50 and long.endswith("…")
    assert cell("") == " "
    assert cell("- item").startswith("\\-")
