"""The bar on cluster-sized prod-like fleets: the tables of docs/rightsizing.md, regenerated.

Each fleet is the seeds of one prod-like generator concatenated into one export
(80 containers a seed), replayed without current requests, as a usage export is, with
krr-simple, vpa and tacos (with any ``--setting``). Options move the weekday of the
decisions (``--offset-days``) or scale every container's CPU from some day on
(``--level-shift DAY:FACTOR``), the robustness checks of the docs. Prints one row a
fleet: slack @ under-provisioned share / would-be OOMs per strategy, tacos's slack and
risk ratios to the better and the safer baseline, and whether the whole bar is met.
Bounded: one replay a fleet; nothing is written.

    .venv/bin/python -m bench.rightsizing_cluster_fleets --fleet prod-b --seeds 143-152
    .venv/bin/python -m bench.rightsizing_cluster_fleets --seeds 201-210 --offset-days 0-6
    .venv/bin/python -m bench.rightsizing_cluster_fleets --seeds 201-210 \\
        --level-shift 5.5:0.6 --setting holdout_folds=2
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from rightsizing.evaluation import bar_verdict, generate_cluster, replay
from rightsizing.evaluation.plausibility import first_decision_s
from rightsizing.evaluation.prodlike import PROD_FLEETS
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.strategies import make_strategy

DAY = 86400.0


def int_range(text: str) -> range:
    """``"201-210"`` or ``"5"`` as an inclusive range."""
    lo, _, hi = text.partition("-")
    return range(int(lo), int(hi or lo) + 1)


def cluster_fleet(
    name: str,
    seeds: range,
    offset_days: int,
    shift: tuple[float, float] | None,
    days: int | None = None,
    current: bool = False,
) -> list[ReplaySeries]:
    """The seeds as one usage-only fleet, optionally scaled from ``shift[0]`` days on
    (``days``: the trace's length, default the fleet's own; ``current``: keep the
    generator's current requests, as a cluster with requests set replays)."""
    out = generate_cluster(name, seeds, offset_days, days, usage_only=not current)
    if shift is not None:
        start = min(float(s.times_s[0]) for s in out) + shift[0] * DAY
        out = [
            dataclasses.replace(s, cpu=np.where(s.times_s >= start, s.cpu * shift[1], s.cpu))
            for s in out
        ]
    return out


def cell(score: Score) -> str:
    return f"{score.cpu_slack:.1%} @ {score.cpu_under_share:.2%} / {score.ooms}"


def decision_weekday(series: list[ReplaySeries], window_days: float = 7.0) -> str:
    """The weekday of the first decision of the replay, UTC."""
    first = first_decision_s(series, window_days)
    return "-" if first is None else time.strftime("%a", time.gmtime(first))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", action="append", choices=PROD_FLEETS)
    parser.add_argument("--seeds", type=int_range, default=int_range("133-142"))
    parser.add_argument("--offset-days", type=int_range, default=int_range("0"))
    parser.add_argument("--level-shift", help="DAY:FACTOR, e.g. 5.5:0.6")
    parser.add_argument("--setting", action="append", default=[], help="tacos KEY=VALUE")
    parser.add_argument("--window-days", type=float, default=7.0, help="history per decision")
    parser.add_argument("--days", type=int, help="trace length (default: the fleet's own)")
    parser.add_argument(
        "--current", action="store_true", help="with the generator's current requests"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shift = None
    if args.level_shift:
        day, _, factor = args.level_shift.partition(":")
        try:
            shift = (float(day), float(factor))
        except ValueError:
            parser.error(f"--level-shift {args.level_shift!r}: expected DAY:FACTOR")
        if shift[1] <= 0:
            parser.error("--level-shift: the factor must be positive")
    if any("=" not in item for item in args.setting):
        parser.error("--setting: expected KEY=VALUE (a tacos setting)")
    settings = dict(item.split("=", 1) for item in args.setting)
    tacos = make_strategy("tacos", settings)
    met = 0
    rows = 0
    for name in args.fleet or list(PROD_FLEETS):
        for offset in args.offset_days:
            t = time.perf_counter()
            fleet = cluster_fleet(name, args.seeds, offset, shift, args.days, args.current)
            scores = replay(
                fleet,
                ["krr-simple", "vpa", tacos],
                window_days=args.window_days,
                include_current=False,
                workers=args.workers,
            )
            verdict = bar_verdict(scores, "tacos")
            base_slack = min(scores[b].cpu_slack for b in ("krr-simple", "vpa"))
            base_under = min(scores[b].cpu_under_share for b in ("krr-simple", "vpa"))
            own = scores["tacos"]
            ok = verdict is not None and verdict.met
            met += ok
            rows += 1
            print(
                f"{name} seeds {args.seeds.start}-{args.seeds.stop - 1} ({len(fleet)}), "
                f"decisions on {decision_weekday(fleet, args.window_days)}: "
                + " | ".join(f"{k} {cell(v)}" for k, v in scores.items())
                + f" | ratio {own.cpu_slack / base_slack:.3f} / "
                f"{own.cpu_under_share / base_under:.3f} | bar {'met' if ok else 'no'}"
                f" ({time.perf_counter() - t:.0f} s)",
                flush=True,
            )
    print(f"full bar on {met} of {rows} fleets (tacos settings: {settings or 'default'})")


if __name__ == "__main__":
    main()
