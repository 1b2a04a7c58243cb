"""Read a usage history CSV for the replay (the one place in the package that does I/O).

Columns: ``series_id,timestamp_s,cpu_cores,memory_bytes`` (header required, any
order; ``timestamp_s`` in seconds since the epoch or ISO 8601, naive meaning UTC;
without ``memory_bytes`` every series is CPU-only, see below), optionally ``cpu_request,cpu_limit,memory_request,memory_limit`` (the
current values; the first non-empty value of a series is used) and ``group`` (series
with the same group, e.g. the pods of one container, share one request: each
decision is made on their pooled samples). The file may be
gzipped (detected by its magic bytes, not its name). A row with zero CPU *and*
zero memory is a pod that did not exist (a scaled-to-zero export): it is dropped
and counted, because zero-replica periods are not usage. Except in a series whose
memory is 0 on every row while its CPU is not (a CPU-only export, e.g. a trace
without memory figures): there a zero-CPU row is an idle sample, and dropping it would
make the container look busier than it was, so it is kept (and counted apart). Any other bad value is an
error naming file and line: a half-read history would silently skew the replay.
A caller that asks to (``skip_invalid``, the CLI's ``--skip-invalid-rows``) gets such
rows left out and counted instead, with the first few quoted.

The file is streamed (never held whole in memory, compressed or not) and samples go
into typed arrays, about 32 bytes a row: production exports run to tens of millions
of rows, where Python lists of floats would need ten times that. A plain file is
parsed a block at a time by numpy (``fast_csv``), which gives anything it is unsure
of back to the row-by-row parser here.
"""

from __future__ import annotations

import csv
import gzip
import math
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from rightsizing.errors import InvalidRowError, UsageDataError
from rightsizing.evaluation.fast_csv import PlainFile, read_plain
from rightsizing.evaluation.plausibility import LARGEST_SECONDS, unit_warnings
from rightsizing.evaluation.series import ReplaySeries, median_step
from rightsizing.inputs import Resources

REQUIRED = ("series_id", "timestamp_s", "cpu_cores")
MEMORY = "memory_bytes"  # optional: a file without it is a CPU-only export
OPTIONAL = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


@dataclass(frozen=True)
class LoadedUsage:
    series: list[ReplaySeries]
    rows: int
    dropped_zero_rows: int
    cpu_only_series: int = 0  # memory 0 on every row: zero-CPU rows kept as idle samples
    has_memory: bool = True  # False: no memory_bytes column, every series is CPU-only
    warnings: tuple[str, ...] = ()  # values that look like the wrong unit (see unit_warnings)
    skipped_rows: int = 0  # invalid rows left out (``skip_invalid``); not in ``rows``
    skipped_examples: tuple[str, ...] = ()  # what was wrong with the first few


def _number(text: str, column: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidRowError(f"{where}: {column} is not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise InvalidRowError(
            f"{where}: {column} must be a finite non-negative number, got {text!r}"
        )
    return value


@contextmanager
def _text_lines(p: Path) -> Iterator[TextIO]:
    """The file's lines, gunzipped if it starts with gzip's magic bytes."""
    try:
        with p.open("rb") as probe:
            gz = probe.read(2) == b"\x1f\x8b"
        # both closed by the ``with handle`` below
        handle = (
            gzip.open(p, "rt", encoding="utf-8-sig", newline="")  # noqa: SIM115
            if gz
            else p.open(encoding="utf-8-sig", newline="")
        )
    except OSError as exc:
        raise UsageDataError(f"{p}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            yield handle
        except UnicodeDecodeError:
            raise UsageDataError(f"{p}: not UTF-8 text") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise UsageDataError(f"{p}: corrupt gzip data: {exc}") from None
        except OSError as exc:
            raise UsageDataError(f"{p}: cannot read: {exc.strerror or exc}") from None


_Columns = tuple["array[float]", "array[float]", "array[float]", "array[int]"]
IntArray = NDArray[np.int64]
_VALUE_COLUMNS = ("timestamp_s", "cpu_cores", "memory_bytes")


def _iso_timestamp(text: str, where: str) -> float:
    """An ISO 8601 time (``Z``, an offset, or naive = UTC) as seconds since the epoch."""
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRowError(
            f"{where}: timestamp_s is neither seconds since the epoch nor an ISO 8601 "
            f"time: {text!r}"
        ) from None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


def _check_values(data: dict[str, _Columns], name: str) -> None:
    """Raise for the first line (in file order) holding a negative or non-finite value."""
    first: tuple[int, str, float] | None = None
    for columns in data.values():
        lines = np.frombuffer(columns[3], dtype=np.int64)
        for column, values in zip(_VALUE_COLUMNS, columns[:3], strict=True):
            v = np.frombuffer(values, dtype=np.float64)
            bad = np.flatnonzero(~(np.isfinite(v) & (v >= 0)))
            if bad.size and (first is None or int(lines[bad[0]]) < first[0]):
                first = (int(lines[bad[0]]), column, float(v[bad[0]]))
    if first is not None:
        raise InvalidRowError(_bad_value(name, *first))
    for columns in data.values():
        t = np.frombuffer(columns[0], dtype=np.float64)
        big = np.flatnonzero(t > LARGEST_SECONDS)
        if big.size:
            line = int(np.frombuffer(columns[3], dtype=np.int64)[big[0]])
            raise InvalidRowError(_too_late(name, line, float(t[big[0]])))


def _too_late(name: str, line: int, t: float) -> str:
    return (
        f"{name}:{line}: timestamp_s {t:.0f} is after the year 5000: "
        f"milliseconds? The column holds seconds since the epoch (divide by 1000)"
    )


def _bad_value(name: str, line: int, column: str, value: float) -> str:
    return f"{name}:{line}: {column} must be a finite non-negative number, got {float(value)!r}"


#: Rows between two ``progress`` calls: a production export of tens of millions of rows
#: takes a minute or more to read, and a silent minute looks like a hang.
PROGRESS_ROWS = 1_000_000


def _delimiter(header: str | None) -> str:
    """Comma, unless the header has none and is split by semicolons or tabs.

    Spreadsheet exports in many locales write ``;`` (their decimal separator is the
    comma) and database tools often write TSV; reading those as one column would only
    say "missing columns", which does not tell the user what is wrong.
    """
    if header is None or "," in header:
        return ","
    for candidate in (";", "\t"):
        if candidate in header:
            return candidate
    return ","


def load_usage_csv(
    path: str | Path,
    progress: Callable[[int], None] | None = None,
    progress_rows: int = PROGRESS_ROWS,
    rereading: Callable[[], None] | None = None,
    skip_invalid: bool = False,
) -> LoadedUsage:
    """Read the file; ``progress`` hears the number of data lines read so far, every
    ``progress_rows`` lines.

    ``rereading`` is called when the fast path gives the file to the careful parser,
    which reads it again from the first line (so ``progress`` counts start again): a
    counter that drops back from millions to zero without a word looks like a fault.

    ``skip_invalid``: leave out and count the rows with a value that cannot be used
    instead of refusing the file (``parse_usage_csv``); a clean file is read the same.
    """
    if progress_rows < 1:
        raise ValueError("progress_rows must be at least 1")
    p = Path(path)
    with _text_lines(p) as lines:
        plain = _read_plain(lines, progress, progress_rows)
    if plain is not None:
        read, has_memory = plain
        return LoadedUsage(
            read.series,
            read.rows,
            read.dropped_zero_rows,
            read.cpu_only_series,
            has_memory,
            tuple(unit_warnings(read.series)),
        )
    if rereading is not None:
        rereading()
    with _text_lines(p) as lines:
        return parse_usage_csv(lines, str(p), progress, progress_rows, skip_invalid)


def _read_plain(
    lines: TextIO, progress: Callable[[int], None] | None, progress_rows: int
) -> tuple[PlainFile, bool] | None:
    """The fast path (``fast_csv``) where the header allows it: the series, the rows and
    whether the file has memory figures; None: the careful parser reads it."""
    header = lines.readline()
    if not header.endswith("\n") or '"' in header:
        return None
    delimiter = _delimiter(header)
    columns = [c.strip() for c in header.rstrip("\r\n").split(delimiter)]
    plain = read_plain(lines, delimiter, columns, progress, progress_rows)
    return None if plain is None else (plain, MEMORY in columns)


#: Invalid rows quoted when they are skipped (the count says how many there were).
SKIPPED_EXAMPLES = 5


class _Skips:
    """The rows skipped as invalid: how many, and the first few messages in line order."""

    def __init__(self) -> None:
        self.count = 0
        self.first: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.count += 1
        self.quote(line, message)

    def add_lines(self, lines: IntArray) -> list[int]:
        """Count the rows at these lines; the positions (into ``lines``) of those that
        may be quoted, for the caller to ``quote`` with what is wrong with each."""
        self.count += int(lines.size)
        picked: list[int] = np.argsort(lines, kind="stable")[:SKIPPED_EXAMPLES].tolist()
        return picked

    def quote(self, line: int, message: str) -> None:
        if len(self.first) < SKIPPED_EXAMPLES or line < self.first[-1][0]:
            self.first.append((line, message))
            self.first.sort()
            del self.first[SKIPPED_EXAMPLES:]

    def examples(self) -> tuple[str, ...]:
        return tuple(message for _, message in self.first)


def parse_usage_csv(
    lines: Iterable[str],
    name: str = "<csv>",
    progress: Callable[[int], None] | None = None,
    progress_rows: int = PROGRESS_ROWS,
    skip_invalid: bool = False,
) -> LoadedUsage:
    """Parse a usage CSV (see the module docstring). With ``skip_invalid``, a row with a
    value that cannot be used (``InvalidRowError``: empty, not a number, negative, NaN, a
    wrong number of fields, a repeated timestamp) is left out and counted instead of
    refusing the file; what is wrong with the header still refuses it."""
    if progress_rows < 1:
        raise ValueError("progress_rows must be at least 1")
    rows_in = iter(lines)
    first = next(rows_in, None)
    reader = csv.reader(
        rows_in if first is None else chain([first], rows_in), delimiter=_delimiter(first)
    )
    header = next(reader, None)
    if header is None:
        raise UsageDataError(
            f"{name}: empty file, expected a header {','.join((*REQUIRED, MEMORY))}"
        )
    cols = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise UsageDataError(f"{name}:1: missing column(s) {', '.join(missing)}")
    pos = {c: cols.index(c) for c in (*REQUIRED, MEMORY, *OPTIONAL, "group") if c in cols}
    ncols = len(cols)
    i_sid, i_ts, i_cpu = (pos[c] for c in REQUIRED)
    i_mem = pos.get(MEMORY)
    optional = [(c, pos[c]) for c in OPTIONAL if c in pos]
    i_group = pos.get("group")
    data: dict[str, _Columns] = {}
    current: dict[str, dict[str, float]] = {}
    groups: dict[str, str] = {}
    rows = 0
    skips = _Skips() if skip_invalid else None
    zeros: dict[str, tuple[array[float], array[int]]] = {}  # (timestamps, lines)
    # The hot loop parses with float() only; the range checks (finite, non-negative)
    # run afterwards on whole arrays (``_check_values``), which reports the same first
    # bad line: a row-by-row check was most of the loading time.
    for lineno, row in enumerate(reader, start=2):
        try:
            if len(row) != ncols:
                if not row or all(not c.strip() for c in row):
                    continue
                raise InvalidRowError(f"{name}:{lineno}: expected {ncols} fields, got {len(row)}")
            sid = row[i_sid].strip()
            if not sid:
                if all(not c.strip() for c in row):
                    continue  # a row of empty fields, e.g. ",,,"
                raise InvalidRowError(f"{name}:{lineno}: empty series_id")
            try:
                cpu = float(row[i_cpu])
                mem = 0.0 if i_mem is None else float(row[i_mem])
                try:
                    ts = float(row[i_ts])
                except ValueError:
                    ts = _iso_timestamp(row[i_ts], f"{name}:{lineno}")
            except UsageDataError:
                raise
            except ValueError:  # CPU or memory: say which
                _number(row[i_cpu], "cpu_cores", f"{name}:{lineno}")
                if i_mem is not None and not row[i_mem].strip():
                    raise InvalidRowError(
                        f"{name}:{lineno}: memory_bytes is empty; a trace without memory "
                        "figures leaves the column out (or writes 0 on every row)"
                    ) from None
                if i_mem is not None:
                    _number(row[i_mem], MEMORY, f"{name}:{lineno}")
                raise
            if optional:
                cur = current.setdefault(sid, {})
                if len(cur) < len(optional):
                    given = {
                        col: _number(row[i], col, f"{name}:{lineno}")
                        for col, i in optional
                        if col not in cur and row[i].strip()
                    }
                    cur.update(given)
        except InvalidRowError as exc:
            if skips is not None:
                skips.add(lineno, str(exc))
                continue
            _check_values(data, name)  # an earlier line's bad value is the first error
            raise
        rows += 1
        if progress is not None and rows % progress_rows == 0:
            progress(rows)
        if i_group is not None and sid not in groups:
            groups[sid] = row[i_group].strip()
        if cpu == 0 and mem == 0:
            held = zeros.get(sid)
            if held is None:
                held = zeros[sid] = (array("d"), array("q"))
            held[0].append(ts)
            held[1].append(lineno)
            continue
        bucket = data.get(sid)
        if bucket is None:
            bucket = data[sid] = (array("d"), array("d"), array("d"), array("q"))
        bucket[0].append(ts)
        bucket[1].append(cpu)
        bucket[2].append(mem)
        bucket[3].append(lineno)
    if skips is not None:
        before = skips.count
        _drop_invalid_values(data, zeros, name, skips)
        rows -= skips.count - before
    if rows == 0:
        if skips is not None and skips.count:
            raise UsageDataError(
                f"{name}: no valid data rows ({skips.count:,} skipped as invalid; the first: "
                f"{skips.examples()[0]})"
            )
        raise UsageDataError(f"{name}: no data rows")
    dropped, cpu_only = _settle_zero_rows(data, zeros)
    if skips is None:
        _check_values(data, name)
    series: list[ReplaySeries] = []
    for sid in sorted(data):
        t, c, m = (np.frombuffer(x, dtype=np.float64) for x in data[sid][:3])
        ln = np.frombuffer(data[sid][3], dtype=np.int64)
        # with skips, a repeated timestamp keeps its first line: order by line within a time
        order = np.argsort(t, kind="stable") if skips is None else np.lexsort((ln, t))
        t, c, m, ln = t[order], c[order], m[order], ln[order]
        dup = np.flatnonzero(np.diff(t) == 0)
        if dup.size:
            if skips is None:
                i = int(dup[0])
                raise InvalidRowError(_repeated(name, sid, int(ln[i + 1]), t[i], int(ln[i])))
            keep = np.ones(t.size, dtype=bool)
            keep[dup + 1] = False
            run_start = np.maximum.accumulate(np.where(keep, np.arange(t.size), 0))
            later = dup + 1
            for j in skips.add_lines(ln[later]):
                at = int(later[j])
                first_line = int(ln[run_start[at]])
                skips.quote(int(ln[at]), _repeated(name, sid, int(ln[at]), t[at], first_line))
            rows -= int(later.size)
            t, c, m, ln = t[keep], c[keep], m[keep], ln[keep]
        cur = current.get(sid, {})
        series.append(
            ReplaySeries(
                sid,
                t,
                c,
                m,
                Resources(
                    cur.get("cpu_request"),
                    cur.get("cpu_limit"),
                    cur.get("memory_request"),
                    cur.get("memory_limit"),
                ),
                resolution_s=median_step(t),
                group=groups.get(sid, ""),
            )
        )
    return LoadedUsage(
        series,
        rows,
        dropped,
        cpu_only,
        i_mem is not None,
        tuple(unit_warnings(series)),
        skipped_rows=0 if skips is None else skips.count,
        skipped_examples=() if skips is None else skips.examples(),
    )


def _repeated(name: str, sid: str, line: int, t: float, first: int) -> str:
    return f"{name}:{line}: series {sid!r} repeats timestamp {t:.0f} (first at line {first})"


def _drop_invalid_values(
    data: dict[str, _Columns],
    zeros: dict[str, tuple[array[float], array[int]]],
    name: str,
    skips: _Skips,
) -> None:
    """Leave out (and count) the rows ``_check_values`` would refuse the file for: a
    negative or non-finite value, or a timestamp in milliseconds. A series left with no
    row is gone."""
    for sid in list(data):
        columns = [np.frombuffer(x, dtype=np.float64) for x in data[sid][:3]]
        lines = np.frombuffer(data[sid][3], dtype=np.int64)
        ok = np.ones(lines.size, dtype=bool)
        for column, values in zip(_VALUE_COLUMNS, columns, strict=True):
            bad = np.flatnonzero(ok & ~(np.isfinite(values) & (values >= 0)))
            for j in skips.add_lines(lines[bad]):
                at = int(bad[j])
                skips.quote(int(lines[at]), _bad_value(name, int(lines[at]), column, values[at]))
            ok[bad] = False
        t = columns[0]
        late = np.flatnonzero(ok & (t > LARGEST_SECONDS))
        for j in skips.add_lines(lines[late]):
            at = int(late[j])
            skips.quote(int(lines[at]), _too_late(name, int(lines[at]), float(t[at])))
        ok[late] = False
        if ok.all():
            continue
        if not ok.any():
            del data[sid]  # its zero rows, if any, are then absent pods of no series
            continue
        kept = [array("d", values[ok].tobytes()) for values in columns]
        data[sid] = (kept[0], kept[1], kept[2], array("q", lines[ok].tobytes()))
    for sid in list(zeros):
        ts, lines_z = zeros[sid]
        t = np.frombuffer(ts, dtype=np.float64)
        bad = np.flatnonzero(~(np.isfinite(t) & (t >= 0) & (t <= LARGEST_SECONDS)))
        if bad.size:
            ln = np.frombuffer(lines_z, dtype=np.int64)
            for j in skips.add_lines(ln[bad]):
                at = int(bad[j])
                why = (
                    _too_late(name, int(ln[at]), float(t[at]))
                    if t[at] > LARGEST_SECONDS
                    else _bad_value(name, int(ln[at]), "timestamp_s", t[at])
                )
                skips.quote(int(ln[at]), why)
            keep = np.ones(t.size, dtype=bool)
            keep[bad] = False
            zeros[sid] = (array("d", t[keep].tobytes()), array("q", ln[keep].tobytes()))


def _settle_zero_rows(
    data: dict[str, _Columns], zeros: dict[str, tuple[array[float], array[int]]]
) -> tuple[int, int]:
    """Drop the zero rows (absent pods), except in CPU-only series, where they are idle
    samples and go back in; returns (rows dropped, CPU-only series)."""
    dropped = cpu_only = 0
    for sid, (ts, lines) in zeros.items():
        bucket = data.get(sid)
        if bucket is None or bool(np.frombuffer(bucket[2], dtype=np.float64).any()):
            dropped += len(ts)
            continue
        cpu_only += 1
        bucket[0].extend(ts)
        bucket[1].extend(array("d", bytes(8 * len(ts))))
        bucket[2].extend(array("d", bytes(8 * len(ts))))
        bucket[3].extend(lines)
    return dropped, cpu_only
