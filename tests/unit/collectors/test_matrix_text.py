"""The byte-level fast path for range answers: the same series as decoding the JSON,
and None (so the caller decodes the JSON and names the defect) for anything else."""

from __future__ import annotations

import math
import random

import numpy as np
import orjson
import pytest

from collectors.prometheus.client import _lifted_matrix, _parse_matrix
from collectors.prometheus.matrix_text import lift_values, parse_values


def _go_float(v: float) -> str:
    """A sample value as Prometheus writes it (Go's FormatFloat 'f', -1, or NaN/±Inf)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return np.format_float_positional(v, trim="-")


TRICKY_LABELS = [
    {"pod": 'a"values":[[1,"2"]]', "container": "x]]y"},  # escaped inside a string
    {"pod": "ünï\\cødé\\", "container": '[,""],'},
    {},
]


def _answer(rng: random.Random, series: int, finite: bool = False) -> bytes:
    result = []
    for i in range(series):
        n = rng.choice([0, 1, 2, 50])
        t0 = 1_704_067_200 + rng.randrange(0, 10_000)
        values = []
        for k in range(n):
            v = rng.choice(
                [
                    rng.random() * 10 ** rng.randint(-9, 12),
                    0.0,
                    -rng.random(),
                    *([] if finite else [math.nan, math.inf, -math.inf]),
                ]
            )
            t: float = t0 + 60 * k + rng.choice([0, 0, 0.001, 0.5])
            values.append([t if t % 1 else int(t), _go_float(v)])
        metric = TRICKY_LABELS[i] if i < len(TRICKY_LABELS) else {"pod": f"p{i}"}
        result.append({"metric": metric, "values": values})
    return orjson.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


def _fast(content: bytes) -> list | None:
    lifted = lift_values(content)
    assert lifted is not None
    skeleton, segments = lifted
    return _lifted_matrix(orjson.loads(skeleton)["data"], segments, "q", "u")


@pytest.mark.parametrize("finite", [False, True], ids=["with-nan-inf", "finite"])
@pytest.mark.parametrize("seed", range(25))
def test_same_series_as_decoding_the_json(seed: int, finite: bool) -> None:
    """Both number parsers: numpy's where NaN or infinities occur, orjson's otherwise."""
    content = _answer(random.Random(seed), series=8, finite=finite)
    slow = _parse_matrix(orjson.loads(content)["data"], "q", "u")
    fast = _fast(content)
    assert fast is not None and len(fast) == len(slow)
    for (la, ta, va), (lb, tb, vb) in zip(fast, slow, strict=True):
        assert la == lb
        assert ta.dtype == tb.dtype == np.int64 and np.array_equal(ta, tb)
        assert vb.dtype == np.float64 and np.array_equal(va, vb, equal_nan=True)
        assert va.flags.c_contiguous


def test_an_answer_with_no_series_or_empty_series() -> None:
    empty = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'
    assert _fast(empty) == []
    one = (
        b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[]}]}}'
    )
    ((labels, ts, vs),) = _fast(one) or []
    assert labels == {} and ts.size == vs.size == 0


@pytest.mark.parametrize(
    "values",
    [
        b'[1,"1.5"],[2,null]',  # null
        b'[1,"1.5"],[2,2.5]',  # unquoted value
        b'[1,"1.5","3"],[2]',  # a third element, and one missing: the counts agree
        b'[1,"abc"]',  # not a number
        b'[1,"1.2.3"]',
        b'[1,"1-2"]',
        b'[1,""]',
        b'["x","1"]',
        b'[1,"NaN"],[+Inf,"1"]',  # a timestamp that is not finite
        b'[1,"1"] ,[2,"2"]',  # anything but Prometheus's own spelling
        b'[1,"+5"]',  # float() reads these, JSON does not: the JSON path decides
        b'[1,".5"]',
        # the same defects where NaN sends the answer to numpy's parser
        b'[1,"NaN"],[2,"1.2.3"]',
        b'[1,"NaN"],[2,"1-2"]',
        b'[1,"NaN"],[2,""]',
        b'[1,"NaN"],[2,"e"]',
    ],
)
def test_anything_but_plain_pairs_is_left_to_the_json_path(values: bytes) -> None:
    content = (
        b'{"status":"success","data":{"resultType":"matrix","result":'
        b'[{"metric":{"pod":"a"},"values":[' + values + b"]}]}}"
    )
    lifted = lift_values(content)
    assert lifted is not None
    assert parse_values(lifted[1]) is None


def test_a_series_without_values_is_left_to_the_json_path() -> None:
    content = (
        b'{"status":"success","data":{"resultType":"matrix","result":'
        b'[{"metric":{"pod":"a"}},{"metric":{"pod":"b"},"values":[[1,"2"]]}]}}'
    )
    lifted = lift_values(content)
    assert lifted is not None
    skeleton, segments = lifted
    assert _lifted_matrix(orjson.loads(skeleton)["data"], segments, "q", "u") is None


def test_an_unterminated_values_array_is_not_lifted() -> None:
    assert lift_values(b'{"data":{"result":[{"values":[[1,"2"]') is None
