"""Studies killed part-way resume with every run exactly once; mismatched resumes are refused."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness import run_study
from sim.harness.outputs import WALL_CLOCK

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
N, TICKS, SEED = 24, 100, 3
ARGS = ["run", "toy_corridor", "-r", str(N), "--seed", str(SEED), "--ticks", str(TICKS)]


def _interruptible() -> None:
    """In the child: SIGINT unblocked and at its default, whatever the test process
    inherited or set (a child keeps an ignored or blocked SIGINT across exec)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *ARGS, "--workers", "1", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )


def wait_for_parts(out: Path, proc: subprocess.Popen, n: int = 1, timeout: float = 120) -> int:
    """Wait until ``n`` finished batches are on disk; return the runs they hold."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        parts = sorted((out / "parts").glob("*.runs.parquet")) if (out / "parts").is_dir() else []
        if len(parts) >= n:
            return sum(len(pd.read_parquet(p)) for p in parts)
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no batch finished in time")


def finished_before(out: Path) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted((out / "parts").glob("*.runs.parquet"))]
    return pd.concat(frames).set_index("run")


@pytest.fixture(scope="module")
def reference():
    return run_study("toy_corridor", N, seed=SEED, ticks=TICKS, workers=2)


def check_complete(out: Path, reference, before: pd.DataFrame) -> None:
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["run"]) == list(range(N))  # every run, exactly once, in order
    cols = [c for c in reference.runs.columns if c not in WALL_CLOCK]
    assert runs[cols].equals(reference.runs[cols])
    # runs finished before the kill were not run again: same wall-clock time recorded
    after = runs.set_index("run")
    assert (after.loc[before.index, "seconds"] == before["seconds"]).all()
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == N * TICKS and not ts.duplicated(["run", "tick"]).any()
    pd.testing.assert_frame_equal(ts, reference.timeseries)
    assert not (out / "parts").exists()
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "finished" and man["status"] == {"ok": N, "error": 0}
    assert len(man["sessions"]) == 2


def test_sigkill_then_resume(tmp_path, reference):
    out = tmp_path / "killed"
    proc = start_cli(out)
    done = wait_for_parts(out, proc, 2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = finished_before(out)
    assert 0 < done < N and len(before) >= done
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "running"  # it never got to say otherwise
    r = runner.invoke(app, [*ARGS, "--workers", "2", "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    check_complete(out, reference, before)


def test_sigint_leaves_a_resumable_directory(tmp_path, reference):
    out = tmp_path / "interrupted"
    proc = start_cli(out)
    wait_for_parts(out, proc, 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" in err and "Traceback" not in err
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "interrupted" and 0 < man["runs_done"] < N
    # consolidated on the way out: runs.parquet holds every finished run, no parts left
    before = pd.read_parquet(out / "runs.parquet").set_index("run")
    assert len(before) == man["runs_done"] and not (out / "parts").exists()
    r = runner.invoke(app, [*ARGS, "--workers", "1", "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    check_complete(out, reference, before)


def test_resume_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "s"
    base = ["run", "toy_corridor", "-r", "2", "--ticks", "60", "--workers", "1", "--out", str(out)]
    assert runner.invoke(app, base).exit_code == 0
    for change, key in (
        (["--seed", "1"], "settings.root_seed"),
        (["--ticks", "61"], "settings.ticks"),
        (["--set", "exploration=0.3"], "settings.scenarios.toy_corridor"),
    ):
        r = runner.invoke(app, [*base, *change, "--resume"])
        assert r.exit_code == 2, r.output
        err = r.stderr.strip()
        assert len(err.splitlines()) == 1 and key in err and "manifest.json" in err
    r = runner.invoke(app, [*base, "--resume"])  # same settings: nothing left to do
    assert r.exit_code == 0, r.output
    assert len(pd.read_parquet(out / "runs.parquet")) == 2


def test_orphan_parts_of_a_half_written_batch_are_dropped(tmp_path):
    out = tmp_path / "o"
    full = run_study("toy_corridor", 4, seed=1, ticks=60, workers=1, out=out)
    # simulate a crash: runs 0-1 consolidated, and a batch holding run 2 that wrote
    # its series part but died before its runs part
    full.runs[full.runs["run"] < 2].to_parquet(out / "runs.parquet")
    ts = full.timeseries
    ts[ts["run"] < 2].to_parquet(out / "timeseries.parquet")
    (out / "parts").mkdir()
    ts[ts["run"] == 2].to_parquet(out / "parts" / "000000002-deadbeef.timeseries.parquet")
    man = json.loads((out / "manifest.json").read_text())
    man["state"] = "running"
    (out / "manifest.json").write_text(json.dumps(man))
    again = run_study("toy_corridor", 4, seed=1, ticks=60, workers=1, out=out, resume=True)
    assert list(again.runs["run"]) == [0, 1, 2, 3]
    assert len(again.timeseries) == 4 * 60
    assert not again.timeseries.duplicated(["run", "tick"]).any()
    pd.testing.assert_frame_equal(again.timeseries, full.timeseries)
    assert not (out / "parts").exists()
