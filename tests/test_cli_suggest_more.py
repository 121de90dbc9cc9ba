"""Did you mean: misspelt experiment names, recommend objectives and discover metrics."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from sim.cli import app


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_line(r) -> str:
    text = r.output.strip()
    assert r.exit_code == 2, text
    assert len(text.splitlines()) == 1, text
    return text


def test_misspelt_experiment_suggests():
    line = one_line(invoke("experiment", "run", "validaton_v1", "--quick"))
    assert "did you mean 'validation_v1'?" in line


def test_unknown_experiment_without_close_match_lists_the_known():
    line = one_line(invoke("experiment", "run", "zzzzzzzz", "--quick"))
    assert "known:" in line and "validation_v1" in line


def test_unknown_objective_suggests():
    line = one_line(
        invoke(
            "recommend",
            "toy_corridor",
            "--budget",
            "2M",
            "--levers",
            "harmonize",
            "-k",
            "1",
            "-r",
            "2",
            "--ticks",
            "80",
            "--objective",
            "delivred",
        )
    )
    assert "--objective" in line and "did you mean 'delivered'?" in line


def test_unknown_discover_metric_suggests_worlds(tmp_path):
    pd.DataFrame(
        {
            "portfolio": ["status quo", "a"] * 3,
            "param:x": range(6),
            "benefit": range(6),
            "regret": range(6),
            "objective_mean": range(6),
        }
    ).to_parquet(tmp_path / "worlds.parquet")
    line = one_line(invoke("discover", tmp_path, "--metric", "benfit", "--threshold", "0"))
    assert "--metric" in line and "did you mean 'benefit'?" in line


def test_unknown_discover_metric_suggests_runs(tmp_path):
    pd.DataFrame(
        {
            "run": range(4),
            "point": range(4),
            "status": ["ok"] * 4,
            "scenario": ["s"] * 4,
            "param:x": [0.1, 0.2, 0.3, 0.4],
            "delivered": [1.0, 2.0, 3.0, 4.0],
        }
    ).to_parquet(tmp_path / "runs.parquet")
    line = one_line(invoke("discover", tmp_path, "--metric", "delivred", "--threshold", "0"))
    assert "did you mean 'delivered'?" in line
