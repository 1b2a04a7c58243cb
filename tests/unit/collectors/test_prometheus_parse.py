"""Shape checks on Prometheus API answers (pure): every malformed answer is an error."""

from __future__ import annotations

import math

import pytest

from collectors.prometheus.client import _parse_matrix
from collectors.prometheus.errors import PrometheusResponseError


def test_values_including_nan_and_inf() -> None:
    data = {
        "resultType": "matrix",
        "result": [{"metric": {"pod": "a"}, "values": [[1.0, "1.5"], [2, "NaN"], [3, "+Inf"]]}],
    }
    ((labels, ts, vs),) = _parse_matrix(data, "q", "u")
    assert labels == {"pod": "a"}
    assert ts.tolist() == [1, 2, 3]
    assert vs[0] == 1.5
    assert math.isnan(vs[1])
    assert vs[2] == math.inf


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resultType": "vector", "result": []}, "expected a matrix"),
        ({"resultType": "matrix", "result": {}}, "result is not a list"),
        ({"resultType": "matrix", "result": [{"values": []}]}, "series without labels"),
        (
            {"resultType": "matrix", "result": [{"metric": {"a": 1}, "values": []}]},
            "series without labels",
        ),
        ({"resultType": "matrix", "result": [{"metric": {}}]}, "series without values"),
        ({"resultType": "matrix", "result": [{"metric": {}, "values": [[1]]}]}, "bad sample"),
        (
            {"resultType": "matrix", "result": [{"metric": {}, "values": [["x", "1"]]}]},
            "bad sample",
        ),
        (
            {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, None]]}]},
            "bad sample",
        ),
        ({"resultType": "matrix", "result": [{"metric": {}, "values": [5]}]}, "bad sample"),
        (
            {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "abc"]]}]},
            "could not convert string to float: 'abc'",
        ),
        ([], "expected a matrix"),
    ],
)
def test_malformed_matrices(data: object, message: str) -> None:
    with pytest.raises(PrometheusResponseError, match=message):
        _parse_matrix(data, "q", "http://127.0.0.1:9090")


def test_gc_is_paused_while_decoding_and_restored_after() -> None:
    import gc

    from collectors.prometheus.client import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # an overlapping caller
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a bad answer")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
