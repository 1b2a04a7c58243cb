"""``skip_invalid``: a long export with a few bad rows is replayed without them, and says
how many went and why; the rows kept are exactly those of the clean file."""

import gzip
import re

import numpy as np
import pytest

from rightsizing import InvalidRowError, UsageDataError
from rightsizing.evaluation import load_usage_csv, parse_usage_csv

HEADER = "series_id,timestamp_s,cpu_cores,memory_bytes\n"


def _clean_rows(n_series=3, n=40):
    rng = np.random.default_rng(7)
    rows = []
    for s in range(n_series):
        for i in range(n):
            rows.append(f"s{s},{1_700_000_000 + 300 * i},{rng.uniform(0.1, 2):.4f},{2**28 + i}")
    return rows


# (bad row, what the first quoted message must say): each is one kind of invalid row
BAD = [
    ("s0,1700000150,,1000", "cpu_cores is not a number: ''"),
    ("s1,1700000150,0.5,", "memory_bytes is empty"),
    ("s2,1700000150,NaN,1000", "cpu_cores must be a finite non-negative number, got nan"),
    ("s0,1700000450,-0.2,1000", "cpu_cores must be a finite non-negative number, got -0.2"),
    ("s1,1700000450,0.5,inf", "memory_bytes must be a finite non-negative number, got inf"),
    ("s2,1700000450,0.5", "expected 4 fields, got 3"),
    (",1700000450,0.5,1000", "empty series_id"),
    ("s0,yesterday,0.5,1000", "timestamp_s is neither seconds since the epoch"),
    ("s1,1700000000000,0.5,1000", "after the year 5000: milliseconds"),
    ("s2,-5,0.5,1000", "timestamp_s must be a finite non-negative number, got -5.0"),
    ("s0,1700000300,9.9,1000", "series 's0' repeats timestamp 1700000300"),
]


def _series_dict(loaded):
    return {
        s.series_id: (s.times_s.tolist(), s.cpu.tolist(), s.memory.tolist()) for s in loaded.series
    }


@pytest.mark.parametrize(("bad", "message"), BAD)
def test_each_kind_of_bad_row_is_skipped_and_quoted(tmp_path, bad, message):
    clean = _clean_rows()
    f = tmp_path / "u.csv"
    f.write_text(HEADER + "\n".join([*clean[:50], bad, *clean[50:]]) + "\n")
    with pytest.raises(InvalidRowError, match=re.escape(message)):
        load_usage_csv(f)  # strict: the file is refused, naming the line
    loaded = load_usage_csv(f, skip_invalid=True)
    reference = tmp_path / "clean.csv"
    reference.write_text(HEADER + "\n".join(clean) + "\n")
    expected = load_usage_csv(reference)
    assert _series_dict(loaded) == _series_dict(expected)  # the bad row and nothing else
    assert loaded.rows == expected.rows == len(clean)
    assert loaded.skipped_rows == 1
    (quoted,) = loaded.skipped_examples
    assert quoted.startswith(f"{f}:52: ")  # header is line 1, the bad row the 51st data row
    assert message in quoted


def test_a_repeated_timestamp_keeps_the_first_row_in_file_order(tmp_path):
    body = HEADER + "a,600,0.5,1\na,0,0.1,1\na,300,0.2,1\na,0,0.9,9\na,0,0.8,8\n"
    f = tmp_path / "u.csv"
    f.write_text(body)
    loaded = load_usage_csv(f, skip_invalid=True)
    (a,) = loaded.series
    assert a.times_s.tolist() == [0, 300, 600]
    assert a.cpu.tolist() == [0.1, 0.2, 0.5]  # line 3's, not the later 0.9 and 0.8
    assert loaded.rows == 3
    assert loaded.skipped_rows == 2
    assert [m.split(": ", 1)[0] for m in loaded.skipped_examples] == [f"{f}:5", f"{f}:6"]
    assert all("(first at line 3)" in m for m in loaded.skipped_examples)


def test_counts_every_skipped_row_but_quotes_the_first_few_in_line_order(tmp_path):
    clean = _clean_rows(2, 30)
    lines = []
    for i, row in enumerate(clean):
        lines.append(row)
        if i % 3 == 0:
            sid, t, _, mem = row.split(",")
            lines.append(f"{sid},{int(t) + 7},nan,{mem}")  # a value error (after the loop)
        if i % 5 == 0:
            lines.append("oops")  # a row error (in the loop)
    f = tmp_path / "u.csv.gz"
    f.write_bytes(gzip.compress((HEADER + "\n".join(lines) + "\n").encode()))
    loaded = load_usage_csv(f, skip_invalid=True)
    bad = sum(1 for i in range(len(clean)) if i % 3 == 0) + sum(
        1 for i in range(len(clean)) if i % 5 == 0
    )
    assert loaded.skipped_rows == bad
    assert loaded.rows == len(clean)
    quoted = [int(m.split(":")[1]) for m in loaded.skipped_examples]
    assert len(quoted) == 5 and quoted == sorted(quoted)
    # the first five bad lines of the file, whichever check found them
    body_lines = (HEADER + "\n".join(lines)).split("\n")
    first_bad = [
        n for n, text in enumerate(body_lines, start=1) if text == "oops" or ",nan," in text
    ][:5]
    assert quoted == first_bad


def test_a_file_of_nothing_but_invalid_rows_is_still_an_error(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(HEADER + "a,0,x,1\nb,300,-1,1\n")
    with pytest.raises(
        UsageDataError,
        match=r"no valid data rows \(2 skipped as invalid; the first: .*:2: cpu_cores is not a number",
    ):
        load_usage_csv(f, skip_invalid=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "empty file"),
        ("series_id,cpu_cores,memory_bytes\na,1,1\n", "missing column"),
        (HEADER, "no data rows"),
    ],
)
def test_what_is_wrong_with_the_file_itself_is_not_skipped(tmp_path, body, message):
    f = tmp_path / "u.csv"
    f.write_text(body)
    with pytest.raises(UsageDataError, match=message) as info:
        load_usage_csv(f, skip_invalid=True)
    assert not isinstance(info.value, InvalidRowError)


def test_a_clean_file_reads_the_same_with_or_without_skipping(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(HEADER + "\n".join(_clean_rows()) + "\n")
    strict, skipping = load_usage_csv(f), load_usage_csv(f, skip_invalid=True)
    assert _series_dict(strict) == _series_dict(skipping)
    assert skipping.skipped_rows == 0 and skipping.skipped_examples == ()
    assert strict.rows == skipping.rows


def test_zero_rows_and_cpu_only_series_are_settled_after_skipping():
    # b's only non-zero memory is on a bad row: once it is gone, b is a CPU-only series
    # whose zero-CPU rows are idle samples, as in a clean CPU-only export
    text = HEADER + "a,0,1,5\na,300,0,0\nb,0,0.5,0\nb,300,0,0\nb,600,nan,7\n"
    loaded = parse_usage_csv(text.splitlines(keepends=True), skip_invalid=True)
    by_id = {s.series_id: s for s in loaded.series}
    assert by_id["a"].times_s.tolist() == [0]  # a's zero row: an absent pod
    assert by_id["b"].times_s.tolist() == [0, 300]
    assert loaded.dropped_zero_rows == 1 and loaded.cpu_only_series == 1
    assert loaded.skipped_rows == 1
