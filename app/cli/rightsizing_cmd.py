"""``finops rightsizing``: replay evaluation of the rightsizing strategies.

``evaluate`` replays a usage history (a CSV export, the usage stored in the database,
or the generated workload families) and prints how each strategy would have done.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.cli.common import ConfigOption, print_table
from rightsizing import (
    DEFAULT_STRATEGY,
    Guardrails,
    InvalidRowError,
    RightsizingError,
    make_strategy,
    strategy_names,
)
from rightsizing.evaluation import (
    BASELINES,
    FAMILIES,
    PROD_FLEETS,
    LoadedUsage,
    ReplaySeries,
    bar_verdict,
    calibration_rows,
    comparison_rows,
    default_window_days,
    generate,
    generate_prodlike,
    load_usage_csv,
    nothing_to_score,
    replay_hindsight,
    replay_pooled,
)
from rightsizing.evaluation.plausibility import (
    describe_decisions,
    describe_export,
    floor_doubt,
)
from rightsizing.evaluation.pod_names import group_by_pod_names, uneven_groups
from rightsizing.evaluation.replay import Calibration
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.uncertainty import Comparison, compare
from rightsizing.evaluation.window import describe_window
from rightsizing.inputs import Resources

app = typer.Typer(
    help="Rightsizing recommendations and their replay evaluation.", no_args_is_help=True
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.callback()
def _group() -> None:
    """Rightsizing recommendations and their replay evaluation."""


def _parse_settings(items: list[str]) -> dict[str, dict[str, str]]:
    """``strategy.key=value`` items into per-strategy settings (validated by the strategy)."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        target, sep, value = item.partition("=")
        name, dot, key = target.partition(".")
        if not sep or not dot or not name or not key:
            raise RightsizingError(f"--setting {item!r}: expected STRATEGY.KEY=VALUE")
        out.setdefault(name.strip(), {})[key.strip()] = value.strip()
    return out


def _pct(x: object) -> str:
    return "n/a" if not isinstance(x, float) or math.isnan(x) else f"{x:.1%}"


@app.command()
def evaluate(
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="series_id,timestamp_s,cpu_cores[,memory_bytes] (gzip ok; optional "
            "cpu_request,cpu_limit,memory_request,memory_limit,group; see docs/rightsizing.md)",
        ),
    ] = None,
    family: Annotated[
        list[str] | None,
        typer.Option(
            "--family",
            help=f"generated family instead of a CSV: {', '.join(FAMILIES)}, all; "
            f"or a prod-like fleet: {', '.join(PROD_FLEETS)}",
        ),
    ] = None,
    strategy: Annotated[
        list[str] | None, typer.Option("--strategy", help="repeat; default: all strategies")
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option("--setting", help="strategy setting, e.g. tacos.starvation_cores=15 (repeat)"),
    ] = None,
    window_days: Annotated[
        float | None,
        typer.Option(
            min=1,
            max=90,
            help="history per recommendation (default: the most, up to the weekly job's "
            "14 and at least 7, that leaves most series a scored step after it)",
        ),
    ] = None,
    step_days: Annotated[float, typer.Option(min=1, max=90, help="scored period after each")] = 7.0,
    seed: Annotated[
        list[int] | None,
        typer.Option(
            help="seed for --family (1); repeat to pool several: each seed is its own "
            "fleet, replayed on its own, and the scores are pooled"
        ),
    ] = None,
    series: Annotated[
        int | None,
        typer.Option(min=1, max=1000, help="series per --family (6; prod-like fleets 80)"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=2,
            max=365,
            help="days per generated series (28; prod-like fleets: their own, 21 / 15)",
        ),
    ] = None,
    database: Annotated[
        bool,
        typer.Option(
            "--database",
            help="replay the hourly usage stored in the configured database (see --config)",
        ),
    ] = False,
    config: ConfigOption = None,
    namespace: Annotated[
        list[str] | None,
        typer.Option("--namespace", "-n", help="with --database: only these namespaces"),
    ] = None,
    history_days: Annotated[
        float | None,
        typer.Option(min=1, help="with --database: replay only the last N days (default: all)"),
    ] = None,
    guardrails: Annotated[bool, typer.Option(help="apply the default guardrails")] = True,
    without_current: Annotated[
        bool,
        typer.Option(
            "--without-current",
            help="replay as if no requests were set at the start (as in an export without "
            "request columns): the first decision is not held back by the step guardrails",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=0, max=64, help="engine processes (0: one per CPU; small fleets run in one)"
        ),
    ] = 0,
    pod_groups: Annotated[
        bool,
        typer.Option(
            help="with --csv: series without a group whose ids carry Kubernetes pod names "
            "(<deployment>-<hash>-<suffix>, <daemonset>-<suffix>) are grouped by workload, "
            "as pods of one template share one request",
        ),
    ] = True,
    skip_invalid_rows: Annotated[
        bool,
        typer.Option(
            "--skip-invalid-rows",
            help="with --csv: leave out rows with a value that cannot be used (empty, not "
            "a number, negative, NaN, a repeated timestamp, a wrong number of fields) and "
            "say how many, instead of stopping at the first",
        ),
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Recommend from each window, score the following week, compare the strategies."""
    err = Console(stderr=True, soft_wrap=True)
    names = strategy or strategy_names()
    try:
        unknown = [n for n in names if n not in strategy_names()]
        if unknown:
            raise RightsizingError(
                f"unknown strategy {', '.join(unknown)}; choose from {', '.join(strategy_names())}"
            )
        need = Guardrails().min_history_days
        if guardrails and window_days is not None and window_days < need:
            raise RightsizingError(
                f"--window-days {window_days:g} is shorter than the {need:g} days of history "
                "the default guardrails want: every decision would be 'too little data'; "
                "add --no-guardrails to replay a shorter window"
            )
        sources = (csv_file is not None) + bool(family) + database
        if sources != 1:
            raise RightsizingError("give exactly one of --csv FILE, --database or --family NAME")
        if (namespace or history_days) and not database:
            raise RightsizingError("--namespace and --history-days apply to --database only")
        if seed and not family:
            raise RightsizingError("--seed applies to --family only")
        if skip_invalid_rows and csv_file is None:
            raise RightsizingError("--skip-invalid-rows applies to --csv only")
        fleets: list[list[ReplaySeries]]  # one per cluster replayed (per seed for --family)
        # what was read from --csv and every warning about it, for JSON readers too
        csv_input: dict[str, object] | None = None
        if database:
            data, source = _from_database(config, namespace, history_days)
            fleets = [data]
        elif csv_file is not None:
            loaded = _load_csv(csv_file, err, skip_invalid_rows)
            fleets, source = [loaded.series], str(csv_file)
            warned: list[str] = []
            if loaded.skipped_rows:
                source += f", {_invalid_rows(loaded.skipped_rows)} skipped"
                warned.append(describe_skipped(loaded))
                err.print(f"[yellow]warning:[/yellow] {escape(warned[-1])}")
            if output is OutputFormat.table:  # for people; JSON has it under "input"
                err.print(escape(describe_export(loaded.series, loaded.rows)), highlight=False)
            if pod_groups:
                groups = group_by_pod_names(loaded.series)
                if groups.pods:
                    fleets = [groups.series]
                    workloads = len(groups.workloads)
                    source += f", {groups.pods} pod series grouped into {workloads} by pod name"
                    err.print(
                        f"{groups.pods} series grouped into {workloads} containers by their "
                        "Kubernetes pod names (a workload's pods share one request; "
                        "--no-pod-groups keeps every series apart)"
                    )
                    uneven = uneven_groups(groups.series, groups.workloads)
                    if uneven:
                        warned.append(uneven)
                        err.print(f"[yellow]warning:[/yellow] {escape(uneven)}")
            if loaded.dropped_zero_rows:
                err.print(
                    f"{loaded.dropped_zero_rows} zero rows dropped (zero replicas are not usage)"
                )
            doubts = list(loaded.warnings)
            if guardrails:
                doubts.append(floor_doubt(loaded.series, Guardrails().cpu_floor_cores) or "")
            for warning in filter(None, doubts):
                warned.append(warning)
                err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
            if not loaded.has_memory:
                err.print(
                    "no memory_bytes column: every series read as CPU-only, zero-CPU rows "
                    "kept as idle samples; the memory figures mean nothing"
                )
            elif loaded.cpu_only_series:
                err.print(
                    f"{loaded.cpu_only_series} series have no memory figures (0 on every "
                    "row): read as CPU-only, their zero-CPU rows kept as idle samples; "
                    "their memory columns mean nothing"
                )
            csv_input = {
                "rows": loaded.rows,
                "series": len(loaded.series),
                "containers": len(fleets[0]),
                "skipped_invalid_rows": loaded.skipped_rows,
                "skipped_examples": list(loaded.skipped_examples),
                "dropped_zero_rows": loaded.dropped_zero_rows,
                "cpu_only_series": loaded.cpu_only_series,
                "has_memory": loaded.has_memory,
                "warnings": warned,
            }
        else:
            fams = list(FAMILIES) if "all" in (family or []) else list(family or [])
            seeds = list(dict.fromkeys(seed or [1]))
            fleets = [
                [
                    s
                    for f in fams
                    for s in (
                        generate_prodlike(f, one, series or 80, days=days)
                        if f in PROD_FLEETS
                        else generate(f, one, series or 6, days or 28)
                    )
                ]
                for one in seeds
            ]
            source = (
                f"families {','.join(fams)} seed{'s' if len(seeds) > 1 else ''} "
                f"{','.join(map(str, seeds))}"
            )
        if without_current:
            fleets = [[replace(s, current=Resources()) for s in fleet] for fleet in fleets]
            source += ", without current requests"
        data = [s for fleet in fleets for s in fleet]
        chosen = window_days is None
        if window_days is None:
            window_days = default_window_days(data, step_days)
        if output is OutputFormat.table:  # for people; JSON and CSV carry window_days
            err.print(escape(describe_window(window_days, step_days, chosen)), highlight=False)
            if csv_file is not None:
                err.print(escape(describe_decisions(data, window_days, step_days)), highlight=False)
        why_not = nothing_to_score(data, window_days)
        if why_not is not None:
            raise RightsizingError(why_not)
        settings = _parse_settings(setting or [])
        strategies = [make_strategy(n, settings.get(n)) for n in names]
        stray = sorted(set(settings) - set(names))
        if stray:
            raise RightsizingError(f"--setting for a strategy not evaluated: {', '.join(stray)}")
        total = (len(strategies) + 1) * len(fleets)
        done: list[str] = []
        with err.status(f"replaying {len(data)} series…") as status:

            def step(name: str) -> None:
                done.append(name)
                status.update(f"replaying {len(data)} series: {name} ({len(done)}/{total})")

            per_group: dict[str, list[Score]] = {}
            rounds: dict[str, list[Calibration]] = {}
            scores = replay_pooled(
                fleets,
                strategies,
                window_days,
                step_days,
                None if guardrails else Guardrails.off(),
                progress=step,
                workers=workers,
                per_group=per_group,
                calibrations=rounds,
            )
    except RightsizingError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        if isinstance(exc, InvalidRowError) and not skip_invalid_rows:
            err.print(
                "(--skip-invalid-rows leaves such rows out and counts them, where a few "
                "bad rows in a long export should not stop the replay)"
            )
        raise typer.Exit(2) from None
    rows = comparison_rows(scores, data, window_days, step_days, per_group)
    verdict = None
    if DEFAULT_STRATEGY in scores:
        pre = bar_verdict(scores, DEFAULT_STRATEGY)
        if pre is not None:
            hind = replay_hindsight(data, pre.under_allowed, window_days, step_days).cpu_slack
            verdict = bar_verdict(scores, DEFAULT_STRATEGY, None if math.isnan(hind) else hind)
    others = [b for b in BASELINES if b in scores and b != DEFAULT_STRATEGY]
    comparisons = compare(per_group, DEFAULT_STRATEGY, others) if DEFAULT_STRATEGY in scores else []
    calibrations = calibration_rows(rounds)
    if output is OutputFormat.json:
        doc = {
            "source": source,
            "series": len(data),
            "window_days": window_days,
            "step_days": step_days,
            "results": rows,
            "bar": verdict.as_dict() if verdict else None,
            "comparisons": [c.as_dict() for c in comparisons],
            "calibrations": calibrations,
            "input": csv_input,
        }
        typer.echo(json.dumps(_json_safe(doc), indent=2, allow_nan=False))
        return
    if output is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    table = Table(
        title=escape(f"Replay: {source} ({len(data)} series, {window_days:g}-day window)")
    )
    for col in (
        "strategy",
        "CPU slack",
        "CPU under",
        "by cores",
        "often under",
        "mem slack",
        "OOMs",
        "changes",
        "scored",
        "gap",
    ):
        if col == "strategy":
            table.add_column(col, no_wrap=True)
        else:
            table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            str(r["strategy"]),
            _pct(r["cpu_slack"]),
            _pct(r["cpu_under_share"]),
            _pct(r.get("cpu_under_share_by_request")),
            _pct(r.get("containers_often_under")),
            _pct(r["memory_slack"]),
            str(r["would_be_ooms"]),
            str(r["changes"]),
            _pct(r["scored_share"]),
            _pts(r.get("gap_to_hindsight")),
        )
    out = Console(soft_wrap=True)
    print_table(table, out)
    out.print(
        "current: the current requests, unchanged. OOMs: would-be OOM kills (memory above "
        "the limit). by cores: the CPU under share with each container weighted by its "
        "requested cores. often under: containers under-provisioned more than 10% of the "
        "time. gap: points of CPU slack above the "
        "least any weekly request could have had at the same CPU under share "
        "(0 = perfect foresight)"
    )
    if verdict is not None:
        out.print(
            f"bar for {verdict.strategy}: {'met' if verdict.met else 'not met'} "
            f"(slack {_pct(verdict.slack)} vs ≤ {_pct(verdict.slack_allowed)}, "
            f"under {_pct(verdict.under)} vs ≤ {_pct(verdict.under_allowed)}, "
            f"OOMs {verdict.ooms} vs ≤ {verdict.ooms_allowed}); "
            f"least slack any weekly request could have at that under share "
            f"(hindsight bound): {_pct(verdict.hindsight_slack)}"
        )
        if not verdict.slack_target_defined:
            out.print(
                "  (the better baseline's CPU slack is not positive: its requests sat, "
                "summed, at or below the usage, so 0.8 × its slack is no target; compare "
                "the under shares and the would-be OOMs)"
            )
    for c in comparisons:
        out.print(_comparison_line(c), highlight=False)
    for line in _calibration_lines(calibrations):
        out.print(line, highlight=False)


#: rounds listed in the table output (all of them in JSON)
CALIBRATION_LINES = 8


def _calibration_lines(rows: list[dict[str, object]]) -> list[str]:
    """How each round's fleet price was calibrated, for people (JSON has every field)."""
    lines = [
        f"{row['strategy']} calibrated for the decisions of {row['decision']}: price "
        f"{row['starvation_price_cores']:.3g} cores, {row['note']}"
        for row in rows[:CALIBRATION_LINES]
    ]
    if len(rows) > CALIBRATION_LINES:
        lines.append(f"… {len(rows) - CALIBRATION_LINES} more rounds (--format json lists all)")
    return lines


def describe_skipped(loaded: LoadedUsage) -> str:
    """How many rows ``--skip-invalid-rows`` left out, and what was wrong with the first
    few: a user must see whether a few stray rows went or a column was misread."""
    total = loaded.rows + loaded.skipped_rows
    share = loaded.skipped_rows / total if total else 0.0
    first = "; ".join(loaded.skipped_examples)
    return (
        f"{_invalid_rows(loaded.skipped_rows)} skipped ({share:.2%} of the data rows), "
        f"the first: {first}"
    )


def _invalid_rows(n: int) -> str:
    return f"{n:,} invalid row{'' if n == 1 else 's'}"


def _load_csv(path: Path, err: Console, skip_invalid: bool = False) -> LoadedUsage:
    """The file, with its progress on the status line; when the fast reader hands the
    file to the line-by-line one (which starts again from the first row), the status
    says so, rather than a row count that drops back to zero."""
    name = escape(str(path))
    with err.status(f"loading {name}…") as status:
        verb = "loading"

        def line_by_line() -> None:
            nonlocal verb
            verb = "reading line by line (quotes, spaces or an irregular value)"
            status.update(f"{name}: {verb}…")

        return load_usage_csv(
            path,
            progress=lambda n: status.update(f"{verb} {name}: {n:,} rows…"),
            rereading=line_by_line,
            skip_invalid=skip_invalid,
        )


def _from_database(
    config: Path | None, namespaces: list[str] | None, days: float | None
) -> tuple[list[ReplaySeries], str]:
    from app.cli.common import open_context
    from app.recommendations.replay_source import replay_series_from_database
    from app.usage.packs import PackPlan, store_packs_safely

    plans: list[PackPlan] = []
    with open_context(config) as ctx:
        with ctx.sessions() as session:
            data, start, end = replay_series_from_database(session, namespaces, days, plan=plans)
        store_packs_safely(ctx.sessions, plans)  # the next replay reads these days as packs
    where = f" in {', '.join(namespaces)}" if namespaces else ""
    return data, f"database{where}, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


def _pts(x: object) -> str:
    return "n/a" if not isinstance(x, float) or math.isnan(x) else f"{x * 100:.1f}"


def _json_safe(doc: object) -> object:
    """NaN (nothing scored) becomes null: JSON has no NaN, and consumers must see "unknown"."""
    if isinstance(doc, float):
        return doc if math.isfinite(doc) else None
    if isinstance(doc, dict):
        return {k: _json_safe(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_json_safe(v) for v in doc]
    return doc


if __name__ == "__main__":  # until the lead registers it: python -m app.cli.rightsizing_cmd
    app()


MIN_INTERVAL_CONTAINERS = 10


def _comparison_line(c: Comparison) -> str:
    """One line a person can act on: the ratio, the difference, and how sure they are."""
    r, d = c.slack_ratio, c.under_difference
    if not c.ratio_defined:
        under = (
            f"CPU under {d.estimate * 100:+.2f} pts"
            if math.isnan(d.low) or c.containers < MIN_INTERVAL_CONTAINERS
            else f"CPU under {d.estimate * 100:+.2f} pts ({d.low * 100:+.2f} to "
            f"{d.high * 100:+.2f})"
        )
        return (
            f"{c.strategy} vs {c.other}: CPU slack {_pct(c.own_slack)} against "
            f"{_pct(c.other_slack)}, no ratio ({c.other}'s requests sat, summed, at or below "
            f"the usage), {under}"
        )
    if math.isnan(r.low) or math.isnan(d.low):
        return f"{c.strategy} vs {c.other}: too little scored data for an interval"
    plural = "" if c.containers == 1 else "s"
    head = f"{c.strategy} vs {c.other} over {c.containers} container{plural}: CPU slack "
    if c.containers < MIN_INTERVAL_CONTAINERS:
        # resampling a handful of containers says little: give the figures, no interval
        return (
            f"{head}×{r.estimate:.2f}, CPU under {d.estimate * 100:+.2f} pts (too few "
            f"containers for an interval; {MIN_INTERVAL_CONTAINERS} or more give one)"
        )
    pct = f"{c.level:.0%}"
    return (
        f"{head}×{r.estimate:.2f} ({pct} interval ×{r.low:.2f}–×{r.high:.2f}), CPU under "
        f"{d.estimate * 100:+.2f} pts ({d.low * 100:+.2f} to {d.high * 100:+.2f}); "
        f"intervals from resampling the containers"
    )
