"""The sensitivity experiment kind with ``emulator = "gp"``: tables, figures and file checks."""

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import load_experiment, run_experiment
from sim.experiments.emulated import NOISE_COLUMNS
from sim.harness.indices import NOISE_FLAG, ST_SUM_FLAG

SAMPLES = 8
BODY = f"""kind = "sensitivity"
scenario = "toy_corridor"
emulator = "gp"
samples = {SAMPLES}
replicates = 2
ticks = 60
seed = 3
params = ["exploration=0.05:0.4", "loss_tolerance=0.02:0.1"]
metrics = ["delivered", "interdiction_rate"]
figures = ["sensitivity_central_america"]
"""


def write_experiment(folder, stem: str, body: str):
    path = folder / f"{stem}.toml"
    path.write_text(f'name = "{stem}"\ndescription = "d"\n{body}')
    return path


@pytest.fixture(scope="module")
def emulated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("emulated")
    path = write_experiment(tmp, "gp_toy", BODY)
    return run_experiment(path, workers=1, out=tmp / "out", command=["test"])


def test_emulator_experiment_writes_validation_noise_flags_and_settings(emulated):
    t = emulated.tables
    assert set(t) == {"indices", "convergence", "noise", "validation", "held_out", "settings"}
    metrics = ["delivered", "interdiction_rate"]
    # validation: one row per metric, Q2 under its noise ceiling's reach, coverage a share
    val = t["validation"].set_index("metric")
    assert list(val.index) == metrics
    assert {"q2", "q2_ceiling", "coverage"} <= set(val.columns)
    assert ((val["coverage"] >= 0) & (val["coverage"] <= 1)).all()
    assert (val["points"] == SAMPLES).all() and (val["folds"] == 5).all()
    # noise: measured share, ST sum of the indices table, and the flags they imply
    noise = t["noise"].set_index("metric")
    assert list(t["noise"].columns) == NOISE_COLUMNS and list(noise.index) == metrics
    ind = t["indices"]
    for m in metrics:
        st = ind[(ind["metric"] == m) & (ind["index"] == "ST")]["value"]
        assert math.isclose(noise.loc[m, "st_sum"], st.sum())
        flags = str(noise.loc[m, "flags"]) if isinstance(noise.loc[m, "flags"], str) else ""
        assert ("noisy" in flags) == (noise.loc[m, "noise_share"] > NOISE_FLAG)
        assert ("st_sum_high" in flags) == (noise.loc[m, "st_sum"] > ST_SUM_FLAG)
    # intervals combine the bootstrap and the emulator's spread
    assert np.allclose(ind["conf"], np.hypot(ind["mc_conf"], ind["emulator_conf"]))
    # held-out predictions: one per design point and metric
    held = t["held_out"]
    assert len(held) == SAMPLES * len(metrics) and (held["sd"] > 0).all()
    # settings say what was run
    st = dict(zip(t["settings"]["setting"], t["settings"]["value"]))
    assert st["emulator"] == "gp" and st["points"] == str(SAMPLES) and st["replicates"] == "2"
    assert st["runs"] == str(2 * SAMPLES) and st["bounds:loss_tolerance"] == "0.02:0.1"
    assert emulated.manifest["runs"] == 2 * SAMPLES and "gp emulator" in emulated.summary


def test_emulator_convergence_ends_at_the_full_design(emulated):
    conv, ind = emulated.tables["convergence"], emulated.tables["indices"]
    assert sorted(set(conv["n"])) == [SAMPLES // 2, SAMPLES]
    last = conv[conv["n"] == SAMPLES].set_index(["metric", "param"])["index"]
    st = ind[ind["index"] == "ST"].set_index(["metric", "param"])["value"]
    assert len(last) == 4 and (last == st.loc[last.index]).all()


def test_emulator_experiment_draws_the_validation_figure(emulated):
    stems = {p.stem for p in emulated.figures if p.suffix == ".png"}
    assert "sensitivity_central_america_validation" in stems
    assert {"sensitivity_central_america_indices", "sensitivity_central_america_convergence"} <= (
        stems
    )


def test_emulator_and_method_are_checked_before_running(tmp_path):
    runner = CliRunner()
    cases = {
        "bad_emulator": (BODY.replace('emulator = "gp"', 'emulator = "rf"'), "emulator"),
        "bad_method": (BODY + 'method = "morris"\n', "method"),
    }
    for stem, (body, word) in cases.items():
        path = write_experiment(tmp_path, stem, body)
        r = runner.invoke(app, ["experiment", "run", str(path), "--quick", "--out", str(tmp_path)])
        assert r.exit_code == 2, (stem, r.output)
        assert len(r.stderr.strip().splitlines()) == 1 and word in r.stderr, (stem, r.stderr)
    # a valid emulator file loads
    path = write_experiment(tmp_path, "ok", BODY)
    assert load_experiment(path).data["emulator"] == "gp"
