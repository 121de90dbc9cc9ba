"""What the analyst reads: cost-effectiveness only for a detectable effect, honest
recommendations, statistics with units and rules, readable help at 80 columns.

Each test names the promise of the command line it guards ("The analyst's command
line", items 2, 3 and 6).
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import list_scenarios

ROOT = Path(__file__).resolve().parents[1]
SURGE = str(ROOT / "scenarios" / "toy_surge.toml")
runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, list(args), env=env)


# ------------------------------------------------------------ compare: cost-effectiveness
def test_compare_reports_no_ratio_without_a_detectable_effect_and_spells_out_units():
    """8 paired runs of the toy surge: the change in delivered is not detectable, so the
    table says so instead of a ratio; JSON keeps its keys and adds the note and units."""
    r = invoke("compare", "toy_corridor", SURGE, "-r", "8", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "no detectable effect" in r.output
    assert "kg per year" in r.output and "USD per year" in r.output
    assert "nominal 2,000,000 USD per year" in r.output  # toy_surge's cost beside the mean
    assert "per unit kept off the market" not in r.output
    r = invoke("compare", "toy_corridor", SURGE, "-r", "8", "--workers", "1", "--format", "json")
    alt = json.loads(r.stdout)["alternatives"][0]
    ce = alt["cost_effectiveness"]
    old = {"policy_cost_change", "delivered_change_per_year", "delivered_change_per_million_usd",
           "ci_low", "ci_high", "usd_per_unit_averted", "unit"}  # fmt: skip
    assert old <= set(ce)
    d = alt["metrics"]["delivered"]
    assert d["diff_ci_low"] <= 0 <= d["diff_ci_high"]
    assert ce["effect_detected"] is False
    assert ce["cost_effectiveness_note"].startswith("no detectable effect")
    assert ce["unit"] == "kg per year per million USD a year"
    assert ce["delivered_change_per_year_unit"] == "kg per year"
    assert ce["policy_cost_change_unit"].startswith("USD per year")
    assert alt["nominal_policy_cost"] == 2e6


def _runs(deliv_alt):
    rows = []
    for k, (b, a) in enumerate(zip([100.0] * len(deliv_alt), deliv_alt)):
        rows.append({"scenario": "base", "replicate": k, "status": "ok", "delivered": b,
                     "policy_cost": 0.0})  # fmt: skip
        rows.append({"scenario": "alt", "replicate": k, "status": "ok", "delivered": a,
                     "policy_cost": 1e6})  # fmt: skip
    return pd.DataFrame(rows)


def test_cost_effectiveness_ratio_only_when_the_interval_excludes_zero():
    """A clear fall in delivered is a detectable effect with a ratio; noise around zero
    is not, and the note says why the ratio is not to be read."""
    from sim.harness.comparison import cost_effectiveness

    ce = cost_effectiveness(_runs([80.0, 81.0, 79.0, 80.5]), "base", "alt", "kg")
    assert ce["effect_detected"] is True
    assert ce["delivered_change_per_million_usd"] < 0
    assert "excludes zero" in ce["cost_effectiveness_note"]
    ce = cost_effectiveness(_runs([90.0, 110.0, 95.0, 104.0]), "base", "alt", "kg")
    assert ce["effect_detected"] is False
    assert "includes zero" in ce["cost_effectiveness_note"]


# -------------------------------------------------------------------- recommend
def test_recommend_says_no_portfolio_beats_the_status_quo_when_none_does():
    """Harmonising law changes nothing detectable about delivered in the toy (it acts on
    cases, not on loads): the recommendation must not name a winner, and says so in
    words and in JSON."""
    args = ["recommend", "toy_corridor", "--budget", "2M", "-r", "4", "--levers", "harmonize",
            "-k", "1", "--workers", "1", "--ticks", "130"]  # fmt: skip
    r = invoke(*args, env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "no portfolio beats the status quo detectably" in text
    assert "no portfolio is recommended" in text
    assert "ranking stability:" in text and "bootstrap resamples" in text
    doc = json.loads(invoke(*args, "--format", "json").stdout)
    assert doc["recommended"] is None
    assert doc["verdict"].startswith("no portfolio beats the status quo detectably")
    assert doc["stability"]["p_best"] == doc["portfolios"][0]["p_best"]


def _row(name, change, lo, hi, **kw):
    return {"portfolio": name, "change": change, "change_ci_low": lo, "change_ci_high": hi,
            "p_best": 0.6, "rank_held": 0.5, "replicates": 8, **kw}  # fmt: skip


def test_verdict_names_a_winner_only_if_its_interval_excludes_zero_on_the_better_side():
    """Lower delivered is better: an interval below zero is a winner, one straddling zero
    or above it is not."""
    from sim.recommend.verdict import NO_WINNER, detectable, verdict

    assert detectable(_row("a", -5, -8, -2), -1.0)
    assert not detectable(_row("a", -5, -8, 1), -1.0)
    assert not detectable(_row("a", 5, 2, 8), -1.0)
    assert detectable(_row("a", 5, 2, 8), 1.0)
    assert verdict([_row("a", -5, -8, -2)], -1.0, "delivered", "kg/week", True).startswith(
        "recommended: a"
    )
    text = verdict([_row("a", 5, 2, 8)], -1.0, "delivered", "kg/week", True)
    assert text.startswith(NO_WINNER) and "worse side" in text


def test_stability_reports_the_rank_on_the_search_replicates_and_on_fresh_ones():
    """The search's own estimates are biased: the stability line says where the winner
    ranked before the confirmation runs."""
    from sim.recommend.verdict import stability, stability_sentence

    rows = [_row("a", -5, -8, -2, search_benefit=1.0), _row("b", -4, -7, -1, search_benefit=3.0)]
    s = stability(rows)
    assert s["search_rank"] == 2 and s["p_best"] == 0.6
    assert "#2 on the search's replicates, #1 on fresh ones" in stability_sentence(s)


def test_a_recommendation_with_more_regret_than_the_status_quo_is_flagged():
    """Robustness rows where the recommended portfolio's regret exceeds the status
    quo's give a warning naming both numbers."""
    from sim.recommend.verdict import regret_warning

    rob = {
        "worlds": 20,
        "portfolios": [
            {"portfolio": "status quo", "max_regret": 1.0, "mean_regret": 0.2,
             "share_beats_status_quo": None},
            {"portfolio": "a", "max_regret": 3.0, "mean_regret": 0.1,
             "share_beats_status_quo": 0.6},
        ],
    }  # fmt: skip
    w = regret_warning("a", rob)
    assert w.startswith("warning:") and "max regret 3 vs 1" in w and "mean" not in w
    assert regret_warning("status quo", rob) == ""
    rob["portfolios"][1]["max_regret"] = 0.5
    assert regret_warning("a", rob) == ""


def test_discover_warns_when_the_sample_is_too_small_for_its_boxes():
    """Fewer than 30 worlds, or a box of fewer than 10, is flagged with the rule."""
    from rich.console import Console

    from sim.cli.reports import discover_tables
    from sim.recommend.discovery import MIN_BOX, MIN_WORLDS, sample_warnings

    assert (MIN_WORLDS, MIN_BOX) == (30, 10)
    assert sample_warnings(40, [{"n": 12}]) == []
    w = sample_warnings(20, [{"n": 6}, {"n": 14}])
    assert len(w) == 2 and "only 20 worlds" in w[0] and "box 1 holds 6 worlds" in w[1]
    assert all("at least 30 worlds" in x for x in w)
    doc = {"subject": "a", "study": "s", "failures": 3, "points": 20, "metric": "benefit",
           "fail_if": "below", "threshold": 0, "base_rate": 0.15, "boxes": [],
           "warnings": w}  # fmt: skip
    c = Console(width=200, record=True)
    discover_tables(doc, console=c)
    assert "only 20 worlds" in c.export_text()


# ----------------------------------------------------------- policy cost, bands, V1
def test_policy_cost_is_documented_as_the_post_burn_in_mean_with_the_nominal_beside_it():
    """run prints the scenario's nominal annual cost beside the post-burn-in mean."""
    from sim.metrics import REGISTRY

    assert "after burn-in" in REGISTRY["policy_cost"].description
    r = invoke("run", "toy_surge", "-r", "2", "--ticks", "120", "--workers", "1")
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "2,000,000 USD per year while in force (nominal)" in text


def test_time_series_bands_are_clipped_at_physical_bounds():
    """A 95% band of a quantity near zero never dips below zero; a share stays in [0, 1]."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plotting.studies import plot_series
    from sim.plotting.style import clip_band, physical_bounds
    from sim.plotting.timeseries import plot_lines

    assert physical_bounds("delivered") == (0.0, None)
    assert physical_bounds("interdiction_rate") == (0.0, 1.0)
    assert physical_bounds("change") == (None, None)
    lo, hi = clip_band([-1.0, 0.5], [0.4, 1.3], (0.0, 1.0))
    assert list(lo) == [0.0, 0.5] and list(hi) == [0.4, 1.0]
    ts = pd.DataFrame({"run": [0, 1, 0, 1], "tick": [0, 0, 1, 1], "seized": [0.0, 9.0, 0.0, 8.0]})
    ax = plot_series(ts, "seized")
    ys = np.concatenate([p.get_paths()[0].vertices[:, 1] for p in ax.collections])
    assert ys.min() >= 0
    df = pd.DataFrame({"tick": [0, 1], "interdiction_rate": [0.9, 0.95], "lo": [0.7, 0.8],
                       "hi": [1.1, 1.2]})  # fmt: skip
    ax = plot_lines(df, "interdiction_rate", lo="lo", hi="hi")
    ys = np.concatenate([p.get_paths()[0].vertices[:, 1] for p in ax.collections])
    assert ys.max() <= 1.0


def test_v1_figure_defines_the_flow_arriving_it_plots(tmp_path):
    """The V1 figures say what "flow arriving" counts: each location of a state reached."""
    import matplotlib

    matplotlib.use("Agg")
    sys.path.insert(0, str(ROOT / "plots"))
    try:
        import validation_v1
    finally:
        sys.path.remove(str(ROOT / "plots"))
    assert "counted once per location reached" in validation_v1.FLOW_NOTE
    exp = ROOT / "experiments" / "expected" / "validation_v1" / "quick"
    tables = {p.stem: pd.read_csv(p) for p in exp.glob("*.csv")}
    paths = validation_v1.draw(tables, tmp_path)
    assert any(p.name == "v1_series.svg" for p in paths)
    svg = (tmp_path / "v1_series.svg").read_text()
    assert "counted once per location" in svg


# -------------------------------------------------------------------- validate
def test_validate_prints_statistic_unit_interval_and_rule():
    """Each criterion: its statistic with a unit, its 95% interval where it has one, and
    the rule it is judged by, in the table and in JSON."""
    r = invoke("validate", "--only", "V14,V11", "-r", "3", "--workers", "1",
               env={"COLUMNS": "160"})  # fmt: skip
    assert r.exit_code == 0, r.output
    for word in ("statistic", "95% interval", "unit", "judged by", "weeks", "in [26, 104]",
                 "interval below zero", "bits"):  # fmt: skip
        assert word in r.output, word
    r = invoke("validate", "--only", "V14", "-r", "3", "--workers", "1", "--format", "json")
    (check,) = json.loads(r.stdout)["checks"]
    assert {"id", "name", "passed", "value", "expected", "criteria"} <= set(check)
    assert check["units"]["route_entropy_change"] == "bits"
    lo, hi = check["intervals"]["route_entropy_change"]
    assert lo <= check["value"]["route_entropy_change"] <= hi
    assert "95% interval" in check["rules"]["route_entropy_change"]


def test_quick_experiment_reports_a_pipeline_check_not_a_verdict(tmp_path):
    """--quick exercises the pipeline; its summary must not read PASSED or FAILED."""
    r = invoke("experiment", "run", "validation_v11", "--quick", "--out", str(tmp_path / "v"))
    assert r.exit_code == 0, r.output
    assert "pipeline check (quick settings; verdict needs the full run)" in r.output
    assert "FAILED" not in r.output and "PASSED" not in r.output


# --------------------------------------------------------------- readable output
def _commands(cmd, path=()):
    yield list(path)
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def test_every_help_and_every_describe_fits_80_columns():
    """COLUMNS=80 is honoured (also when piped): help of every command and subcommand,
    and describe of every shipped scenario, keep every line within 80 characters."""
    env = {"COLUMNS": "80"}
    paths = list(_commands(typer.main.get_command(app)))
    assert ["experiment", "run"] in paths and ["compare"] in paths
    for path in paths:
        r = invoke(*path, "--help", env=env)
        assert r.exit_code == 0, (path, r.output)
        long = [line for line in r.output.splitlines() if len(line) > 80]
        assert not long, (path, long[:2])
    for name, _desc, _path in list_scenarios():
        r = invoke("describe", name, env=env)
        assert r.exit_code == 0, (name, r.output)
        long = [line for line in r.output.splitlines() if len(line) > 80]
        assert not long, (name, long[:2])


def test_help_texts_keep_their_square_brackets():
    """Rich markup must not swallow a bracketed word such as the extras' names."""
    env = {"COLUMNS": "200"}
    assert "xborder[distributed]" in invoke("run", "--help", env=env).output
    assert "xborder[dashboard]" in invoke("dashboard", "--help", env=env).output


def test_console_honours_columns_when_piped(monkeypatch):
    """A piped console takes COLUMNS; without it, 160."""
    from sim.cli.helpers import console

    monkeypatch.setenv("COLUMNS", "80")
    assert console().width == 80
    monkeypatch.delenv("COLUMNS")
    assert console().width == 160


def test_run_and_compare_print_the_figures_they_wrote(tmp_path):
    """With --out, the command names every figure file it wrote."""
    r = invoke("run", "toy_corridor", "-r", "2", "--ticks", "60", "--workers", "1",
               "--out", str(tmp_path / "run"))  # fmt: skip
    assert r.exit_code == 0, r.output
    shown = [line.split("figure: ", 1)[1] for line in r.output.splitlines() if "figure: " in line]
    assert shown and all(Path(p).is_file() for p in shown)
    assert any(p.endswith("main_series.png") for p in shown)
    r = invoke("compare", "toy_corridor", SURGE, "-r", "2", "--ticks", "110", "--workers", "1",
               "--out", str(tmp_path / "cmp"))  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"figure: {tmp_path / 'cmp' / 'figures' / 'forest.png'}" in r.output


def test_user_facing_parameter_descriptions_say_week():
    """Parameters are described in weeks, the model's time step as users know it."""
    from sim.params import PARAMS

    for name, p in PARAMS.items():
        assert "tick" not in p.doc.lower(), name
