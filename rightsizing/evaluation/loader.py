"""Read a usage history CSV for the replay (the one place in the package that does I/O).

Columns: ``series_id,timestamp_s,cpu_cores,memory_bytes`` (header required, any
order), optionally ``cpu_request,cpu_limit,memory_request,memory_limit`` (the
current values; the first non-empty value of a series is used) and ``group`` (series
with the same group, e.g. the pods of one container, share one request: each
decision is made on their pooled samples). The file may be
gzipped (detected by its magic bytes, not its name). A row with zero CPU *and*
zero memory is a pod that did not exist (a scaled-to-zero export): it is dropped
and counted, because zero-replica periods are not usage. Any other bad value is an
error naming file and line: a half-read history would silently skew the replay.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rightsizing.errors import UsageDataError
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.inputs import SAMPLE_SECONDS, Resources

REQUIRED = ("series_id", "timestamp_s", "cpu_cores", "memory_bytes")
OPTIONAL = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


@dataclass(frozen=True)
class LoadedUsage:
    series: list[ReplaySeries]
    rows: int
    dropped_zero_rows: int


def _number(text: str, column: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageDataError(f"{where}: {column} is not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageDataError(
            f"{where}: {column} must be a finite non-negative number, got {text!r}"
        )
    return value


def load_usage_csv(path: str | Path) -> LoadedUsage:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise UsageDataError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UsageDataError(f"{p}: corrupt gzip data: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageDataError(f"{p}: not UTF-8 text") from None
    return parse_usage_csv(io.StringIO(text, newline=""), str(p))


def parse_usage_csv(lines: Iterable[str], name: str = "<csv>") -> LoadedUsage:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise UsageDataError(f"{name}: empty file, expected a header {','.join(REQUIRED)}")
    cols = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise UsageDataError(f"{name}:1: missing column(s) {', '.join(missing)}")
    pos = {c: cols.index(c) for c in (*REQUIRED, *OPTIONAL, "group") if c in cols}
    data: dict[str, tuple[list[float], list[float], list[float], list[int]]] = {}
    current: dict[str, dict[str, float]] = {}
    groups: dict[str, str] = {}
    rows = dropped = 0
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        where = f"{name}:{lineno}"
        if len(row) != len(cols):
            raise UsageDataError(f"{where}: expected {len(cols)} fields, got {len(row)}")
        sid = row[pos["series_id"]].strip()
        if not sid:
            raise UsageDataError(f"{where}: empty series_id")
        ts = _number(row[pos["timestamp_s"]], "timestamp_s", where)
        cpu = _number(row[pos["cpu_cores"]], "cpu_cores", where)
        mem = _number(row[pos["memory_bytes"]], "memory_bytes", where)
        rows += 1
        if "group" in pos and sid not in groups:
            groups[sid] = row[pos["group"]].strip()
        cur = current.setdefault(sid, {})
        for col in OPTIONAL:
            if col in pos and col not in cur and row[pos[col]].strip():
                cur[col] = _number(row[pos[col]], col, where)
        if cpu == 0 and mem == 0:
            dropped += 1
            continue
        bucket = data.setdefault(sid, ([], [], [], []))
        bucket[0].append(ts)
        bucket[1].append(cpu)
        bucket[2].append(mem)
        bucket[3].append(lineno)
    if rows == 0:
        raise UsageDataError(f"{name}: no data rows")
    series: list[ReplaySeries] = []
    for sid in sorted(data):
        t, c, m, ln = (np.asarray(x, dtype=np.float64) for x in data[sid])
        order = np.argsort(t, kind="stable")
        t, c, m, ln = t[order], c[order], m[order], ln[order]
        dup = np.flatnonzero(np.diff(t) == 0)
        if dup.size:
            i = int(dup[0])
            raise UsageDataError(
                f"{name}:{int(ln[i + 1])}: series {sid!r} repeats timestamp {t[i]:.0f} "
                f"(first at line {int(ln[i])})"
            )
        step = float(np.median(np.diff(t))) if t.size > 1 else SAMPLE_SECONDS
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
                resolution_s=step,
                group=groups.get(sid, ""),
            )
        )
    return LoadedUsage(series, rows, dropped)
