"""``xborder recommend --out DIR``: --force replaces a study; a directory without one is refused."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sim.cli import app

TINY = ["recommend", "toy_corridor", "--budget", "2M", "--levers", "harmonize"]
TINY += ["-k", "1", "-r", "2", "--ticks", "80", "--no-confirm"]


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def refused(r) -> str:
    text = r.output.strip()
    assert r.exit_code == 2, text
    assert len(text.splitlines()) == 1, text
    return text


def test_force_replaces_a_finished_study(tmp_path):
    out = tmp_path / "rec"
    assert invoke(*TINY, "--out", out).exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["state"] == "finished"
    (out / "discover_benefit.json").write_text("{}")  # a later discover's output
    line = refused(invoke(*TINY, "--out", out))
    assert "holds a study" in line and "--force" in line and "--resume" in line
    r = invoke(*TINY, "--out", out, "--force")
    assert r.exit_code == 0, r.output
    assert not (out / "discover_benefit.json").exists()
    assert (out / "recommend.json").is_file() and (out / "runs.parquet").is_file()
    assert json.loads((out / "manifest.json").read_text())["state"] == "finished"


def test_force_not_with_resume(tmp_path):
    line = refused(invoke(*TINY, "--out", tmp_path / "rec", "--force", "--resume"))
    assert "--force" in line


def test_non_empty_directory_without_a_study_is_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    for extra in ([], ["--force"]):
        line = refused(invoke(*TINY, "--out", out, *extra))
        assert "not empty and holds no study" in line
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / "manifest.json").exists()


def test_empty_directory_is_fine(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert invoke(*TINY, "--out", out).exit_code == 0
