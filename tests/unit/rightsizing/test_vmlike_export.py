"""The VM-like export (bench/vmlike_export.py) is a usage CSV the replay reads as it is
written: one series per machine, 5-minute samples, CPU within the machine's cores."""

import io

import numpy as np

from bench.vmlike_export import write_export
from rightsizing.evaluation import parse_usage_csv


def test_the_export_reads_back_as_one_series_per_machine():
    buf = io.StringIO()
    rows = write_export(buf, machines=12, days=2, seed=3, offset_h=5)
    loaded = parse_usage_csv(io.StringIO(buf.getvalue()))
    assert rows == 12 * 576
    assert loaded.rows + loaded.dropped_zero_rows == rows
    assert len(loaded.series) == 12
    for s in loaded.series:
        assert s.resolution_s == 300
        assert float(s.cpu.max()) <= 32 and float(s.memory.min()) > 0
        assert float(s.times_s[0]) == 1_699_920_000 + 5 * 3600
    again = io.StringIO()
    write_export(again, machines=12, days=2, seed=3, offset_h=5)
    assert again.getvalue() == buf.getvalue()  # seeded


def test_machines_differ_in_size_and_shape():
    buf = io.StringIO()
    write_export(buf, machines=60, days=7, seed=1, offset_h=0)
    series = parse_usage_csv(io.StringIO(buf.getvalue())).series
    p95 = np.array([np.percentile(s.cpu, 95) for s in series])
    assert p95.max() > 20 * np.median(p95)  # sizes spread over more than an order
    cv = np.array([s.cpu.std() / max(s.cpu.mean(), 1e-9) for s in series])
    assert cv.min() < 0.1 and cv.max() > 1.0  # flat machines and bursty ones
