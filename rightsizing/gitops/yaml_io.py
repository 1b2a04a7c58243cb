"""Round-trip YAML: read a manifest file and write it back byte-for-byte where untouched.

ruamel.yaml keeps comments, key order and (with ``preserve_quotes``) quoting, but
it re-indents every block to its configured style. A file written with a
different style would come back with dozens of changed lines, so the style is
*detected*: each common (mapping, sequence, offset) combination is tried and the
first that reproduces the unmodified file exactly wins. Without an exact match
the closest one is used and ``exact`` is False, so callers can say so.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from rightsizing.gitops.errors import ManifestError

# (mapping, sequence, offset): kubectl/kustomize style first, then the other common ones.
_STYLES = ((2, 4, 2), (2, 2, 0), (2, 4, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (4, 2, 0))
WIDTH = 1 << 16  # never re-wrap long lines


@dataclass(frozen=True)
class Style:
    mapping: int
    sequence: int
    offset: int


def _yaml(style: Style) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    y.width = WIDTH
    return y


@dataclass
class YamlFile:
    """The documents of one file plus the style to write them back in.

    The style is detected lazily by ``before_edit`` (dumping every file of a repo
    six times would be wasted work when only a few files change), and must be
    detected before the documents are modified.
    """

    path: str
    documents: list[Any]
    original: str
    style: Style | None = None
    exact: bool = False

    def before_edit(self) -> None:
        if self.style is not None:
            return
        best: tuple[int, Style] | None = None
        for m, s, o in _STYLES:
            style = Style(m, s, o)
            out = self._dump(style)
            if out == self.original:
                self.style, self.exact = style, True
                return
            cost = _changed_lines(self.original, out)
            if best is None or cost < best[0]:
                best = (cost, style)
        assert best is not None
        self.style, self.exact = best[1], False

    def _dump(self, style: Style) -> str:
        buf = io.StringIO()
        _yaml(style).dump_all(self.documents, buf)
        return _restore_leading(self.original, buf.getvalue())

    def dump(self) -> str:
        if self.style is None:
            return self.original
        return self._dump(self.style)


_PREAMBLE = re.compile(r"\A((?:[ \t]*(?:#[^\n]*)?\n)*---[^\n]*\n)")


def _restore_leading(original: str, dumped: str) -> str:
    """ruamel drops comments before, and the marker of, an explicit first ``---``: restore them."""
    m = _PREAMBLE.match(original)
    if m and not dumped.startswith(m.group(1)):
        return m.group(1) + dumped
    return dumped


def _changed_lines(a: str, b: str) -> int:
    sm = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")


def load(path: str, text: str) -> YamlFile:
    """Parse every document of ``text``; raise ``ManifestError`` naming the file and line."""
    try:
        docs = list(_yaml(Style(*_STYLES[0])).load_all(text))
    except YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}") from exc
    return YamlFile(path, docs, text)


def is_yaml_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))
