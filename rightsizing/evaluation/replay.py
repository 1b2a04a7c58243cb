"""Replay: recommend from each window, apply, and score the following week.

For each series the replay starts ``window_days`` after its first sample and
steps a week at a time, like the weekly job: at each decision time it builds the
engine's inputs from the window before it (with the requests then in force as
``current``, and the would-be OOM kills it already saw as OOM events), runs the
engine with the same guardrails for every strategy, applies the outcome, and
scores the samples until the next decision. ``current`` is the baseline that
keeps the series' initial requests throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from rightsizing.evaluation.hindsight import replay_hindsight
from rightsizing.evaluation.scoring import Score, score_segment
from rightsizing.evaluation.series import ReplaySeries, by_container
from rightsizing.fleet import recommend_fleet
from rightsizing.guardrails import Guardrails
from rightsizing.inputs import Autoscaler, ContainerInputs, OomEvent, Resources, UsageHistory
from rightsizing.results import Outcome, Recommendation
from rightsizing.strategies import Strategy, make_strategy

DAY = 86400.0
CURRENT = "current"
__all__ = [
    "CURRENT",
    "nothing_to_score",
    "replay",
    "replay_fleet",
    "replay_group",
    "replay_hindsight",
    "replay_pooled",
    "replay_series",
]


def _updated_autoscaler(auto: Autoscaler | None, rec: Recommendation) -> Autoscaler | None:
    if auto is None:
        return None
    for adj in rec.hpa:
        if adj.resource == "cpu":
            auto = replace(auto, cpu_target_percent=adj.new_target_percent)
        elif adj.resource == "memory":
            auto = replace(auto, memory_target_percent=adj.new_target_percent)
    return auto


def replay_series(
    series: ReplaySeries,
    strategy: Strategy | None,
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
) -> Score:
    """Score one series; ``strategy=None`` scores the current requests unchanged."""
    return replay_group([series], strategy, window_days, step_days, guardrails)


class _GroupReplay:
    """The replay state of one container (its pods): the window, what is applied, the score.

    Split into ``inputs`` (what the engine sees at the next decision), ``apply`` (the
    outcome) and ``score_week`` so that many containers can be stepped in lockstep and
    recommended for as one fleet.
    """

    def __init__(
        self, members: Sequence[ReplaySeries], window_days: float, step_days: float
    ) -> None:
        self.members = list(members)
        self.window = window_days * DAY
        self.step = step_days * DAY
        self.score = Score()
        first = self.members[0]
        t_all = np.concatenate([m.times_s for m in self.members])
        order = np.argsort(t_all, kind="stable")
        self.t = t_all[order]
        self.cpu = np.concatenate([m.cpu for m in self.members])[order]
        self.mem = np.concatenate([m.memory for m in self.members])[order]
        self.w = np.concatenate([m.sample_weights for m in self.members])[order]
        self.peak = np.concatenate([m.peaks for m in self.members])[order]
        self.res = min(m.resolution_s for m in self.members)
        self.end = float(self.t[-1]) + self.res
        self.decision = float(self.t[0]) + self.window
        self.applied: Resources = first.current
        self.auto = first.autoscaler
        self.ooms: list[OomEvent] = []
        self.key = first.group or first.series_id

    @property
    def done(self) -> bool:
        return self.decision >= self.end

    def inputs(self) -> ContainerInputs:
        d = self.decision
        lo = int(np.searchsorted(self.t, d - self.window, side="left"))
        hi = int(np.searchsorted(self.t, d, side="left"))
        t, mem = self.t[lo:hi], self.mem[lo:hi]
        return ContainerInputs(
            key=self.key,
            usage=UsageHistory(t, self.cpu[lo:hi], mem, self.w[lo:hi], self.peak[lo:hi], self.res),
            current=self.applied,
            autoscaler=self.auto,
            oom_events=tuple(o for o in self.ooms if o.time_s >= d - self.window),
            now_s=d,
            start_s=max(d - self.window, float(self.t[0])),
        )

    def apply(self, outcome: Outcome) -> None:
        self.score.decisions += 1
        if isinstance(outcome, Recommendation):
            self.score.recommendations += 1
            if outcome.recommended != self.applied:
                self.score.changes += 1
            self.applied = outcome.recommended
            self.auto = _updated_autoscaler(self.auto, outcome)
        else:
            reason = outcome.reason.value
            self.score.reasons[reason] = self.score.reasons.get(reason, 0) + 1

    def score_week(self) -> None:
        seg_end = self.decision + self.step
        applied = self.applied
        for m in self.members:
            mt = m.times_s
            s = slice(
                int(np.searchsorted(mt, self.decision, side="left")),
                int(np.searchsorted(mt, seg_end, side="left")),
            )
            starts = score_segment(
                self.score,
                mt[s],
                m.cpu[s],
                m.memory[s],
                m.sample_weights[s],
                applied.cpu_request,
                applied.memory_request,
                applied.memory_limit,
                m.resolution_s,
                m.peaks[s],
            )
            if applied.memory_limit is not None:
                self.ooms.extend(OomEvent(float(mt[s][i]), applied.memory_limit) for i in starts)
        self.decision = seg_end


#: a replay round's decision time (its earliest container's) and the strategy as the
#: fleet API calibrated it for that round
Calibration = tuple[float, Strategy]


def replay_fleet(
    groups: Sequence[Sequence[ReplaySeries]],
    strategy: Strategy | None,
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
    workers: int | None = 1,
    per_group: list[Score] | None = None,
    calibrations: list[Calibration] | None = None,
) -> Score:
    """Score many containers stepped in lockstep, recommended for as one fleet each week.

    At round k every container still running is at its k-th decision (the same
    instant when the series start together, as in a cluster); the engine's fleet API
    calibrates the strategy on all of them, then recommends per container, like the
    weekly job. ``strategy=None`` scores the current requests unchanged.
    ``per_group`` (a list to extend) receives each container's own score, in the
    order of ``groups``, for the uncertainty of the pooled figures (``uncertainty``).
    ``calibrations`` (a list to extend) receives each round's calibrated strategy.
    """
    states = [_GroupReplay(g, window_days, step_days) for g in groups]
    states = [st for st in states if st.members]
    rounds = max((int(np.ceil((st.end - st.decision) / st.step)) + 1 for st in states), default=0)
    for _ in range(rounds):
        active = [st for st in states if not st.done]
        if not active:
            break
        if strategy is not None:
            heard = None
            if calibrations is not None:
                at = min(st.decision for st in active)
                heard = partial(_heard, calibrations, at)
            outcomes = recommend_fleet(
                [st.inputs() for st in active], strategy, guardrails, workers, on_calibrated=heard
            )
            for st, outcome in zip(active, outcomes, strict=True):
                st.apply(outcome)
        for st in active:
            st.score_week()
    total = Score()
    for st in states:
        total.merge(st.score)
    if per_group is not None:
        per_group.extend(st.score for st in states)
    return total


def _heard(calibrations: list[Calibration], at: float, strategy: Strategy) -> None:
    calibrations.append((at, strategy))


def replay_group(
    members: Sequence[ReplaySeries],
    strategy: Strategy | None,
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
) -> Score:
    """Score the pods of one container together, as Kubernetes sizes them.

    One request applies to every pod of a workload's container, so each decision is
    made on the pooled samples of all members (pods) and scored on each of them; OOM
    episodes of any member feed the next decision. The first member's current values
    and autoscaler stand for the group. (A fleet of one: a calibrating strategy is
    calibrated on this container alone.)
    """
    members = [m for m in members if m.times_s.size]
    if not members:
        return Score()
    return replay_fleet([members], strategy, window_days, step_days, guardrails)


def replay(
    series: Sequence[ReplaySeries],
    strategies: Sequence[str | Strategy],
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
    include_current: bool = True,
    progress: Callable[[str], None] | None = None,
    workers: int | None = 1,
    per_group: dict[str, list[Score]] | None = None,
    calibrations: dict[str, list[Calibration]] | None = None,
) -> dict[str, Score]:
    """Aggregate scores per strategy name over all series (plus ``current``).

    The series' groups (containers) form one fleet: every strategy is run through the
    engine's fleet API, so a calibrating strategy (the default) sees them all.
    ``progress`` hears the name of each strategy as its replay starts (a replay of a
    large fleet takes a while per strategy). ``workers``: engine processes per round
    (``recommend_fleet``); the scores are the same for any number. ``per_group`` (a
    dict to fill) receives every strategy's per-container scores, in one container
    order for all strategies; ``calibrations`` (a dict to fill) each strategy's rounds
    as calibrated (``replay_fleet``).
    """
    built = [make_strategy(s) if isinstance(s, str) else s for s in strategies]
    out: dict[str, Score] = {}
    members = by_container(series)
    if include_current:
        if progress is not None:
            progress(CURRENT)
        groups_out = None if per_group is None else per_group.setdefault(CURRENT, [])
        out[CURRENT] = replay_fleet(
            members, None, window_days, step_days, guardrails, per_group=groups_out
        )
    for strat in built:
        if progress is not None:
            progress(strat.name)
        groups_out = None if per_group is None else per_group.setdefault(strat.name, [])
        rounds = None if calibrations is None else calibrations.setdefault(strat.name, [])
        out[strat.name] = replay_fleet(
            members, strat, window_days, step_days, guardrails, workers, groups_out, rounds
        )
    return out


def nothing_to_score(series: Sequence[ReplaySeries], window_days: float) -> str | None:
    """Why a replay of ``series`` would score nothing at all, or None when it can score.

    The replay recommends from the first ``window_days`` of each series and scores what
    follows, so a history no longer than the window gives a table of "n/a" that does not
    say why; callers turn this into a clear error instead.
    """
    spans = [float(s.times_s[-1] - s.times_s[0]) for s in series if s.times_s.size]
    if not spans:
        return "no samples to replay"
    longest = max(spans) / DAY
    if longest > window_days:
        return None
    need = Guardrails().min_history_days
    shorter = "a shorter --window-days"
    if longest <= need:  # any window that fits this history is below the guardrails' own
        shorter += (
            f" (below {need:g} days also --no-guardrails: the default guardrails want "
            f"{need:g} days of data)"
        )
    return (
        f"nothing to score: the longest series covers {longest:.1f} days, and the replay "
        f"recommends from the first {window_days:g} days of each series and scores what "
        f"follows; give a longer history or {shorter}"
    )


def replay_pooled(
    fleets: Sequence[Sequence[ReplaySeries]],
    strategies: Sequence[str | Strategy],
    window_days: float = 7.0,
    step_days: float = 7.0,
    guardrails: Guardrails | None = None,
    include_current: bool = True,
    progress: Callable[[str], None] | None = None,
    workers: int | None = 1,
    per_group: dict[str, list[Score]] | None = None,
    calibrations: dict[str, list[Calibration]] | None = None,
) -> dict[str, Score]:
    """Several fleets (e.g. one per seed), each replayed as its own cluster, scores pooled.

    Why not one replay of the union: a fleet-calibrated strategy would then calibrate
    on all of them at once, which no real cluster does; pooling the *scores* of
    separate replays is how the tables in docs/rightsizing.md pool seeds. ``per_group``
    receives the containers of every fleet, fleet after fleet; ``calibrations`` their
    rounds, likewise.
    """
    out: dict[str, Score] = {}
    for fleet in fleets:
        part_groups: dict[str, list[Score]] | None = None if per_group is None else {}
        part = replay(
            fleet,
            strategies,
            window_days,
            step_days,
            guardrails,
            include_current,
            progress,
            workers,
            part_groups,
            calibrations,
        )
        for name, score in part.items():
            out.setdefault(name, Score()).merge(score)
        if per_group is not None and part_groups is not None:
            for name, groups in part_groups.items():
                per_group.setdefault(name, []).extend(groups)
    return out
