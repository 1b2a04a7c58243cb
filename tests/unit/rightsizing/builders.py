"""Small builders for engine inputs with known answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rightsizing import ContainerInputs, Recommendation, Resources, UsageHistory

DAY = 86400.0
STEP = 300.0
MIB = 2.0**20
GIB = 2.0**30
T0 = 1_704_067_200.0


def times(days: float) -> np.ndarray:
    return T0 + np.arange(int(days * DAY / STEP), dtype=np.float64) * STEP


def cycle(values: list[float], n: int) -> np.ndarray:
    """Repeat ``values`` to length ``n``: an exactly known distribution."""
    return np.resize(np.asarray(values, dtype=np.float64), n)


def inputs(
    cpu: np.ndarray | float,
    memory: np.ndarray | float = 512 * MIB,
    days: float = 7.0,
    current: Resources | None = None,
    **kw: object,
) -> ContainerInputs:
    t = times(days)
    c = np.full(t.size, cpu) if np.isscalar(cpu) else np.asarray(cpu, dtype=np.float64)
    m = np.full(t.size, memory) if np.isscalar(memory) else np.asarray(memory, dtype=np.float64)
    return ContainerInputs(
        key="ns/deploy/app",
        usage=UsageHistory.from_samples(t, c, m),
        current=current or Resources(),
        **kw,  # type: ignore[arg-type]
    )


def noisy_fleet(levels: list[float], seed: int = 7, cv: float = 0.2) -> list[ContainerInputs]:
    """Seven days of containers at these CPU levels with Gaussian noise of ``cv``."""
    rng = np.random.default_rng(seed)
    n = times(7).size
    return [
        replace(
            inputs(level * np.clip(rng.normal(1.0, cv, n), 0.05, None), days=7.0),
            key=f"ns/app-{i}/c",
        )
        for i, level in enumerate(levels)
    ]


def cost_optimal_level(outcome: Recommendation) -> float:
    """The quantile level (in %) the CPU request was taken at, from its evidence."""
    note = next(e for e in outcome.evidence if e.name == "cpu_cost_optimal").note
    return float(note.split("p")[1].split(",")[0])
