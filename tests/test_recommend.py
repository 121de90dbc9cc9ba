"""xborder recommend: candidates, searches on a known answer, the planted best MLAT, CLI."""

import copy
import json
from concurrent.futures import Executor
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness.executors import HarnessError, open_executor
from sim.harness.runner import RunResult
from sim.recommend import parse_budget, recommend
from sim.recommend.candidates import enumerate_candidates, horizon_cost
from sim.recommend.evaluation import Evaluations, parse_key
from sim.recommend.search import Space, greedy_halving, lazy_greedy
from sim.rng import run_seeds
from sim.scenario import Scenario, load_scenario

runner = CliRunner()


# ------------------------------------------------------------------------ candidates
def test_candidates_of_the_toy(toy):
    cands = enumerate_candidates(toy)
    labels = [c.label for c in cands]
    assert len(set(labels)) == len(labels)
    # the scenario's own MLAT candidate stands in for the generated MKT-NOR one
    assert "mlat_MKT_NOR" in labels and "mlat:NOR-MKT" not in labels
    assert sum(c.lever == "mlat" for c in cands) == 15  # 6 states, no MLAT in force
    # NOR-MKT already have an extradition treaty
    ext = {c.label for c in cands if c.lever == "extradition"}
    assert len(ext) == 14 and "extradition:NOR-MKT" not in ext
    # conspiracy is what leaders are prosecuted for; AND, WES and EAS lack it
    harm = {c.label for c in cands if c.lever == "harmonize"}
    # conduct gaps (directing a group: neither conspiracy nor participation), and the
    # states that do not extradite their nationals
    assert harm == {f"harmonize:{s}:conspiracy" for s in ("AND", "WES", "EAS")} | {
        f"harmonize:{s}:nationals" for s in ("AND", "EAS")
    }
    # Andea does not inspect (capacity 0): no capacity programme there
    assert "capacity:AND" not in labels and "capacity:MID" in labels
    assert "database:regional" in labels  # the toy has no database at all
    # joint teams only between states that share a cross-border leg
    assert "joint_team:MID-NOR" in labels and "joint_team:MID-EAS" not in labels
    gen = next(c for c in cands if c.label == "mlat:AND-MID")
    assert gen.policy["start"] == toy.burn_in
    assert gen.total_cost == pytest.approx(5e5 * (260 - 52) / 52)
    only = enumerate_candidates(toy, "mlat,harmonize")
    assert {c.lever for c in only} == {"mlat", "harmonize"}


def test_horizon_cost_counts_weeks_in_force():
    assert horizon_cost({"cost": 52e4, "start": 0}, 260) == pytest.approx(2.6e6)
    assert horizon_cost({"cost": 52e4, "start": 104, "end": 130}, 260) == pytest.approx(2.6e5)
    assert horizon_cost({"cost": 52e4, "start": 200, "end": 400}, 260) == pytest.approx(6e5)


def test_bad_levers_and_budgets_raise():
    with pytest.raises(HarnessError, match="--levers: unknown lever 'treaty'"):
        enumerate_candidates(load_scenario("toy_corridor"), "mlat,treaty")
    assert parse_budget("20M") == 2e7 and parse_budget("500k") == 5e5
    assert parse_budget("1.5e6") == 1.5e6
    for bad in ("-3", "0", "lots", "nan", "5X"):
        with pytest.raises(HarnessError, match="--budget"):
            parse_budget(bad)


# ------------------------------------------------------------- searches, known answer
# benefit of each candidate: a few good ones among many that do little
VALUES = [0.2, 1.0, 5.0, 0.0, 3.0, 0.5, 2.0, 0.1, 0.0, 1.5] + [0.1 * (i % 4) for i in range(30)]
COSTS = [1.0, 1.0, 10.0] + [1.0] * 37  # candidate 2 is unaffordable


class Additive:
    """Known answer: delivered = 100 - sum of the portfolio's values + shared luck + noise."""

    def __call__(self, run):
        p = parse_key(run.scenario)
        shared = np.random.default_rng(run.seed).normal(0, 5)  # the same for every portfolio
        own = np.random.default_rng([run.seed, 7, *p]).normal(0, 0.2)
        value = 100 - sum(VALUES[c] for c in p) + shared + own
        return RunResult(run.scenario, run.replicate, run.seed, summary={"delivered": value})


def _evaluations(pool):
    labels = [f"c{i}" for i in range(len(VALUES))]
    return Evaluations(Additive(), pool, run_seeds(3, 16), "delivered", labels)


def test_both_searches_find_the_best_affordable_portfolio():
    space = Space(COSTS, budget=3.5, max_size=3)
    feasible = [p for k in (1, 2, 3) for p in combinations(range(40), k) if space.cost(p) <= 3.5]
    best = max(feasible, key=lambda p: sum(VALUES[c] for c in p))
    assert best == (4, 6, 9)
    with open_executor(1) as pool:
        ev = _evaluations(pool)
        chosen, _ = greedy_halving(ev, space, 16, -1.0, first=2, eta=2, keep=3)
        assert chosen == best
        # clearly poor portfolios stopped after the first rung of 2 replicates
        assert (((3,), -1, 1) in ev.cache) and (((3,), -1, 2) not in ev.cache)
        assert ((), -1, 15) in ev.cache  # the status quo runs every replicate
        halving_runs = len(ev.cache)
    with open_executor(1) as pool:
        ev = _evaluations(pool)
        chosen, _ = lazy_greedy(ev, space, 16, -1.0)
        assert chosen == best
        assert halving_runs < len(ev.cache)


# ---------------------------------------------------------------- planted best MLAT
def planted_toy() -> Scenario:
    """The toy where, by construction, only an MLAT between Marketia and Nordia matters much.

    Only Marketia investigates; letters rogatory never get an answer, a treaty request
    always does (full trust, treaty success 1); every seizure opens a case. Marketia's
    cases need evidence from the state each shipment came from -- Nordia for nearly
    every route into Marketia (Eastland only for the air bridge) -- and then from the
    leader's home, Andea, which lacks the conspiracy offence (dual criminality fails
    with or without a treaty). MLATs between other pairs change nothing.
    """
    others = ("AND", "MID", "WES", "EAS", "NOR")
    sc = load_scenario(
        "toy_corridor",
        [
            "letters_success=0.0",
            "case_probability=1.0",
            "states.MKT.capacity=30",
            "trust_default=1.0",
            "mlat_success=1.0",
        ]
        + [f"states.{s}.investigators=0" for s in others],
    )
    data = copy.deepcopy(sc.data)
    data.pop("candidates")  # every MLAT generated alike: same start, same cost
    return Scenario("toy_planted", sc.path, data, sc.overrides)


@pytest.mark.slow  # ~40 s of 208-week runs; make test covers recommend through the CLI tests
def test_recommend_ranks_the_planted_mlat_first():
    rec = recommend(
        planted_toy(),
        "10M",
        max_agreements=1,
        levers="mlat",
        objective="convictions_investigated",
        replicates=6,
        seed=1,
        ticks=208,  # evidence (~40 weeks) then extradition proceedings (months) must end
        top=2,
        workers=2,
    )
    assert len(rec.candidates) == 15
    best, second = rec.portfolios[0], rec.portfolios[1]
    assert best["portfolio"] == "mlat:NOR-MKT"
    assert best["change_ci_low"] > 0  # clearly better than the status quo
    assert best["benefit"] > second["benefit"]
    assert best["p_best"] > 0.9
    assert best["cost_total_usd"] == pytest.approx(5e5 * (208 - 52) / 52)
    assert all(r["size"] == 1 for r in rec.portfolios)


# ------------------------------------------------------------------------------ CLI
TINY = ["recommend", "toy_corridor", "--budget", "45M", "-k", "2", "--levers", "capacity"]
TINY += ["-r", "3", "--ticks", "80", "--seed", "4", "--top", "3", "--format", "json"]


def test_cli_json_is_reproducible_whatever_the_workers():
    r1 = runner.invoke(app, [*TINY, "--workers", "1"])
    r2 = runner.invoke(app, [*TINY, "--workers", "2"])
    assert r1.exit_code == 0, r1.output
    assert r1.stdout == r2.stdout
    doc = json.loads(r1.stdout)
    assert doc["objective"] == {"metric": "delivered", "better": "lower"}
    assert [c["label"] for c in doc["candidates"]] == [
        f"capacity:{s}" for s in ("MID", "WES", "EAS", "NOR", "MKT")
    ]
    for r in doc["portfolios"]:
        assert r["cost_total_usd"] <= 45e6 and r["size"] <= 2
        assert r["change_ci_low"] <= r["change"] <= r["change_ci_high"]
        assert 0 <= r["p_best"] <= 1 and 0 <= r["rank_held"] <= 1
    benefits = [r["benefit"] for r in doc["portfolios"]]
    assert benefits == sorted(benefits, reverse=True)
    # the rule of the recommendation: the top portfolio if its confirmation interval
    # excludes zero on the better side (a fall in delivered), else nothing
    top = doc["portfolios"][0]
    detectable = top["change_ci_high"] < 0
    assert doc["recommended"] == (top["portfolio"] if detectable else None)
    # the finalists are ranked on fresh replicates, not on those the search chose them by
    assert doc["confirm"] and len(doc["portfolios"]) <= 3
    assert any(r["search_benefit"] != r["benefit"] for r in doc["portfolios"])


class NoRuns(Executor):
    """An executor that refuses work: a resumed study with every run saved needs none."""

    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("a run was submitted")


def test_resume_reuses_the_finished_runs(tmp_path):
    kw = dict(max_agreements=1, levers="harmonize", replicates=2, ticks=80, seed=5, top=2)
    first = recommend("toy_corridor", "1M", workers=1, out=tmp_path / "r", **kw)
    runs = pd.read_parquet(tmp_path / "r" / "runs.parquet")
    assert len(runs) == first.runs and (runs["status"] == "ok").all()
    again = recommend(
        "toy_corridor", "1M", executor=NoRuns(), out=tmp_path / "r", resume=True, **kw
    )
    assert again.to_dict() == first.to_dict()  # every run came from runs.parquet
    with pytest.raises(HarnessError, match="settings differ"):
        recommend("toy_corridor", "2M", workers=1, out=tmp_path / "r", resume=True, **kw)


def test_cli_table_and_bad_input(tmp_path):
    r = runner.invoke(app, [*TINY[:-2], "--format", "table", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "portfolios ranked by paired effect" in r.stdout and "capacity:" in r.stdout
    for args, words in (
        (["--levers", "mlat,treaties"], "--levers: unknown lever 'treaties'"),
        (["--budget", "cheap"], "--budget: expected a positive amount"),
        (["--budget", "-5"], "--budget: expected a positive amount"),
        (["--budget", "10k"], "--budget: 10,000 USD affords no candidate"),
        (["--objective", "route_entropy"], "--objective: 'route_entropy' is not a metric"),
        (["--param", "exploration=0.4:0.1"], "--param exploration=0.4:0.1: LOW must"),
    ):
        base = ["recommend", "toy_corridor", "--budget", "2M", "--workers", "1"]
        if args[0] == "--budget":
            base = base[:2] + base[4:]
        r = runner.invoke(app, [*base, *args])
        assert r.exit_code == 2, (args, r.output)
        assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_robustness_and_discover_on_a_tiny_study(tmp_path):
    out = tmp_path / "rec"
    args = [*TINY[:-2], "-k", "1", "--workers", "1", "--out", str(out), "--format", "json"]
    # --uncertain: the old spelling of --param, still accepted
    args += ["--param", "case_probability=0.1:0.5", "--uncertain", "exploration=0.05:0.4"]
    args += ["--worlds", "4", "--world-replicates", "1", "--robust-top", "2"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    rob = json.loads(r.stdout)["robustness"]
    assert rob["worlds"] == 4 and rob["params"] == ["case_probability", "exploration"]
    worlds = pd.read_parquet(out / "worlds.parquet")
    assert len(worlds) == 4 * len(rob["portfolios"])
    for _, g in worlds.groupby("world"):
        assert (g["regret"] >= 0).all() and g["regret"].min() == 0  # someone is best
        assert g.loc[g["portfolio"] == "status quo", "benefit"].item() == 0
    # each world's values stay inside its stratum-sampled bounds
    assert worlds["param:case_probability"].between(0.1, 0.5).all()
    for row in rob["portfolios"]:
        assert row["max_regret"] >= row["mean_regret"] >= 0
    assert (out / "figures" / "frontier.png").stat().st_size > 0
    assert (out / "figures" / "regret.png").stat().st_size > 0
    d = runner.invoke(
        app, ["discover", str(out), "--metric", "regret", "--threshold", "0", "--format", "json"]
    )
    assert d.exit_code == 0, d.output
    doc = json.loads(d.stdout)
    assert doc["points"] == 4 and doc["fail_if"] == "above"
    assert (out / "figures" / "prim_regret.png").is_file()
    bad = runner.invoke(app, ["discover", str(out), "--metric", "delivered", "--threshold", "1"])
    assert bad.exit_code == 2 and "--metric" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    again = runner.invoke(app, args)  # the directory holds a finished study
    assert again.exit_code == 2 and "already holds a study" in again.stderr


# ----------------------------------------------------------------- experiment kind
def test_recommend_experiment_tables_and_figure_from_tables(tmp_path):
    import matplotlib.pyplot as plt

    from sim.experiments import Experiment
    from sim.experiments.recommend import doc_from_tables, run_recommend
    from sim.plotting import plot_frontier

    data = {
        "name": "t",
        "description": "d",
        "kind": "recommend",
        "scenario": "toy_corridor",
        "budget": "25M",
        "max_agreements": 1,
        "levers": ["capacity"],
        "replicates": 2,
        "ticks": 70,
        "seed": 2,
        "top": 2,
    }
    out = run_recommend(Experiment("t", tmp_path / "t.toml", data, ""), 1, False)
    assert {"settings", "ranking", "candidates", "search", "frontier"} <= set(out.tables)
    ranking = out.tables["ranking"]
    assert len(ranking) == 2 and list(ranking["rank"]) == [1, 2]
    assert (ranking["cost_total_usd"] <= 25e6).all()
    assert out.tables["settings"].iloc[0]["budget_usd"] == 25e6
    ax = plot_frontier(doc_from_tables(out.tables))
    assert ax.get_xlabel().startswith("total cost")
    plt.close(ax.figure)
