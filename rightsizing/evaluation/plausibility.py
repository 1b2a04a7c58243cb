"""What a usage export holds, and doubts about its units (values that cannot be what
they claim).

Pure (no I/O): the loader calls ``unit_warnings`` on what it read, and the CLI prints
``describe_export`` before a replay. The doubts are not errors, since
the file is valid and the replay runs; but a CPU column in millicores, a cumulative
counter in place of a rate, or memory in MiB gives recommendations 1,000x or a
million times off, and a table of percentages alone would not show why.
"""

from __future__ import annotations

import time

import numpy as np

from rightsizing.evaluation.series import ReplaySeries
from rightsizing.quantiles import FloatArray

#: Above this median a series cannot be one container's cores (the largest EC2
#: instances have 448 vCPUs, and no pod spans nodes): millicores, most likely.
PLAUSIBLE_CPU_CORES = 256.0
#: Above this median of the series' medians a fleet is not containers in cores: typical
#: containers use a fraction of a core, and a fleet of 16-core ones is rare (judged on
#: at least ``TYPICAL_MIN_SERIES`` series: two big batch jobs are not a fleet).
PLAUSIBLE_TYPICAL_CORES = 16.0
TYPICAL_MIN_SERIES = 5
#: Below this median a series' memory cannot be a process's bytes (even a pause
#: container's working set is several hundred KiB): MiB or GiB, most likely.
PLAUSIBLE_MEMORY_BYTES = 64 * 1024.0
#: Seconds since the epoch beyond this (the year 5138) are milliseconds or finer.
LARGEST_SECONDS = 1e11


def _looks_cumulative(cpu: FloatArray) -> bool:
    """A counter, not a rate: at least 20 samples, never falling (but for a rare reset),
    and either ending at 10 times where it started (a young container) or too large
    for cores (a counter since an old container's start)."""
    if cpu.size < 20:
        return False
    if float(np.mean(np.diff(cpu) >= 0)) < 0.99:
        return False
    grew = cpu[-1] >= 10 * max(float(cpu[0]), 1e-9)
    return bool(grew or float(np.median(cpu)) > PLAUSIBLE_CPU_CORES)


def unit_warnings(series: list[ReplaySeries]) -> list[str]:
    """Plain-language doubts about the units, one per column, naming an example series."""
    return [d for d in (_cpu_unit_doubt(series), _memory_unit_doubt(series)) if d]


def _cpu_unit_doubt(series: list[ReplaySeries]) -> str | None:
    """A cumulative counter first (it is also too big for cores), then millicores."""
    counters = [s.series_id for s in series if _looks_cumulative(s.cpu)]
    if counters and len(counters) * 2 >= len(series):
        return (
            f"{len(counters)} series (e.g. {counters[0]!r}) only ever grow: is cpu_cores a "
            "cumulative counter (container_cpu_usage_seconds_total)? It holds cores: "
            "export rate(...[5m]) instead"
        )
    medians = [(float(np.median(s.cpu)), s.series_id) for s in series if s.cpu.size]
    cpu_big = [sid for m, sid in medians if m > PLAUSIBLE_CPU_CORES]
    typical = float(np.median([m for m, _ in medians])) if medians else 0.0
    if cpu_big:
        why = (
            f"{len(cpu_big)} series (e.g. {cpu_big[0]!r}) use more than "
            f"{PLAUSIBLE_CPU_CORES:g} cores at the median"
        )
    elif len(medians) >= TYPICAL_MIN_SERIES and typical > PLAUSIBLE_TYPICAL_CORES:
        why = f"the typical series uses {typical:.0f} cores at the median"
    else:
        return None
    return f"{why}: is cpu_cores in millicores? (it holds cores: divide by 1000)"


def floor_doubt(series: list[ReplaySeries], floor_cores: float) -> str | None:
    """Where most series never reach the guardrails' CPU floor (their 95th percentile is
    below it), a doubt naming an example series; None otherwise or without a floor.

    Why: the floor lifts every strategy's request alike, so on such a fleet the floors,
    not the strategies, set the requests, and the comparison says little (a trace in
    normalised units, a fraction of a machine, reads this way). Not an error: a fleet of
    millicore sidecars is real, and ``--no-guardrails`` compares the raw judgement.
    """
    if floor_cores <= 0:
        return None
    p95 = [(float(np.quantile(s.cpu, 0.95)), s.series_id) for s in series if s.cpu.size]
    below = [sid for value, sid in p95 if value < floor_cores]
    if not below or len(below) * 2 < len(p95):
        return None
    milli = floor_cores * 1000
    return (
        f"{len(below)} of {len(p95)} series (e.g. {below[0]!r}) stay below the guardrails' "
        f"{milli:g}-millicore CPU floor at their 95th percentile: the floor sets their "
        "requests for every strategy (vpa's own floor is 25 millicores), so the "
        "comparison says little about them; is cpu_cores in normalised units or a share "
        "of a machine? (it holds cores; --no-guardrails compares the strategies' raw "
        "judgement)"
    )


def _memory_unit_doubt(series: list[ReplaySeries]) -> str | None:
    small = [
        s.series_id
        for s in series
        if s.memory.any() and float(np.median(s.memory)) < PLAUSIBLE_MEMORY_BYTES
    ]
    if not small:
        return None
    return (
        f"{len(small)} series (e.g. {small[0]!r}) use less than 64 KiB of memory "
        "at the median: is memory_bytes in MiB or GiB? (it holds bytes)"
    )


def _with_samples(series: list[ReplaySeries]) -> list[ReplaySeries]:
    return [s for s in series if s.times_s.size]


def first_decision_s(series: list[ReplaySeries], window_days: float) -> float | None:
    """When the replay first decides: ``window_days`` after the earliest first sample
    (each container decides that long after its own first sample); None without samples."""
    with_samples = _with_samples(series)
    if not with_samples:
        return None
    return min(float(s.times_s[0]) for s in with_samples) + window_days * 86400.0


def describe_export(series: list[ReplaySeries], rows: int) -> str:
    """One line on what was read: rows, series, the span and the typical sample step.

    Printed before the replay so that a misread file (timestamps in the wrong unit, one
    series where many were meant) shows itself before minutes of replay.
    """
    with_samples = _with_samples(series)
    if not with_samples:
        return f"read {rows:,} rows: no series with samples"
    start = min(float(s.times_s[0]) for s in with_samples)
    end = max(float(s.times_s[-1]) for s in with_samples)
    step = float(np.median([s.resolution_s for s in with_samples]))
    step_text = f"{step / 60:g}-minute" if step >= 60 else f"{step:g}-second"
    return (
        f"read {rows:,} rows: {len(with_samples):,} series over {(end - start) / 86400:.1f} "
        f"days, {step_text} samples (median)"
    )


def describe_decisions(series: list[ReplaySeries], window_days: float, step_days: float) -> str:
    """When the replay decides: the first decision's instant and weekday, and the step.

    Why say it: usage has a weekly cycle, and a decision made just after a weekend
    looks at other days than one made mid-week, for every strategy (docs/rightsizing.md,
    "The weekday of the decision"), so a comparison holds for the weekday it was made
    on. Each container decides ``window_days`` after its own first sample; the earliest
    container's first decision stands for the fleet.
    """
    decision = first_decision_s(series, window_days)
    if decision is None:
        return "no decisions: no series with samples"
    start = decision - window_days * 86400.0
    first = time.gmtime(decision)
    later = any(float(s.times_s[0]) - start >= 86400.0 for s in _with_samples(series))
    return (
        f"first decision {time.strftime('%Y-%m-%d %H:%M UTC, a %A', first)}, then every "
        f"{step_days:g} days"
        + (" (containers that start later decide later)" if later else "")
        + "; results depend on the weekday of the decisions"
    )
