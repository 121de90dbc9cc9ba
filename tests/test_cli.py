import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics import REGISTRY

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_help_has_examples():
    r = invoke("--help")
    assert r.exit_code == 0 and "run" in r.stdout and "validate" in r.stdout
    r = invoke("run", "--help")
    assert r.exit_code == 0 and "Example" in r.stdout


def test_scenarios_lists_shipped():
    r = invoke("scenarios")
    assert r.exit_code == 0
    assert "toy_corridor" in r.stdout


def test_describe_prints_agreement_matrix():
    r = invoke("describe", "toy_corridor")
    assert r.exit_code == 0, r.output
    assert "Agreements in force" in r.stdout and "Marketia" in r.stdout


def test_run_json_contract_and_repeatable():
    args = (
        "run",
        "toy_corridor",
        "-r",
        "3",
        "--seed",
        "4",
        "--ticks",
        "90",
        "--format",
        "json",
        "--workers",
        "1",
    )
    r1, r2 = invoke(*args), invoke(*args)
    assert r1.exit_code == 0, r1.output
    doc = json.loads(r1.stdout)
    assert r1.stdout == r2.stdout
    assert doc["scenario"] == "toy_corridor" and doc["replicates"] == 3 and doc["seed"] == 4
    assert set(doc["metrics"]) == set(REGISTRY)
    for name, v in doc["metrics"].items():
        assert set(v) == {"mean", "ci_low", "ci_high", "unit"}, name
    d = doc["metrics"]["delivered"]
    assert d["ci_low"] <= d["mean"] <= d["ci_high"] and d["unit"] == "kg/week"


def test_run_pool_equals_serial():
    base = ("run", "toy_corridor", "-r", "4", "--seed", "9", "--ticks", "80", "--format", "json")
    serial = invoke(*base, "--workers", "1")
    pool = invoke(*base, "--workers", "2")
    assert serial.exit_code == pool.exit_code == 0
    assert serial.stdout == pool.stdout


def test_run_csv_and_set_override():
    r = invoke(
        "run", "toy_corridor", "-r", "2", "--ticks", "80", "--format", "csv", "--workers", "1"
    )
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "metric,mean,ci_low,ci_high,unit" and len(lines) == 1 + len(REGISTRY)
    rows = {ln.split(",")[0]: ln.split(",") for ln in lines[1:]}
    off = invoke(
        "run",
        "toy_corridor",
        "-r",
        "2",
        "--ticks",
        "80",
        "--format",
        "csv",
        "--workers",
        "1",
        *sum(
            (["--set", f"states.{s}.capacity=0"] for s in ("MID", "WES", "EAS", "NOR", "MKT")), []
        ),
    )
    rows_off = {ln.split(",")[0]: ln.split(",") for ln in off.stdout.strip().splitlines()[1:]}
    assert float(rows["seized"][1]) > 0 and float(rows_off["seized"][1]) == 0


def test_run_out_directory(tmp_path):
    out = tmp_path / "study"
    r = invoke(
        "run",
        "toy_corridor",
        "-r",
        "3",
        "--seed",
        "2",
        "--ticks",
        "80",
        "--out",
        str(out),
        "--workers",
        "1",
    )
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    for key in (
        "command",
        "resolved_scenario",
        "root_seed",
        "run_seeds",
        "versions",
        "git_commit",
        "started",
        "ended",
        "status",
    ):
        assert key in manifest
    assert manifest["status"] == {"ok": 3, "error": 0} and len(manifest["run_seeds"]) == 3
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 and list(runs["seed"]) == manifest["run_seeds"]
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 3 * 80 and {"run", "tick", "delivered"} <= set(ts.columns)
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["metric"]) == set(REGISTRY)
    assert (out / "figures" / "main_series.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "args, needle",
    [
        (("run", "no_such_scenario"), "no such scenario"),
        (("run", "toy_corridor", "--set", "nosuch=1"), "nosuch"),
        (("run", "toy_corridor", "--set", "states.MID.detection=1.5"), "detection"),
        (("describe", "toy_corridor", "--set", "states.XXX.capacity=3"), "XXX"),
    ],
)
def test_bad_input_exit_2_one_line(args, needle):
    r = invoke(*args)
    assert r.exit_code == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in r.output


def test_validate_json_contract():
    r = invoke("validate", "--only", "V14", "-r", "4", "--format", "json", "--workers", "1")
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(r.stdout)
    (check,) = doc["checks"]
    assert {"id", "name", "passed", "value", "expected"} <= set(check)
    assert check["id"] == "V14"
    r = invoke("validate", "--only", "V99")
    assert r.exit_code == 2 and "V99" in r.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "toy_corridor", "-r", "0"], "--replicates"),
        (["run", "toy_corridor", "--bogus"], "--bogus"),
        (["nosuch"], "nosuch"),
        (["run"], "scenario"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(args, fragment, capsys):
    from sim.cli import main

    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_console_script_reports_usage_errors_on_one_line():
    r = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "toy_corridor", "-r", "0"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_describe_shows_multilateral_mlats_and_candidates():
    r = invoke("describe", "central_america_cocaine")
    assert r.exit_code == 0
    # OAS A-55 is a multilateral convention (parties): Panama-Costa Rica get an M
    matrix = r.stdout[r.stdout.index("Agreements in force") :]
    row = next(line for line in matrix.splitlines() if line.startswith("│ PAN"))
    assert "M" in row.split("│", 2)[2]
    assert "Candidate policies" in r.stdout and "capacity: capacity_building" in r.stdout
