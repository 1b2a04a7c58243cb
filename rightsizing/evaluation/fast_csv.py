"""A fast path for the common usage CSV: numeric columns parsed by numpy in blocks.

Why: the careful parser (``loader.parse_usage_csv``) reads a row at a time in Python,
about half a million rows a second; a production export of tens of millions of rows
then takes most of a minute before the replay starts. Most exports are plain: the
required columns and memory, numbers in C notation, unquoted ids, one line per row.
Those are read here, a block of lines at a time, by ``numpy.loadtxt`` (several times
faster), into the same arrays.

The fast path never judges a file. On anything it does not read exactly as the
careful parser would (quotes, spaces, blank lines, ISO timestamps, a bad or missing
value, a repeated timestamp, optional columns) it gives up and returns
None, and the caller reads the file again with the careful parser, which accepts it
or names the first bad line. So a clean file is read fast and a messy one exactly as
before; the tests hold the two parsers to the same arrays.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from rightsizing.evaluation.plausibility import LARGEST_SECONDS
from rightsizing.evaluation.series import ReplaySeries, median_step
from rightsizing.inputs import Resources

FloatArray = NDArray[np.float64]

#: Characters read per block (plus the rest of the last line): a few hundred thousand
#: rows, so the block's arrays stay small beside the series they go into.
BLOCK_CHARS = 8 << 20
#: Longer lines give up (the id column is read as fixed-width text, as wide as the
#: longest line of the block).
MAX_LINE = 512
_COLUMNS = ("series_id", "timestamp_s", "cpu_cores", "memory_bytes")

Parts = dict[str, list[tuple[FloatArray, FloatArray, FloatArray]]]


@dataclass(frozen=True)
class PlainFile:
    series: list[ReplaySeries]
    rows: int
    dropped_zero_rows: int  # as ``LoadedUsage``
    cpu_only_series: int


def read_plain(
    handle: TextIO,
    delimiter: str,
    columns: list[str],
    progress: Callable[[int], None] | None,
    progress_rows: int,
) -> PlainFile | None:
    """A plain file whose header (already read) names ``columns``; None where the
    careful parser must read it."""
    if sorted(columns) not in (sorted(_COLUMNS), sorted(_COLUMNS[:3])):
        return None
    parts: Parts = {}
    zeros: Parts = {}  # rows with zero CPU and memory: absent pods, or idle CPU-only ones
    rows = 0
    while True:
        block = handle.read(BLOCK_CHARS)
        if not block:
            break
        if not block.endswith("\n"):
            block += handle.readline()
        read = _block(block, delimiter, columns, parts, zeros)
        if read is None:
            return None
        if progress is not None:  # as the careful parser: each multiple of progress_rows
            first = (rows // progress_rows + 1) * progress_rows
            for passed in range(first, rows + read + 1, progress_rows):
                progress(passed)
        rows += read
    if rows == 0:
        return None
    dropped, cpu_only = _settle_zero_rows(parts, zeros)
    series = _series(parts)
    return None if series is None else PlainFile(series, rows, dropped, cpu_only)


def _settle_zero_rows(parts: Parts, zeros: Parts) -> tuple[int, int]:
    """As the careful parser: a series' zero rows are absent pods and dropped, unless
    its memory is 0 on every other row too (a CPU-only series), where they are idle
    samples and kept; returns (rows dropped, CPU-only series)."""
    dropped = cpu_only = 0
    for sid, held in zeros.items():
        count = sum(t.size for t, _, _ in held)
        if sid not in parts or any(bool(m.any()) for _, _, m in parts[sid]):
            dropped += count
            continue
        cpu_only += 1
        parts[sid].extend(held)
    return dropped, cpu_only


def _block(
    block: str, delimiter: str, columns: list[str], parts: Parts, zeros: Parts
) -> int | None:
    """Parse one block of whole lines into ``parts``; its row count, or None to give up."""
    if "\r" in block:
        block = block.replace("\r\n", "\n")
    others = '\r" ' + ("" if delimiter == "\t" else "\t")
    if any(ch in block for ch in others) or "\n\n" in block or block.startswith("\n"):
        return None
    raw = np.frombuffer(block.encode(), dtype=np.uint8)
    ends = np.flatnonzero(raw == ord("\n"))
    lines = ends.size + (not block.endswith("\n"))
    # the longest line in bytes bounds its longest id in characters
    width = int(np.diff(np.concatenate(([-1], ends, [raw.size]))).max())
    if width > MAX_LINE:
        return None
    kinds = [(name, f"U{width}" if name == "series_id" else "f8") for name in columns]
    try:
        table = np.loadtxt(
            io.StringIO(block),
            delimiter=delimiter,
            dtype=np.dtype(kinds),
            comments=None,
            ndmin=1,
            encoding=None,
        )
    except ValueError:
        return None
    if table.size != lines:
        return None
    sid = table["series_id"]
    t = np.ascontiguousarray(table["timestamp_s"])
    cpu = np.ascontiguousarray(table["cpu_cores"])
    mem = (
        np.ascontiguousarray(table["memory_bytes"])
        if "memory_bytes" in columns
        else np.zeros(table.size)
    )
    values_ok = (
        np.isfinite(t) & np.isfinite(cpu) & np.isfinite(mem) & (t >= 0) & (cpu >= 0) & (mem >= 0)
    )
    # (the careful parser strips ids of any whitespace, Unicode spaces included)
    if not values_ok.all() or bool((sid == "").any()) or bool((np.char.strip(sid) != sid).any()):
        return None
    absent = (cpu == 0) & (mem == 0)
    if absent.any():
        _split_by_series(sid[absent], t[absent], cpu[absent], mem[absent], zeros)
        kept = ~absent
        sid, t, cpu, mem = sid[kept], t[kept], cpu[kept], mem[kept]
    _split_by_series(sid, t, cpu, mem, parts)
    return int(table.size)


def _split_by_series(
    sid: NDArray[np.str_], t: FloatArray, cpu: FloatArray, mem: FloatArray, parts: Parts
) -> None:
    """Append each series' rows, in file order. Exports usually hold a series' rows
    together (a few runs per block); one sorted by time interleaves them, and is split
    by a stable sort of the ids instead of a Python loop over single rows."""
    starts = np.flatnonzero(np.concatenate(([True], sid[1:] != sid[:-1])))
    if starts.size * 8 <= sid.size:
        ends = np.append(starts[1:], sid.size)
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            parts.setdefault(str(sid[a]), []).append((t[a:b], cpu[a:b], mem[a:b]))
        return
    names, inverse = np.unique(sid, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(names.size + 1))
    for k, name in enumerate(names.tolist()):
        pick = order[bounds[k] : bounds[k + 1]]
        parts.setdefault(str(name), []).append((t[pick], cpu[pick], mem[pick]))


def _series(parts: Parts) -> list[ReplaySeries] | None:
    """The series as the careful parser builds them (sorted by id, samples by time);
    None on a repeated timestamp or one in milliseconds (the careful parser names the
    line)."""
    out: list[ReplaySeries] = []
    for sid in sorted(parts):
        t, c, m = (np.concatenate(col) for col in zip(*parts[sid], strict=True))
        order = np.argsort(t, kind="stable")
        t, c, m = t[order], c[order], m[order]
        if bool((np.diff(t) == 0).any()) or float(t[-1]) > LARGEST_SECONDS:
            return None
        out.append(ReplaySeries(sid, t, c, m, Resources(), resolution_s=median_step(t), group=""))
    return out
