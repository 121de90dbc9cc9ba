"""The same study gives the same data on every executor: serial, process pool, Dask."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness.outputs import WALL_CLOCK

runner = CliRunner()
STUDY = ["run", "toy_corridor", "-r", "6", "--seed", "11", "--ticks", "80", "--format", "json"]


def data_files(out: Path) -> dict[str, pd.DataFrame]:
    """Every parquet table of a study, wall-clock columns dropped, rows in run order."""
    frames = {}
    for p in sorted(out.glob("*.parquet")):
        df = pd.read_parquet(p).drop(columns=list(WALL_CLOCK), errors="ignore")
        keys = [c for c in ("run", "tick") if c in df.columns]
        frames[p.name] = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return frames


@pytest.fixture(scope="module")
def dask_address():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def run_cli(out: Path, *extra: str):
    r = runner.invoke(app, [*STUDY, "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    return r


def test_serial_pool_and_dask_give_identical_outputs(tmp_path, dask_address):
    assert dask_address.startswith("tcp://127.0.0.1:")
    outs = {
        "serial": tmp_path / "serial",
        "pool": tmp_path / "pool",
        "dask": tmp_path / "dask",
    }
    stdout = {
        "serial": run_cli(outs["serial"], "--workers", "1").stdout,
        "pool": run_cli(outs["pool"], "--workers", "2").stdout,
        "dask": run_cli(outs["dask"], "--scheduler", dask_address).stdout,
    }
    assert stdout["serial"] == stdout["pool"] == stdout["dask"]
    ref = data_files(outs["serial"])
    assert {"runs.parquet", "timeseries.parquet"} <= set(ref)
    assert len(ref["runs.parquet"]) == 6 and len(ref["timeseries.parquet"]) == 6 * 80
    for kind in ("pool", "dask"):
        got = data_files(outs[kind])
        assert set(got) == set(ref), kind
        for name, df in ref.items():
            assert df.equals(got[name]), f"{kind}: {name} differs"
    man = json.loads((outs["dask"] / "manifest.json").read_text())
    assert man["status"] == {"ok": 6, "error": 0} and man["state"] == "finished"


def _prefixes(dask_scheduler):
    return sorted(dask_scheduler.task_prefixes)


def test_dask_executor_runs_tasks_on_workers(dask_address):
    distributed = pytest.importorskip("distributed")
    from sim.harness import run_study

    study = run_study("toy_corridor", 4, seed=2, ticks=60, scheduler=dask_address)
    with distributed.Client(dask_address) as client:
        assert "run_batch" in client.run_on_scheduler(_prefixes)
        assert len(client.scheduler_info()["workers"]) == 2
    assert list(study.runs["status"]) == ["ok"] * 4
    local = run_study("toy_corridor", 4, seed=2, ticks=60, workers=1)
    cols = [c for c in local.runs.columns if c not in WALL_CLOCK]
    assert study.runs[cols].equals(local.runs[cols])
