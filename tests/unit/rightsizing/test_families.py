import numpy as np
import pytest

from rightsizing import InvalidInputError
from rightsizing.evaluation import FAMILIES, generate
from rightsizing.evaluation.families import DAY, T0


def test_same_seed_same_series_other_seed_other_series():
    a = generate("diurnal", 5, 2, 8)
    b = generate("diurnal", 5, 2, 8)
    c = generate("diurnal", 6, 2, 8)
    assert np.array_equal(a[0].cpu, b[0].cpu)
    assert not np.array_equal(a[0].cpu, c[0].cpu)
    assert [s.series_id for s in a] == ["diurnal-5-0", "diurnal-5-1"]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_valid_usage(family):
    for s in generate(family, 1, 3, 10):
        assert s.family == family
        assert np.all(s.cpu >= 0)
        assert np.all(s.memory > 0)
        assert np.all(np.diff(s.times_s) > 0)
        assert s.current.cpu_request is not None
        assert s.current.cpu_request > 0


def test_family_shapes():
    (zero,) = generate("scale-to-zero", 1, 1, 14)
    day = ((zero.times_s - T0) // DAY) % 7
    hour = ((zero.times_s - T0) % DAY) / 3600
    assert np.all(day < 5)  # no weekend samples: zero replicas are not usage
    assert np.all((hour >= 8) & (hour < 20))
    assert zero.autoscaler is not None
    assert zero.autoscaler.scales_to_zero
    (hpa,) = generate("hpa", 1, 1, 7)
    assert hpa.weights is not None
    assert hpa.weights.min() >= 2
    assert hpa.weights.max() <= 20
    assert hpa.autoscaler is not None
    assert hpa.autoscaler.cpu_target_percent == 70
    spiky = generate("spiky", 2, 4, 7)
    assert all(float(s.cpu.max()) > 1.8 * float(np.median(s.cpu)) for s in spiky)
    batch = generate("batch", 2, 4, 7)
    assert all(
        20 * float(np.percentile(s.cpu, 10)) < float(s.cpu.max()) for s in batch
    )  # idle floor


def test_unknown_family_and_bad_sizes():
    with pytest.raises(InvalidInputError, match="unknown family 'cron'"):
        generate("cron", 1)
    with pytest.raises(InvalidInputError, match="positive"):
        generate("steady", 1, 0)


def test_prodlike_start_offset_moves_the_weekday_not_the_draws():
    """Offsetting the start by a day moves every timestamp by a day; the containers
    (kinds, sizes) are the same draws, and the weekend dip falls on other samples."""
    from rightsizing.evaluation import generate_prodlike

    base = generate_prodlike("prod-a", 5, 12)
    later = generate_prodlike("prod-a", 5, 12, start_offset_days=1)
    assert [s.family for s in base] == [s.family for s in later]
    for a, b in zip(base, later, strict=True):
        np.testing.assert_allclose(b.times_s - a.times_s, 86400.0)
    web = [(a, b) for a, b in zip(base, later, strict=True) if a.family == "web"]
    assert web and any(not np.allclose(a.cpu, b.cpu) for a, b in web)
    with pytest.raises(InvalidInputError, match="0-6"):
        generate_prodlike("prod-a", 5, 12, start_offset_days=7)


def test_describe_decisions_names_the_weekday_and_late_starters():
    from rightsizing.evaluation import generate_prodlike
    from rightsizing.evaluation.plausibility import describe_decisions

    fleet = generate_prodlike("prod-b", 3, 20)  # starts Wednesday 2024-01-03 09:10 UTC
    text = describe_decisions(fleet, 7.0, 7.0)
    assert text.startswith("first decision 2024-01-10 09:10 UTC, a Wednesday, then every 7")
    assert "start later" in text  # prod-b has containers deployed during the trace
    steady = generate("steady", 1, 2, 10)
    text = describe_decisions(steady, 3.0, 2.0)
    assert ", then every 2 days; results depend" in text
    assert "start later" not in text
    assert describe_decisions([], 7.0, 7.0).startswith("no decisions")


def test_prodlike_days_lengthens_the_trace_and_refuses_nonsense():
    from rightsizing.evaluation import generate_prodlike

    long = generate_prodlike("prod-b", 3, 4, days=28)
    assert max(float(s.times_s[-1] - s.times_s[0]) for s in long) > 27 * 86400.0
    for bad in (1, 366):
        with pytest.raises(InvalidInputError, match="days must be 2-365"):
            generate_prodlike("prod-b", 3, 4, days=bad)
