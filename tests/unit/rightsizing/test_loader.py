import gzip
from dataclasses import replace

import numpy as np
import pytest

from rightsizing import UsageDataError
from rightsizing.evaluation import ReplaySeries, load_usage_csv, parse_usage_csv
from rightsizing.evaluation.plausibility import floor_doubt, unit_warnings

GOOD = """series_id,timestamp_s,cpu_cores,memory_bytes
a,600,0.3,3000
a,0,0.1,1000
b,0,1.5,5000
a,300,0.2,2000
b,300,0,0
"""


def test_reads_sorts_and_groups(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(GOOD)
    loaded = load_usage_csv(f)
    assert [s.series_id for s in loaded.series] == ["a", "b"]
    a = loaded.series[0]
    assert a.times_s.tolist() == [0, 300, 600]
    assert a.cpu.tolist() == [0.1, 0.2, 0.3]
    assert a.memory.tolist() == [1000, 2000, 3000]
    assert a.resolution_s == 300
    assert loaded.rows == 5
    assert loaded.dropped_zero_rows == 1  # b at 300: zero replicas, not usage
    assert loaded.series[1].cpu.tolist() == [1.5]


def test_gzip_is_detected_by_content_not_name(tmp_path):
    f = tmp_path / "usage.data"
    f.write_bytes(gzip.compress(GOOD.encode()))
    assert len(load_usage_csv(f).series) == 2


def test_optional_current_columns_and_column_order(tmp_path):
    text = "memory_bytes,cpu_request,series_id,timestamp_s,cpu_cores,memory_limit\n"
    text += "100,,x,0,0.1,\n100,0.5,x,300,0.1,2048\n100,0.9,x,600,0.1,4096\n"
    f = tmp_path / "u.csv"
    f.write_text(text)
    (s,) = load_usage_csv(f).series
    assert s.current.cpu_request == 0.5  # first non-empty value
    assert s.current.memory_limit == 2048
    assert s.current.memory_request is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "empty file"),
        ("series_id,cpu_cores,memory_bytes\n", "missing column\\(s\\) timestamp_s"),
        ("series_id,timestamp_s,cpu_cores\n", "no data rows"),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,0,1,1\na,300,1,\n",
            ":3: memory_bytes is empty; a trace without memory figures leaves the column out",
        ),
        ("series_id,timestamp_s,cpu_cores,memory_bytes\n", "no data rows"),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,0,abc,1\n",
            ":2: cpu_cores is not a number",
        ),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,0,1,1\na,300,-1,1\n",
            ":3: cpu_cores must be",
        ),
        ("series_id,timestamp_s,cpu_cores,memory_bytes\na,0,nan,1\n", "finite"),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,1704067200000,1,1\n",
            ":2: timestamp_s 1704067200000 is after the year 5000: milliseconds",
        ),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,yesterday,1,1\n",
            ":2: timestamp_s is neither seconds since the epoch nor an ISO 8601 time",
        ),
        # the first bad line in file order wins, whatever the series or the kind of error
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\nb,0,1,1\nb,300,1,-5\na,0,x,1\n",
            ":3: memory_bytes must be",
        ),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\nb,0,1,1\na,0,1\nb,300,inf,1\n",
            ":3: expected 4 fields",
        ),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\nz,-1,1,1\na,0,1,1\na,300,-2,1\n",
            ":2: timestamp_s must be",
        ),
        ("series_id,timestamp_s,cpu_cores,memory_bytes\na,0,1\n", "expected 4 fields, got 3"),
        ("series_id,timestamp_s,cpu_cores,memory_bytes\n,0,1,1\n", "empty series_id"),
        (
            "series_id,timestamp_s,cpu_cores,memory_bytes\na,0,1,1\nb,0,1,1\na,0,2,2\n",
            ":4: series 'a' repeats timestamp 0 \\(first at line 2\\)",
        ),
    ],
)
def test_bad_files_fail_with_file_and_line(tmp_path, body, message):
    f = tmp_path / "bad.csv"
    f.write_text(body)
    with pytest.raises(UsageDataError, match=message):
        load_usage_csv(f)


def test_unreadable_inputs(tmp_path):
    with pytest.raises(UsageDataError, match="cannot read"):
        load_usage_csv(tmp_path / "missing.csv")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzip.compress(GOOD.encode())[:20])
    with pytest.raises(UsageDataError, match="corrupt gzip"):
        load_usage_csv(broken)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UsageDataError, match="not UTF-8"):
        load_usage_csv(binary)


def test_parse_from_lines_and_blank_lines_are_skipped():
    loaded = parse_usage_csv([*GOOD.splitlines(keepends=True), "\n", ",,,\n"])
    assert loaded.rows == 5


def test_group_column_pools_pods_of_one_container(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(
        "series_id,group,timestamp_s,cpu_cores,memory_bytes\np1,api,0,1,5\np2,api,0,2,6\nx,,0,1,1\n"
    )
    loaded = load_usage_csv(f)
    assert {s.series_id: s.group for s in loaded.series} == {"p1": "api", "p2": "api", "x": ""}


def test_iso_8601_timestamps_are_read_as_utc_seconds(tmp_path):
    f = tmp_path / "iso.csv"
    f.write_text(
        "series_id,timestamp_s,cpu_cores,memory_bytes\n"
        "a,2024-01-01T00:00:00Z,1,1\n"
        "a,2024-01-01T09:05:00+09:00,2,2\n"  # 00:05 UTC
        "a,2024-01-01 00:10:00,3,3\n"  # naive: UTC
    )
    (s,) = load_usage_csv(f).series
    assert s.times_s.tolist() == [1704067200.0, 1704067500.0, 1704067800.0]
    assert s.cpu.tolist() == [1.0, 2.0, 3.0]


def test_progress_hears_the_rows_read_so_far(tmp_path):
    f = tmp_path / "u.csv"
    body = "".join(f"s{i % 3},{i * 300},0.1,1000\n" for i in range(25))
    f.write_text("series_id,timestamp_s,cpu_cores,memory_bytes\n" + body)
    heard: list[int] = []
    loaded = load_usage_csv(f, progress=heard.append, progress_rows=10)
    assert heard == [10, 20]
    assert loaded.rows == 25
    assert sum(s.times_s.size for s in loaded.series) == 25
    with pytest.raises(ValueError, match="progress_rows"):
        load_usage_csv(f, progress=heard.append, progress_rows=0)


def test_a_cpu_only_export_keeps_its_idle_samples(tmp_path):
    """Memory 0 on every row of a series: its zero-CPU rows are idle, not absent pods."""
    f = tmp_path / "u.csv"
    f.write_text(
        "series_id,timestamp_s,cpu_cores,memory_bytes\n"
        "cpu-only,0,0.5,0\ncpu-only,300,0,0\ncpu-only,600,0,0\ncpu-only,900,0.2,0\n"
        "pod,0,0.5,1000\npod,300,0,0\npod,600,0.1,900\n"
        "never,0,0,0\nnever,300,0,0\n"
    )
    loaded = load_usage_csv(f)
    by = {s.series_id: s for s in loaded.series}
    assert by["cpu-only"].times_s.tolist() == [0, 300, 600, 900]
    assert by["cpu-only"].cpu.tolist() == [0.5, 0.0, 0.0, 0.2]
    assert by["pod"].times_s.tolist() == [0, 600]  # a pod that was not there at 300
    assert "never" not in by  # nothing but zeros: nothing to score
    assert loaded.dropped_zero_rows == 1 + 2
    assert loaded.cpu_only_series == 1


def test_a_file_without_a_memory_column_is_a_cpu_only_export(tmp_path):
    """Azure-style VM traces carry CPU alone: the column may be left out, and every series
    then reads as CPU-only (zero-CPU rows are idle samples, not absent pods)."""
    f = tmp_path / "u.csv"
    f.write_text(
        "cpu_cores,series_id,timestamp_s\n"
        "0.5,vm-1,0\n0,vm-1,300\n0.25,vm-1,600\n0.1,vm-2,0\n0.3,vm-2,300\n0,idle,0\n"
    )
    loaded = load_usage_csv(f)
    by = {s.series_id: s for s in loaded.series}
    assert by["vm-1"].times_s.tolist() == [0, 300, 600]
    assert by["vm-1"].cpu.tolist() == [0.5, 0.0, 0.25]
    assert by["vm-1"].memory.tolist() == [0.0, 0.0, 0.0]
    assert by["vm-2"].cpu.tolist() == [0.1, 0.3]
    assert "idle" not in by  # nothing but zeros: nothing to score
    assert loaded.cpu_only_series == 1  # vm-1: the series that had idle rows to keep
    assert loaded.dropped_zero_rows == 1
    assert loaded.rows == 6
    assert not loaded.has_memory


def test_kept_idle_rows_are_checked_like_any_other(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("series_id,timestamp_s,cpu_cores,memory_bytes\ncpu-only,0,0.5,0\ncpu-only,0,0,0\n")
    with pytest.raises(UsageDataError, match=r"u\.csv:3: series 'cpu-only' repeats timestamp 0"):
        load_usage_csv(f)


def test_values_in_the_wrong_unit_are_flagged_but_loaded(tmp_path):
    """Millicores in cpu_cores or MiB in memory_bytes are well-formed and replay, but
    give answers 1,000x off: the loader says so, naming an example series."""
    f = tmp_path / "u.csv"
    rows = ["series_id,timestamp_s,cpu_cores,memory_bytes"]
    for i in range(3):
        rows.append(f"milli,{i * 300},{500 + i},{256 * 2**20}")  # 500 "cores"
        rows.append(f"mebi,{i * 300},0.25,{512 + i}")  # 512 "bytes"
        rows.append(f"fine,{i * 300},0.25,{256 * 2**20}")
        rows.append(f"cpu-only,{i * 300},{0.1 * i},0")  # memory 0: not a unit problem
    f.write_text("\n".join(rows) + "\n")
    loaded = load_usage_csv(f)
    assert len(loaded.series) == 4
    cpu_warning, memory_warning = loaded.warnings
    assert cpu_warning.startswith("1 series (e.g. 'milli') use more than 256 cores")
    assert "millicores" in cpu_warning
    assert memory_warning.startswith("1 series (e.g. 'mebi') use less than 64 KiB")
    assert "MiB or GiB" in memory_warning


def test_a_fleet_of_small_containers_in_millicores_is_flagged_too():
    """A 200-millicore container in millicores reads as 200 cores, below any per-series
    bound: the fleet's typical size gives it away."""
    t = np.arange(10) * 300.0
    fleet = [
        ReplaySeries(f"s{i}", t, np.full(10, 50.0 * (i + 1)), np.full(10, 2.0**28))
        for i in range(5)
    ]
    (warning,) = unit_warnings(fleet)
    assert warning.startswith("the typical series uses 150 cores at the median")
    assert unit_warnings([replace(s, cpu=s.cpu / 1000) for s in fleet]) == []
    assert unit_warnings(fleet[:4]) == []  # four big containers may well be real


def test_plausible_values_raise_no_doubt(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(
        "series_id,timestamp_s,cpu_cores,memory_bytes\n"
        "big,0,96,1e12\nbig,300,120,1.1e12\ntiny,0,0.001,300000\ntiny,300,0,0\n"
    )
    assert load_usage_csv(f).warnings == ()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_exports_are_read(tmp_path, sep):
    """Spreadsheet exports in comma-decimal locales use ';', database tools TSV."""
    f = tmp_path / "u.csv"
    rows = ["series_id", "timestamp_s", "cpu_cores", "memory_bytes"]
    body = [sep.join(rows)] + [sep.join(["a", str(i * 300), "0.25", "1000"]) for i in range(3)]
    f.write_text("\n".join(body) + "\n")
    (s,) = load_usage_csv(f).series
    assert s.times_s.tolist() == [0, 300, 600]
    assert s.cpu.tolist() == [0.25] * 3


def test_decimal_commas_are_an_error_naming_the_value(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("series_id;timestamp_s;cpu_cores;memory_bytes\na;0;0,25;1000\n")
    with pytest.raises(UsageDataError, match=r"u\.csv:2: cpu_cores is not a number: '0,25'"):
        load_usage_csv(f)


def test_a_cumulative_cpu_counter_is_named_as_such():
    """container_cpu_usage_seconds_total exported raw: it only grows, and the warning
    says to export its rate, not that it might be millicores."""
    t = np.arange(100) * 300.0
    young = [np.cumsum(np.full(100, 75.0 * (i + 1))) for i in range(2)]  # 100x its start
    old = [2.6e6 + np.cumsum(np.full(100, 90.0)) for _ in range(2)]  # up 30 days: +0.3%
    counters = [
        ReplaySeries(f"c{i}", t, cpu, np.full(100, 2.0**28)) for i, cpu in enumerate([*young, *old])
    ]
    (warning,) = unit_warnings(counters)
    assert warning.startswith("4 series (e.g. 'c0') only ever grow")
    assert "rate(" in warning
    rng = np.random.default_rng(3)
    rates = [replace(s, cpu=rng.gamma(4, 0.1, 100)) for s in counters]
    assert unit_warnings(rates) == []
    leak = [replace(counters[0], cpu=np.linspace(0.1, 0.5, 100))]  # rising, but 5x: a rate
    assert unit_warnings(leak) == []


def test_a_fleet_below_the_cpu_floor_is_flagged_as_floor_bound():
    """Usage in normalised units (thousandths of a machine) never reaches the guardrails'
    10-millicore floor: the floors, not the strategies, would set the requests."""
    t = np.arange(50) * 300.0
    rng = np.random.default_rng(4)
    tiny = [
        ReplaySeries(f"task-{i}", t, rng.uniform(0.001, 0.008, 50), np.full(50, 2.0**28))
        for i in range(4)
    ]
    real = [replace(s, series_id=f"svc-{i}", cpu=s.cpu * 100) for i, s in enumerate(tiny)]
    doubt = floor_doubt(tiny, 0.010)
    assert doubt is not None
    assert doubt.startswith("4 of 4 series (e.g. 'task-0') stay below the guardrails' 10-millicore")
    assert "normalised units" in doubt and "--no-guardrails" in doubt
    # half the fleet below the floor still says so; a few sidecars among services do not
    assert floor_doubt(tiny[:2] + real[:2], 0.010) is not None
    assert floor_doubt(tiny[:1] + real, 0.010) is None
    assert floor_doubt(real, 0.010) is None
    assert floor_doubt(tiny, 0.0) is None  # no floor, nothing it could decide
    assert floor_doubt([], 0.010) is None
