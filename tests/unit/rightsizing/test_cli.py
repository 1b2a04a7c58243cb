import dataclasses
import gzip
import json
import time

import pytest
from typer.testing import CliRunner

from app.cli.rightsizing_cmd import app
from rightsizing.evaluation import generate
from rightsizing.evaluation.families import T0

runner = CliRunner()


def _write_csv(path, series, gz=False):
    lines = ["series_id,timestamp_s,cpu_cores,memory_bytes"]
    for s in series:
        for t, c, m in zip(s.times_s, s.cpu, s.memory, strict=True):
            lines.append(f"{s.series_id},{t:.0f},{c:.6f},{m:.0f}")
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)


def test_evaluate_csv_json_matches_the_library(tmp_path):
    series = generate("steady", 3, 2, 15)
    f = tmp_path / "usage.csv.gz"
    _write_csv(f, series, gz=True)
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["series"] == 2
    names = [row["strategy"] for row in doc["results"]]
    assert names == ["current", "krr-simple", "vpa", "tacos"]
    # no current requests in the CSV: the current baseline has nothing to score, and its
    # slack is unknown (null in JSON, never NaN)
    assert doc["results"][0]["scored_share"] == 0.0
    assert doc["results"][0]["cpu_slack"] is None
    assert "NaN" not in r.output
    krr = doc["results"][1]
    assert krr["decisions"] == 2  # 15 days: an 8-day window, one decision (day 8) per series
    assert 0.0 < krr["cpu_slack"] < 1.0
    assert doc["bar"]["strategy"] == "tacos"
    assert isinstance(doc["bar"]["met"], bool)
    comps = {c["other"]: c for c in doc["comparisons"]}
    assert set(comps) == {"krr-simple", "vpa"}
    rows = {r["strategy"]: r for r in doc["results"]}
    for other, c in comps.items():
        ratio = c["cpu_slack_ratio"]
        assert ratio["estimate"] == pytest.approx(
            rows["tacos"]["cpu_slack"] / rows[other]["cpu_slack"]
        )
        assert ratio["low"] <= ratio["estimate"] <= ratio["high"]
        assert c["containers"] == 2 and c["level"] == 0.95


def test_evaluate_table_and_csv_formats(tmp_path):
    f = tmp_path / "usage.csv"
    _write_csv(f, generate("spiky", 1, 1, 15))
    table = runner.invoke(
        app,
        [
            "evaluate",
            "--csv",
            str(f),
            "--strategy",
            "krr-simple",
            "--strategy",
            "vpa",
            "--strategy",
            "tacos",
        ],
    )
    assert table.exit_code == 0, table.output
    for name in ("current", "krr-simple", "vpa", "tacos", "would-be OOM", "gap"):
        assert name in table.output
    assert "bar for tacos" in table.output
    assert "tacos vs vpa over 1 container: CPU slack ×" in table.output
    assert "too few containers for an interval" in table.output
    out = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = out.output.strip().splitlines()
    assert rows[0].startswith("strategy,cpu_slack,cpu_under_share")
    assert [r.split(",")[0] for r in rows[1:]] == ["current", "vpa"]


def test_evaluate_prints_intervals_for_a_fleet():
    r = runner.invoke(
        app,
        [
            "evaluate",
            "--family",
            "prod-a",
            "--series",
            "12",
            "--strategy",
            "vpa",
            "--strategy",
            "tacos",
        ],
    )
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("tacos vs vpa over 12 containers"))
    assert "(95% interval ×" in line and "intervals from resampling the containers" in line


def test_evaluate_prodlike_fleets_for_any_number_of_days():
    """--days lengthens or shortens a prod-like fleet (its own 21 days otherwise): a
    14-day window needs more than prod-b's 15 days to decide more than once."""

    def decisions(*extra: str) -> int:
        r = runner.invoke(
            app,
            ["evaluate", "--family", "prod-a", "--series", "3", "--format", "json", *extra],
        )
        assert r.exit_code == 0, r.output
        doc = json.loads(r.output)
        return int(next(x for x in doc["results"] if x["strategy"] == "vpa")["decisions"])

    assert decisions("--days", "10") == 3  # one decision (day 7) per series
    own = decisions("--window-days", "7")  # 21 days: two per series (young ones fewer)
    assert 3 < own < decisions("--days", "28", "--window-days", "7")
    assert decisions("--window-days", "14") < decisions("--days", "28", "--window-days", "14")


def test_evaluate_replays_the_weekly_jobs_history_where_the_data_allows():
    """No --window-days: 14 days (the weekly job's history) where the typical series
    spans 21 days, said on stderr and in JSON; shorter data the most that leaves a
    scored week (at least 7), an explicit window what was asked."""

    def run(*extra: str) -> tuple[dict, str]:
        base = ["evaluate", "--family", "prod-a", "--series", "3", "--strategy", "vpa"]
        table = runner.invoke(app, [*base, *extra])
        assert table.exit_code == 0, table.output
        doc = runner.invoke(app, [*base, *extra, "--format", "json"])
        assert doc.exit_code == 0, doc.output
        return json.loads(doc.output), table.output

    doc, out = run()  # prod-a: 21 days
    assert doc["window_days"] == 14.0
    assert "window: 14 days of history per decision, as the weekly job reads" in out
    assert "14-day window" in out
    assert doc["results"][1]["decisions"] <= 3  # one decision (day 14) per series
    doc, out = run("--days", "17")  # the most history that leaves a scored week
    assert doc["window_days"] == 10.0
    assert "window: 10 days of history per decision: the most that leaves a scored" in out
    doc, out = run("--days", "14")
    assert doc["window_days"] == 7.0
    assert "most series span less than 15 days" in out
    doc, out = run("--window-days", "10")
    assert doc["window_days"] == 10.0
    assert "window: 10 days of history per decision (--window-days)" in out


def test_evaluate_generated_families():
    r = runner.invoke(
        app,
        [
            "evaluate",
            "--family",
            "leaking",
            "--series",
            "2",
            "--days",
            "15",
            "--format",
            "json",
            "--no-guardrails",
        ],
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["series"] == 2
    assert doc["source"] == "families leaking seed 1"
    assert doc["input"] is None  # what a CSV replay read; nothing here


def test_evaluate_errors_are_clear(tmp_path):
    missing = runner.invoke(app, ["evaluate", "--csv", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    assert "cannot read" in missing.output
    bad = tmp_path / "bad.csv"
    bad.write_text("series_id,timestamp_s,cpu_cores,memory_bytes\na,0,x,1\n")
    r = runner.invoke(app, ["evaluate", "--csv", str(bad)])
    assert r.exit_code == 2
    assert "bad.csv:2: cpu_cores is not a number" in r.output
    r2 = runner.invoke(app, ["evaluate", "--family", "steady", "--strategy", "kubecost"])
    assert r2.exit_code == 2
    assert "unknown strategy kubecost" in r2.output
    r3 = runner.invoke(app, ["evaluate"])
    assert r3.exit_code == 2
    assert "exactly one of --csv FILE, --database or --family NAME" in r3.output
    r4 = runner.invoke(app, ["evaluate", "--family", "cron"])
    assert r4.exit_code == 2
    assert "unknown family" in r4.output


def test_evaluate_says_what_it_read_before_replaying(tmp_path):
    f = tmp_path / "u.csv"
    _write_csv(f, generate("steady", 1, 3, 14))
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert r.exit_code == 0, r.output
    rows = sum(1 for _ in f.open()) - 1
    assert f"read {rows:,} rows: 3 series over 14.0 days, 5-minute samples (median)" in r.output
    # the generated families start on a Monday at midnight: so does every decision
    start = time.gmtime(T0 + 7 * 86400)
    assert f"first decision {time.strftime('%Y-%m-%d', start)} 00:00 UTC, a Monday" in r.output
    assert "then every 7 days; results depend on the weekday" in r.output


def test_evaluate_warns_about_millicores_in_the_cores_column(tmp_path):
    f = tmp_path / "milli.csv"
    series = generate("steady", 1, 2, 15)
    _write_csv(f, [dataclasses.replace(s, cpu=s.cpu * 1000) for s in series])
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert r.exit_code == 0, r.output
    assert "warning: " in r.output
    assert "is cpu_cores in millicores?" in r.output


def test_evaluate_warns_when_the_cpu_floor_would_set_the_requests(tmp_path):
    f = tmp_path / "normalised.csv"
    series = generate("steady", 1, 2, 15)
    _write_csv(f, [dataclasses.replace(s, cpu=s.cpu / 500) for s in series])
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert r.exit_code == 0, r.output
    assert "warning: 2 of 2 series" in r.output
    assert "10-millicore CPU floor" in r.output
    # without the guardrails there is no floor to warn about
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa", "--no-guardrails"])
    assert r.exit_code == 0, r.output
    assert "CPU floor" not in r.output


@pytest.mark.parametrize("value", ["[/]1", "[link=https://example.invalid]click[/link]"])
def test_file_content_in_messages_is_never_terminal_markup(tmp_path, value):
    """A bad value is quoted back as it is: rich would read brackets as markup (a crash
    on a stray closing tag, a hyperlink or hidden text otherwise)."""
    f = tmp_path / "bad.csv"
    f.write_text(f"series_id,timestamp_s,cpu_cores,memory_bytes\na,0,{value},1\n")
    r = runner.invoke(app, ["evaluate", "--csv", str(f)])
    assert r.exit_code == 2, r.output
    assert f"cpu_cores is not a number: '{value}'" in r.output


def test_a_history_too_short_to_score_is_an_error_not_a_table_of_na(tmp_path):
    f = tmp_path / "short.csv"
    _write_csv(f, generate("steady", 1, 2, 5))  # 5 days against a 7-day window
    r = runner.invoke(app, ["evaluate", "--csv", str(f)])
    assert r.exit_code == 2
    assert "nothing to score: the longest series covers 5.0 days" in r.output
    assert "--no-guardrails" in r.output  # 5 days: any window that fits is below 7 days
    assert "n/a" not in r.output
    short_window = runner.invoke(app, ["evaluate", "--csv", str(f), "--window-days", "3"])
    assert short_window.exit_code == 2
    assert "--window-days 3 is shorter than the 7 days" in short_window.output
    assert "--no-guardrails" in short_window.output
    ok = runner.invoke(
        app,
        ["evaluate", "--csv", str(f), "--window-days", "3", "--no-guardrails", "--format", "json"],
    )
    assert ok.exit_code == 0, ok.output
    rows = {row["strategy"]: row for row in json.loads(ok.output)["results"]}
    assert rows["tacos"]["scored_share"] == 1.0
    assert 0 < rows["tacos"]["cpu_slack"] < 1
    # how the risk is spread over containers, next to the pooled share
    assert 0 <= rows["tacos"]["containers_often_under"] <= 1
    assert 0 <= rows["tacos"]["cpu_under_share_by_request"] <= 1


def test_strategy_settings_from_the_command_line():
    args = ["evaluate", "--family", "spiky", "--series", "2", "--days", "15", "--format", "json"]
    base = json.loads(runner.invoke(app, [*args, "--strategy", "tacos"]).output)
    safer = runner.invoke(
        app, [*args, "--strategy", "tacos", "--setting", "tacos.cpu_percentile_min=0.99"]
    )
    assert safer.exit_code == 0, safer.output
    tacos = json.loads(safer.output)["results"][1]
    # a higher floor on the searched percentile can only raise requests: less under, more slack
    assert tacos["cpu_under_share"] <= base["results"][1]["cpu_under_share"]
    assert tacos["cpu_slack"] >= base["results"][1]["cpu_slack"]
    for bad, message in (
        (["--setting", "tacos.nope=1"], "unknown setting"),
        (["--setting", "tacos"], "expected STRATEGY.KEY=VALUE"),
        (["--setting", "vpa.safety_margin=0.2"], "not evaluated: vpa"),
        (["--setting", "tacos.starvation_cores=lots"], "must be a number"),
    ):
        r = runner.invoke(app, [*args, "--strategy", "tacos", *bad])
        assert r.exit_code == 2, bad
        assert message in r.output, (bad, r.output)


def test_prodlike_fleet_from_the_command_line():
    args = ["evaluate", "--family", "prod-b", "--series", "12", "--format", "json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["series"] == 12
    assert {"krr-simple", "vpa", "tacos"} <= {row["strategy"] for row in doc["results"]}
    assert doc["bar"] is not None  # both baselines and tacos: the bar verdict is there
    # and the settings of the held-out calibration are settings like any other
    off = runner.invoke(app, [*args, "--strategy", "tacos", "--setting", "tacos.holdout_days=0"])
    assert off.exit_code == 0, off.output


def test_without_current_replays_as_if_no_requests_were_set(tmp_path):
    """With requests in the export, the first decision is held back by the 50% step
    guardrail; ``--without-current`` drops them, so every strategy starts free."""
    series = generate("steady", 2, 2, 15)
    f = tmp_path / "usage.csv"
    lines = ["series_id,timestamp_s,cpu_cores,memory_bytes,cpu_request,memory_request"]
    for s in series:
        for t, c, m in zip(s.times_s, s.cpu, s.memory, strict=True):
            lines.append(f"{s.series_id},{t:.0f},{c:.6f},{m:.0f},40,{2**36}")
    f.write_text("\n".join(lines) + "\n")
    base = ["evaluate", "--csv", str(f), "--strategy", "vpa", "--format", "json"]
    kept = json.loads(runner.invoke(app, base).output)
    r = runner.invoke(app, [*base, "--without-current"])
    assert r.exit_code == 0, r.output
    dropped = json.loads(r.output)
    assert dropped["source"].endswith(", without current requests")
    rows = {row["strategy"]: row for row in dropped["results"]}
    assert rows["current"]["scored_share"] == 0.0  # nothing in force to score
    kept_rows = {row["strategy"]: row for row in kept["results"]}
    assert kept_rows["current"]["scored_share"] == 1.0
    # 40 cores halved once is still far above usage; from scratch vpa sizes to usage
    assert kept_rows["vpa"]["cpu_slack"] > 0.9
    assert rows["vpa"]["cpu_slack"] < 0.6


def _cpu_only_export(tmp_path, memory_column: bool):
    """Two steady series, CPU alone, idle (0) on every tenth sample."""
    f = tmp_path / "cpu.csv"
    tail = ",0" if memory_column else ""
    lines = ["series_id,timestamp_s,cpu_cores" + (",memory_bytes" if memory_column else "")]
    for s in generate("steady", 4, 2, 15):
        for i, (t, c) in enumerate(zip(s.times_s, s.cpu, strict=True)):
            lines.append(f"{s.series_id},{t:.0f},{0 if i % 10 == 0 else c:.6f}{tail}")
    f.write_text("\n".join(lines) + "\n")
    return f


def test_evaluate_says_when_it_reads_a_cpu_only_export(tmp_path):
    f = _cpu_only_export(tmp_path, memory_column=True)
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert r.exit_code == 0, r.output
    assert "2 series have no memory figures" in r.output
    assert "zero rows dropped" not in r.output


def test_evaluate_reads_a_file_without_memory_as_cpu_only(tmp_path):
    f = _cpu_only_export(tmp_path, memory_column=False)
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert "no memory_bytes column: every series read as CPU-only" in r.output
    assert "zero rows dropped" not in r.output
    doc = json.loads(r.output[r.output.index("{") :])
    assert doc["series"] == 2
    vpa = next(row for row in doc["results"] if row["strategy"] == "vpa")
    assert 0 < vpa["cpu_slack"] < 1  # the idle rows are scored as usage 0


def test_several_seeds_are_replayed_as_separate_fleets_and_pooled():
    base = ["evaluate", "--family", "prod-a", "--series", "10", "--format", "json"]
    runs = [json.loads(runner.invoke(app, [*base, "--seed", str(s)]).output) for s in (1, 2)]
    r = runner.invoke(app, [*base, "--seed", "1", "--seed", "2"])
    assert r.exit_code == 0, r.output
    pooled = json.loads(r.output)
    assert pooled["source"] == "families prod-a seeds 1,2"
    assert pooled["series"] == 20
    one = [{row["strategy"]: row for row in run["results"]} for run in runs]
    for row in pooled["results"]:
        name = row["strategy"]
        for key in ("decisions", "changes", "would_be_ooms", "recommendations"):
            assert row[key] == one[0][name][key] + one[1][name][key], (name, key)
    # the pooled slack lies between the two fleets' own (a weighted mean of them)
    for name in ("krr-simple", "vpa", "tacos"):
        lo, hi = sorted(o[name]["cpu_slack"] for o in one)
        row = next(x for x in pooled["results"] if x["strategy"] == name)
        assert lo - 1e-12 <= row["cpu_slack"] <= hi + 1e-12
    assert {c["containers"] for c in pooled["comparisons"]} == {20}


def test_seed_is_for_families_only(tmp_path):
    f = tmp_path / "u.csv"
    _write_csv(f, generate("steady", 1, 1, 8))
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--seed", "2"])
    assert r.exit_code == 2
    assert "--seed applies to --family only" in r.output


def test_nothing_to_score_names_the_guardrails_only_when_they_are_in_the_way(tmp_path):
    """A 10-day history against a 14-day window: a shorter window of 7-9 days works with
    the default guardrails, so the message does not send the user to --no-guardrails."""
    f = tmp_path / "ten.csv"
    _write_csv(f, generate("steady", 1, 2, 10))
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--window-days", "14"])
    assert r.exit_code == 2
    assert "the longest series covers 10.0 days" in r.output
    assert "--no-guardrails" not in r.output
    ok = runner.invoke(app, ["evaluate", "--csv", str(f), "--window-days", "8", "--format", "json"])
    assert ok.exit_code == 0, ok.output


def test_evaluate_groups_pods_of_one_workload_by_their_names(tmp_path):
    """A Deployment rolled out after 6 days: its two generations of pods are one
    container of 12 days (one decision at day 7), not two series too short to decide."""
    a, b, c = generate("diurnal", 1, 3, 12)
    day = 86400.0
    first = dataclasses.replace(
        a,
        series_id="tacos/api-7d9f8b6c4d-x2x7k/app",
        times_s=a.times_s[a.times_s < a.times_s[0] + 6 * day],
        cpu=a.cpu[a.times_s < a.times_s[0] + 6 * day],
        memory=a.memory[a.times_s < a.times_s[0] + 6 * day],
    )
    late = b.times_s >= b.times_s[0] + 6 * day
    second = dataclasses.replace(
        b,
        series_id="tacos/api-5c6b9f7d8-qw2zt/app",
        times_s=b.times_s[late],
        cpu=b.cpu[late],
        memory=b.memory[late],
    )
    alone = dataclasses.replace(c, series_id="tacos/postgres-0/db")
    f = tmp_path / "pods.csv"
    _write_csv(f, [first, second, alone])
    base = ["evaluate", "--csv", str(f), "--strategy", "vpa", "--format", "json"]
    r = runner.invoke(app, base)
    assert r.exit_code == 0, r.output
    assert "2 series grouped into 1 containers by their Kubernetes pod names" in r.output
    doc = json.loads(r.output[r.output.index("{") :])
    assert doc["series"] == 3
    assert "2 pod series grouped into 1 by pod name" in doc["source"]
    assert doc["results"][1]["decisions"] == 2  # the workload and the StatefulSet pod
    apart = runner.invoke(app, [*base, "--no-pod-groups"])
    assert apart.exit_code == 0, apart.output
    assert "grouped" not in apart.output
    doc = json.loads(apart.output[apart.output.index("{") :])
    assert doc["results"][1]["decisions"] == 1  # only the 12-day pod has a week before it


def test_a_file_the_fast_reader_hands_over_late_gives_the_same_replay(tmp_path):
    # one quoted id on the last line: the fast reader has read the rest when it gives
    # up, the line-by-line reader starts again; the replay must not see the difference
    series = generate("diurnal", 4, 2, 15)
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    _write_csv(plain, series)
    text = plain.read_text()
    head, last = text.rstrip("\n").rsplit("\n", 1)
    sid, rest = last.split(",", 1)
    quoted.write_text(f'{head}\n"{sid}",{rest}\n')
    outs = [
        runner.invoke(app, ["evaluate", "--csv", str(f), "--format", "json"])
        for f in (plain, quoted)
    ]
    assert [o.exit_code for o in outs] == [0, 0], outs[1].output
    docs = [json.loads(o.output) for o in outs]
    assert docs[0]["results"] == docs[1]["results"]
    assert docs[1]["series"] == 2


def test_evaluate_warns_when_pods_grouped_by_name_are_unlike(tmp_path):
    # two pods of one Deployment name running side by side, one 8x the other's level:
    # grouped, one request covers the busiest; the user is told, and how to compare
    (a,) = generate("steady", 2, 1, 12)
    first = dataclasses.replace(a, series_id="tacos/shard-7d9f8b6c4d-x2x7k/app")
    second = dataclasses.replace(a, series_id="tacos/shard-7d9f8b6c4d-qw2zt/app", cpu=a.cpu * 8)
    f = tmp_path / "pods.csv"
    _write_csv(f, [first, second])
    r = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert r.exit_code == 0, r.output
    assert "containers grouped by pod name had pods running side by side" in r.output
    assert "tacos/shard/app" in r.output
    apart = runner.invoke(
        app, ["evaluate", "--csv", str(f), "--strategy", "vpa", "--no-pod-groups"]
    )
    assert apart.exit_code == 0, apart.output
    assert "side by side" not in apart.output
    alike = tmp_path / "alike.csv"
    _write_csv(alike, [first, dataclasses.replace(second, cpu=a.cpu * 1.2)])
    same = runner.invoke(app, ["evaluate", "--csv", str(alike), "--strategy", "vpa"])
    assert same.exit_code == 0 and "grouped into 1 containers" in same.output
    assert "side by side" not in same.output


def test_evaluate_says_how_each_round_of_the_default_was_calibrated():
    base = ["evaluate", "--family", "prod-a", "--seed", "1", "--window-days", "7"]
    doc = json.loads(runner.invoke(app, [*base, "--format", "json"]).output)
    rows = doc["calibrations"]
    assert rows and {r["strategy"] for r in rows} == {"tacos"}
    assert [r["decision"] for r in rows] == sorted(r["decision"] for r in rows)
    for row in rows:
        assert row["starvation_price_cores"] > 0 and 0 < row["target_under"] < 1
        assert row["held_out_days"] == 3
    table = runner.invoke(app, base)
    assert table.exit_code == 0, table.output
    first = rows[0]
    assert f"tacos calibrated for the decisions of {first['decision']}" in table.output
    assert first["note"] in table.output
    krr = runner.invoke(app, [*base, "--strategy", "krr-simple", "--format", "json"])
    assert json.loads(krr.output)["calibrations"] == []  # nothing calibrates


def test_evaluate_skips_invalid_rows_only_when_asked(tmp_path):
    series = generate("steady", 2, 3, 15)
    f = tmp_path / "u.csv"
    _write_csv(f, series)
    lines = f.read_text().splitlines()
    lines.insert(10, f"{series[0].series_id},{T0 + 17},,1000")  # an empty CPU value
    lines.insert(500, f"{series[1].series_id},{T0 + 29},nan,1000")
    f.write_text("\n".join(lines) + "\n")
    strict = runner.invoke(app, ["evaluate", "--csv", str(f), "--strategy", "vpa"])
    assert strict.exit_code == 2
    assert "u.csv:11: cpu_cores is not a number" in strict.output
    assert "--skip-invalid-rows leaves such rows out" in strict.output
    r = runner.invoke(
        app,
        ["evaluate", "--csv", str(f), "--strategy", "vpa", "--skip-invalid-rows"],
    )
    assert r.exit_code == 0, r.output
    assert "2 invalid rows skipped" in r.output
    assert "u.csv:11: cpu_cores is not a number" in r.output
    assert "u.csv:501: cpu_cores must be a finite non-negative number, got nan" in r.output
    doc = json.loads(
        runner.invoke(
            app,
            [
                "evaluate",
                "--csv",
                str(f),
                "--strategy",
                "vpa",
                "--skip-invalid-rows",
                "--format",
                "json",
            ],
        ).stdout
    )
    assert doc["source"].endswith(", 2 invalid rows skipped")
    got = doc["input"]
    assert got["skipped_invalid_rows"] == 2 and got["series"] == got["containers"] == 3
    assert got["rows"] == sum(s.times_s.size for s in series)
    lines = [m.split(": ")[0].rsplit(":", 1)[1] for m in got["skipped_examples"]]
    assert lines == ["11", "501"]
    assert got["warnings"] and got["warnings"][0].startswith("2 invalid rows skipped")
    # the replay of the rows kept is the replay of the clean file
    clean = tmp_path / "clean.csv"
    _write_csv(clean, series)
    ref = json.loads(
        runner.invoke(
            app, ["evaluate", "--csv", str(clean), "--strategy", "vpa", "--format", "json"]
        ).stdout
    )
    assert doc["results"] == ref["results"]
    wrong = runner.invoke(app, ["evaluate", "--family", "steady", "--skip-invalid-rows"])
    assert wrong.exit_code == 2
    assert "--skip-invalid-rows applies to --csv only" in wrong.output


def test_a_comparison_against_a_baseline_below_its_usage_prints_no_ratio():
    from app.cli.rightsizing_cmd import _comparison_line
    from rightsizing.evaluation.report import BarVerdict
    from rightsizing.evaluation.uncertainty import Comparison, Interval

    nan = float("nan")
    c = Comparison(
        "tacos",
        "krr-simple",
        Interval(nan, nan, nan),
        Interval(-0.004, -0.01, -0.001),
        34,
        0.95,
        0.892,
        -0.345,
    )
    line = _comparison_line(c)
    assert "CPU slack 89.2% against -34.5%, no ratio" in line
    assert "(-1.00 to -0.10)" in line and "×" not in line
    verdict = BarVerdict("tacos", 0.892, 0.8 * -0.345, 0.002, 0.006, 0, 0)
    assert not verdict.slack_target_defined
    assert verdict.as_dict()["cpu_slack_target_defined"] is False
    assert BarVerdict("tacos", 0.3, 0.8 * 0.4, 0.002, 0.006, 0, 0).slack_target_defined
