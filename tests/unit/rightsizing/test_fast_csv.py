"""The fast path for plain usage CSVs must read exactly what the careful parser reads,
and give every file it is not sure of back to the careful parser (which accepts it or
names the first bad line)."""

import gzip
import io
from pathlib import Path

import numpy as np
import pytest

from rightsizing import UsageDataError
from rightsizing.evaluation import fast_csv, load_usage_csv, parse_usage_csv

HEADER = "series_id,timestamp_s,cpu_cores,memory_bytes"


def _rows(series: int = 4, samples: int = 300, seed: int = 1) -> list[tuple[str, int, str, str]]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(series):
        sid = f"prod/app-{k}-7d9f8b6c4d-x2x7k/c" if k % 2 else f"svc-{k}"
        for i in range(samples):
            cpu = repr(float(rng.lognormal(-2, 1)))  # every digit a float has
            mem = f"{rng.uniform(1e8, 4e9):.0f}"
            out.append((sid, 1_704_067_200 + 300 * i, cpu, mem))
    return out


def _text(rows, header: str = HEADER, sep: str = ",", end: str = "\n") -> str:
    lines = [header.replace(",", sep)] + [sep.join(map(str, r)) for r in rows]
    return end.join(lines) + end


def _careful(text: str):
    return parse_usage_csv(io.StringIO(text, newline=""), "f.csv")


def _same(a, b) -> None:
    assert (a.rows, a.dropped_zero_rows, a.cpu_only_series, a.has_memory, a.warnings) == (
        b.rows,
        b.dropped_zero_rows,
        b.cpu_only_series,
        b.has_memory,
        b.warnings,
    )
    assert [s.series_id for s in a.series] == [s.series_id for s in b.series]
    for x, y in zip(a.series, b.series, strict=True):
        assert (x.resolution_s, x.group, x.current) == (y.resolution_s, y.group, y.current)
        for field in ("times_s", "cpu", "memory"):
            np.testing.assert_array_equal(getattr(x, field), getattr(y, field))


def _plain(path: Path):
    """What the fast path alone makes of a file (None: it gave up)."""
    with path.open(newline="") as f:
        header = f.readline()
        sep = "," if "," in header else (";" if ";" in header else "\t")
        cols = [c.strip() for c in header.rstrip("\r\n").split(sep)]
        return fast_csv.read_plain(f, sep, cols, None, 10**6)


@pytest.fixture(params=[64, 4096, 8 << 20], ids=["tiny-blocks", "small-blocks", "default"])
def block(request, monkeypatch):
    """Small blocks put series across block boundaries, as a large file does."""
    monkeypatch.setattr(fast_csv, "BLOCK_CHARS", request.param)


def _interleaved(rows):
    return sorted(rows, key=lambda r: (r[1], r[0]))  # sorted by time: series interleave


@pytest.mark.parametrize(
    "variant",
    [
        "plain",
        "gzip",
        "crlf",
        "semicolons",
        "tabs",
        "columns-reordered",
        "no-final-newline",
        "interleaved",
        "no-memory",
        "unicode-ids",
        "zero-rows",
    ],
)
def test_plain_files_read_fast_and_exactly_as_the_careful_parser(tmp_path, block, variant):
    rows = _rows()
    header, sep, end = HEADER, ",", "\n"
    if variant == "interleaved":
        rows = _interleaved(rows)
    if variant == "crlf":
        end = "\r\n"
    if variant == "semicolons":
        sep = ";"
    if variant == "tabs":
        sep = "\t"
    if variant == "columns-reordered":
        header = "cpu_cores,series_id,memory_bytes,timestamp_s"
        rows = [(c, s, m, t) for s, t, c, m in rows]
    if variant == "no-memory":
        header = "series_id,timestamp_s,cpu_cores"
        rows = [r[:3] for r in rows]
    if variant == "zero-rows":
        rows = _zero_rows(rows)
    if variant == "unicode-ids":
        rows = [(f"späť-{s}-日本", t, c, m) for s, t, c, m in rows]
    text = _text(rows, header, sep, end)
    if variant == "no-final-newline":
        text = text.rstrip("\n")
    path = tmp_path / "usage.csv"
    if variant == "gzip":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_bytes(text.encode())
        assert _plain(path) is not None  # the fast path read it
    careful = _careful(text)
    _same(load_usage_csv(path), careful)
    if variant == "zero-rows":  # the case is the one meant
        assert careful.dropped_zero_rows > 4 and careful.cpu_only_series == 1


def _zero_rows(rows):
    """Absent pods (zero CPU and memory) in a series with memory: dropped; in a CPU-only
    series (memory 0 on every row): idle samples, kept; a series of nothing else: gone."""
    out = []
    for sid, t, cpu, mem in rows:
        if sid == "svc-0" and (t // 300) % 7 == 0:
            cpu, mem = "0", "0"
        if sid == "svc-2":
            mem = "0"
            cpu = "0" if (t // 300) % 5 == 0 else cpu
        out.append((sid, t, cpu, mem))
    return out + [("gone", 1_704_067_200 + 300 * i, "0", "0") for i in range(4)]


def _with_requests(text: str) -> str:
    head, *rows = text.rstrip("\n").split("\n")
    return "\n".join([head + ",cpu_request"] + [r + ",0.5" for r in rows]) + "\n"


@pytest.mark.parametrize(
    "change",
    [
        ("quoted id", lambda t: t.replace("svc-0,", '"svc-0",')),
        ("spaces", lambda t: t.replace(",", ", ")),
        ("a no-break space after an id", lambda t: t.replace("svc-0,", "svc-0\u00a0,")),
        ("blank line", lambda t: t.replace("\n", "\n\n", 5)),
        ("ISO timestamps", lambda t: t.replace("1704067200,", "2024-01-01T00:00:00Z,")),
        ("underscored number", lambda t: t.replace("1704067200,", "1_704_067_200,")),
        ("current requests", _with_requests),
        ("a long id", lambda t: t.replace("svc-0,", "s" * 600 + ",")),
    ],
    ids=lambda c: c[0],
)
def test_valid_files_the_fast_path_is_unsure_of_are_read_carefully(tmp_path, block, change):
    text = change[1](_text(_rows()))
    path = tmp_path / "usage.csv"
    path.write_bytes(text.encode())
    careful = _careful(text)  # each is a valid file
    assert _plain(path) is None  # given back to the careful parser
    _same(load_usage_csv(path), careful)


@pytest.mark.parametrize(
    "bad",
    [
        ("svc-0,1704067500,", "svc-0,1704067200,"),  # a repeated timestamp
        (",1704067500,", ",nan,"),  # not finite
        ("\nsvc-2,", "\nsvc-2,,"),  # a field too many
        ("\nsvc-0,1704067200,", "\nsvc-0,-1,"),  # negative
        ("1704067200,", "1704067200000,"),  # milliseconds
        ("\nsvc-0,", "\n,"),  # no id
    ],
    ids=["repeated", "nan", "extra-field", "negative", "milliseconds", "empty-id"],
)
def test_bad_files_fail_with_the_careful_parsers_message(tmp_path, block, bad):
    text = _text(_rows()).replace(bad[0], bad[1], 1)
    path = tmp_path / "usage.csv"
    path.write_bytes(text.encode())
    with pytest.raises(UsageDataError) as careful:
        _careful(text)
    assert _plain(path) is None
    with pytest.raises(UsageDataError) as fast:
        load_usage_csv(path)
    assert str(fast.value) == str(careful.value).replace("f.csv", str(path))
    assert f"{path}:" in str(fast.value)  # names the file and line


def test_the_fast_path_reports_progress_in_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_csv, "BLOCK_CHARS", 2048)
    path = tmp_path / "usage.csv"
    path.write_text(_text(_rows(series=2, samples=500)))
    heard: list[int] = []
    loaded = load_usage_csv(path, progress=heard.append, progress_rows=250)
    assert loaded.rows == 1000
    assert heard == [250, 500, 750, 1000]  # as the careful parser tells them


def test_a_late_give_up_is_announced_before_the_counts_start_again(tmp_path, monkeypatch):
    # a valid file whose last row only the careful parser reads (a quoted id): the fast
    # path reads blocks, reports rows, then hands the whole file over
    monkeypatch.setattr(fast_csv, "BLOCK_CHARS", 2048)
    rows = _rows(series=2, samples=500)
    text = _text(rows)
    last = ",".join(map(str, rows[-1]))
    text = text.replace(last, '"' + str(rows[-1][0]) + '",' + last.split(",", 1)[1])
    path = tmp_path / "usage.csv"
    path.write_text(text)
    heard: list[object] = []
    loaded = load_usage_csv(
        path, progress=heard.append, progress_rows=250, rereading=lambda: heard.append("again")
    )
    assert loaded.rows == 1000
    _same(loaded, _careful(text))
    at = heard.index("again")
    assert heard[:at] == [250, 500, 750]  # the fast path's own count, then the hand-over
    assert heard[at + 1 :] == [250, 500, 750, 1000]  # the careful parser from the start


def test_a_file_the_fast_path_reads_is_never_said_to_be_reread(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(_text(_rows()))
    heard: list[str] = []
    load_usage_csv(path, rereading=lambda: heard.append("again"))
    assert heard == []
