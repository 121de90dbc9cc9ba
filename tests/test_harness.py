"""The harness's Python API, outputs, event tables and failing runs."""

import json
from dataclasses import dataclass

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.harness import (
    FunctionEvaluator,
    HarnessError,
    RunResult,
    compare,
    run_study,
    sensitivity,
)
from sim.harness.runner import Run
from sim.metrics import REGISTRY
from sim.policies import Policy, register
from sim.rng import run_seeds

runner = CliRunner()


def noisy(params, seed):
    """A test evaluation: depends on the seed only."""
    return {"y": float(seed % 1000), "z": 1.0}


def fails_on_third(params, seed):
    if seed == run_seeds(0, 5)[2]:
        raise ValueError("injected failure\nsecond line")
    return {"y": float(seed % 7)}


@dataclass
class RecordingEvaluator:
    """Test evaluator whose runs return event tables, like TraffickingModel.records()."""

    def __call__(self, run: Run) -> RunResult:
        recs = [{"request": i, "latency": float(run.seed % 50 + i)} for i in range(run.replicate)]
        return RunResult(
            run.scenario,
            run.replicate,
            run.seed,
            summary={"y": float(run.replicate)},
            records={"requests": recs, "empty": []},
        )

    def describe(self):
        return {"evaluator": "recording"}


def test_api_is_exported_from_sim_and_harness():
    assert sim.run_study is run_study and sim.compare is compare
    assert sim.sensitivity is sensitivity
    assert set(sim.__all__) >= {"run_study", "compare", "sensitivity"}


def test_run_study_api(tmp_path):
    study = run_study("toy_corridor", 3, seed=5, ticks=70, workers=1, out=tmp_path / "s")
    assert list(study.runs["replicate"]) == [0, 1, 2]
    assert list(study.runs["seed"]) == run_seeds(5, 3)
    summ = study.summary()
    assert set(summ["metric"]) == set(REGISTRY)
    finite = summ.dropna()
    assert len(finite) >= 10 and (finite["ci_low"] <= finite["mean"]).all()
    assert len(study.timeseries) == 3 * 70
    assert study.to_dict()["metrics"]["delivered"]["unit"] == "kg/week"
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["state"] == "finished" and manifest["runs_total"] == 3
    assert not (tmp_path / "s" / "parts").exists()
    assert (tmp_path / "s" / "summary.csv").is_file()


def test_event_tables_get_run_identifiers(tmp_path):
    out = tmp_path / "ev"
    study = run_study("toy_corridor", 4, seed=1, evaluator=RecordingEvaluator(), workers=1, out=out)
    req = pd.read_parquet(out / "requests.parquet")
    # replicate k has k records
    assert len(req) == 0 + 1 + 2 + 3
    assert {"run", "scenario", "replicate", "seed", "request", "latency"} <= set(req.columns)
    assert list(req.groupby("replicate").size()) == [1, 2, 3]
    seeds = dict(zip(study.runs["run"], study.runs["seed"]))
    assert all(req["seed"] == req["run"].map(seeds))
    assert not (out / "empty.parquet").exists()
    pd.testing.assert_frame_equal(req, study.tables["requests"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"] == ["requests"]


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    out = tmp_path / "f"
    study = run_study(
        "toy_corridor", 5, seed=0, evaluator=FunctionEvaluator(fails_on_third), workers=2, out=out
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["status"]) == ["ok", "ok", "error", "ok", "ok"]
    assert runs.loc[2, "error"] == "ValueError: injected failure"
    assert "Traceback" in runs.loc[2, "traceback"]
    assert runs["y"].notna().sum() == 4
    assert len(study.failed) == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == {"ok": 4, "error": 1}


@register
@dataclass
class _TestBoom(Policy):
    """Test-only policy: raises in the run whose seed is ``seed`` (registered via the API)."""

    type = "test_boom"
    FIELDS = {"seed": "int", "tick": "int"}
    REQUIRED = ("seed",)
    seed: int = 0
    tick: int = 60

    def act(self, model, tick):
        if model.seed == self.seed and tick == self.tick:
            raise RuntimeError(f"boom at tick {tick}")


def test_cli_failing_run_exit_1_with_summary(tmp_path):
    bad_seed = run_seeds(0, 4)[1]
    sc = tmp_path / "boom.toml"
    toy = sim.load_scenario("toy_corridor").path
    sc.write_text(
        f'extends = "{toy}"\nname = "boom"\n\n[[policies]]\ntype = "test_boom"\n'
        f"seed = {bad_seed}\nstart = 0\n"
    )
    out = tmp_path / "o"
    r = runner.invoke(
        app,
        ["run", str(sc), "-r", "4", "--ticks", "70", "--workers", "1", "--out", str(out)],
    )
    assert r.exit_code == 1, r.output
    assert "run 1 (boom, replicate 1" in r.stderr and "RuntimeError: boom at tick 60" in r.stderr
    assert "1 of 4 runs failed" in r.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["status"]) == ["ok", "error", "ok", "ok"]
    assert runs["delivered"].notna().sum() == 3


def test_fresh_study_refuses_an_unfinished_directory(tmp_path):
    out = tmp_path / "u"
    run_study("toy_corridor", 2, ticks=60, workers=1, out=out)
    man = json.loads((out / "manifest.json").read_text())
    man["state"] = "running"
    (out / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(HarnessError, match="unfinished study .* add --resume"):
        run_study("toy_corridor", 2, ticks=60, workers=1, out=out)
    r = runner.invoke(
        app,
        ["run", "toy_corridor", "-r", "2", "--ticks", "60", "--out", str(out), "--workers", "1"],
    )
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--resume" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize(
    "args, needle",
    [
        (("run", "toy_corridor", "--resume"), "--resume"),
        (("run", "toy_corridor", "--ticks", "10"), "--ticks"),
        (("compare", "toy_corridor", "nope.toml"), "nope.toml"),
        (("compare", "toy_corridor", "toy_corridor", "--metric", "nosuch"), "--metric"),
        (("compare", "toy_corridor", "toy_corridor", "--set", "states.ZZZ.capacity=1"), "ZZZ"),
    ],
)
def test_bad_input_exit_2_one_line(args, needle):
    r = runner.invoke(app, list(args))
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in r.output


def test_out_that_is_a_file_exits_2(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = runner.invoke(app, ["run", "toy_corridor", "-r", "2", "--out", str(f)])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"--out {f}: cannot write there")
    assert len(r.stderr.strip().splitlines()) == 1


def test_scheduler_without_dask_installed_exits_2(tmp_path):
    import subprocess
    import sys

    # a module named `distributed` that fails to import shadows the real one
    (tmp_path / "distributed.py").write_text("raise ImportError('simulated: not installed')\n")
    r = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "toy_corridor", "-r", "2"]
        + ["--scheduler", "tcp://127.0.0.1:1"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)},
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == (
        "--scheduler: dask distributed is not installed (pip install 'xborder[distributed]')"
    )


def test_unreachable_scheduler_exits_2():
    pytest.importorskip("distributed")
    r = runner.invoke(app, ["run", "toy_corridor", "-r", "2", "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("--scheduler: cannot connect to tcp://127.0.0.1:9")
    assert len(r.stderr.strip().splitlines()) == 1


def plain_evaluator(run: Run) -> RunResult:
    return RunResult(run.scenario, run.replicate, run.seed, summary={"y": run.replicate * 2.0})


def test_any_callable_can_evaluate(tmp_path):
    study = run_study("toy_corridor", 3, evaluator=plain_evaluator, workers=1, out=tmp_path / "p")
    assert list(study.runs["y"]) == [0.0, 2.0, 4.0]
    man = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert man["settings"]["evaluator"] == "tests.test_harness.plain_evaluator"
