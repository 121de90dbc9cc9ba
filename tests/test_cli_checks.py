"""The analyst's command line: policies checked against the scenario, and nothing lost in --out."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.dashboard.session import CorridorViz
from sim.policy_checks import check_candidates, check_policies
from sim.resources import shipped
from sim.scenario import load_scenario

runner = CliRunner()
SCENARIOS = shipped("scenarios")
QUICK = ["-r", "2", "--ticks", "60", "--workers", "1"]

ANALYST = f"""
extends = "{SCENARIOS / "central_america_cocaine.toml"}"
name = "analyst"

[[policies]]                # Honduras and Guatemala sign an MLAT
type = "add_mlat"
between = ["HND", "GTM"]

[[policies]]                # Panama joins a database in year 2
type = "join_database"
name = "interpol"
states = ["PAN"]
start = 104
"""


def toy(tmp_path, policies: str, name: str = "toy_checks"):
    """A toy_corridor variant with ``policies`` (TOML) appended; returns its path."""
    path = tmp_path / f"{name}.toml"
    base = SCENARIOS / "toy_corridor.toml"
    path.write_text(f'extends = "{base}"\nname = "{name}"\n{policies}')
    return path


def errors(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.strip()]


# ---------------------------------------------------------------- 1. policies that do nothing
def test_analyst_example_two_warnings_then_strict_exit_2(tmp_path):
    """An MLAT a treaty already covers and a database PAN is in are named, not silently run."""
    path = tmp_path / "analyst.toml"
    path.write_text(ANALYST)
    found = check_policies(load_scenario(path))
    assert [(w.policy_index, w.type) for w in found] == [(0, "add_mlat"), (1, "join_database")]
    assert "Central American MLAT 1993" in found[0].reason
    assert "already in database 'interpol'" in found[1].reason

    r = runner.invoke(app, ["describe", str(path)])
    assert r.exit_code == 0
    assert "no effect: an MLAT already covers HND-GTM" in r.stdout
    assert "no effect: PAN is already in database 'interpol'" in r.stdout

    r = runner.invoke(app, ["run", str(path), "--strict", *QUICK])
    assert r.exit_code == 2, r.output
    lines = errors(r)
    assert len(lines) == 2 and all(line.startswith("error: policies[") for line in lines)
    assert "an MLAT already covers HND-GTM" in lines[0] and "interpol" in lines[1]


def test_warnings_do_not_stop_a_run(tmp_path):
    """Without --strict the run goes ahead: one warning line per policy, exit 0."""
    path = toy(
        tmp_path,
        '[[policies]]\ntype = "extradition_treaty"\nbetween = ["NOR", "MKT"]\nlabel = "again"\n',
    )
    r = runner.invoke(app, ["run", str(path), "--format", "json", *QUICK])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["replicates"] == 2
    assert errors(r) == [
        "warning: policies[0] extradition_treaty again: an extradition treaty already "
        "covers NOR-MKT (agreements[0])"
    ]


@pytest.mark.parametrize(
    "policy, needle",
    [
        ('type = "surge"\nstate = "MID"\nfactor = 2.0\nstart = 60', "at or after the horizon"),
        ('type = "harmonize"\nstates = ["NOR"]\noffences = ["trafficking"]', "criminalises"),
        ('type = "surge"\nstate = "MID"\nfactor = 1.0', "factor of 1"),
        ('type = "create_database"\nname = "a"\nmembers = ["MID", "WES"]', None),
        ('type = "add_mlat"\nparties = ["MID", "WES", "NOR"]', None),
    ],
)
def test_each_kind_of_no_op(tmp_path, policy, needle):
    """Timing, laws and multipliers are checked; a policy that acts gets no warning."""
    found = check_policies(load_scenario(toy(tmp_path, f"[[policies]]\n{policy}\n")), ticks=60)
    assert [w.reason for w in found if needle and needle in w.reason] or (
        needle is None and not found
    ), found


def test_earlier_policies_and_multilateral_conventions_count(tmp_path):
    """An MLAT among parties covers each pair; a database created earlier covers its members."""
    path = toy(
        tmp_path,
        """
[[policies]]
type = "add_mlat"
parties = ["MID", "WES", "NOR"]
label = "convention"

[[policies]]
type = "add_mlat"
between = ["WES", "NOR"]

[[policies]]
type = "create_database"
name = "ring"
members = ["MID", "WES"]
start = 10

[[policies]]
type = "join_database"
name = "ring"
states = ["WES"]
start = 20
""",
    )
    found = check_policies(load_scenario(path))
    assert [w.policy_index for w in found] == [1, 3]
    assert found[0].reason == "an MLAT already covers WES-NOR (policies[0])"
    assert found[1].line() == (
        "policies[3] join_database ring WES: WES is already in database 'ring' (policies[2])"
    )


def test_a_treaty_that_ends_is_not_a_reason(tmp_path):
    """The check covers the whole window: an MLAT that lapses leaves the later one useful."""
    path = toy(
        tmp_path,
        '[[policies]]\ntype = "add_mlat"\nbetween = ["MID", "WES"]\nend = 100\n'
        '[[policies]]\ntype = "add_mlat"\nbetween = ["MID", "WES"]\nstart = 50\n',
    )
    assert check_policies(load_scenario(path)) == []


def test_states_without_traffic(tmp_path):
    """A state no route passes through gives a policy nothing to act on."""
    path = toy(
        tmp_path,
        '[[states]]\nid = "ISL"\n[[locations]]\nid = "ISL-x"\nstate = "ISL"\n'
        '[[policies]]\ntype = "capacity_building"\nstate = "ISL"\ncapacity = 2.0\n'
        '[[policies]]\ntype = "add_mlat"\nbetween = ["ISL", "MID"]\n',
    )
    found = check_policies(load_scenario(path))
    assert [w.policy_index for w in found] == [0, 1]
    assert all("no organisation's route passes through ISL" in w.reason for w in found)


def test_describe_marks_candidates_that_change_nothing(tmp_path):
    """Central America's candidates all act; a harmonisation of offences every state
    already holds is marked as changing nothing."""
    sc = load_scenario("central_america_cocaine")
    assert not {k for k, v in check_candidates(sc).items() if v}
    path = tmp_path / "ca.toml"
    path.write_text(
        'extends = "central_america_cocaine"\n[[candidates]]\ntype = "harmonize"\n'
        'states = ["PAN", "CRI"]\noffences = ["conspiracy"]\nlabel = "noop"\n'
    )
    assert {k for k, v in check_candidates(load_scenario(path)).items() if v} == {"noop"}
    r = runner.invoke(app, ["describe", str(path)])
    assert r.exit_code == 0
    assert "no effect: every listed state already criminalises" in r.stdout


def test_compare_warns_per_scenario_and_strict(tmp_path):
    """compare checks every scenario; --strict stops before any run."""
    alt = toy(tmp_path, '[[policies]]\ntype = "surge"\nstate = "MID"\nfactor = 1.0\n')
    r = runner.invoke(app, ["compare", "toy_corridor", str(alt), "--strict", *QUICK])
    assert r.exit_code == 2, r.output
    (line,) = errors(r)
    assert line.startswith(f"error: {alt}: policies[0] surge") and "factor of 1" in line


def test_dashboard_marks_switches_with_no_effect(tmp_path):
    """An MLAT the pair already has, or joining a database twice, is marked 'no effect'."""
    viz = CorridorViz("central_america_cocaine")
    viz.step()
    assert viz.no_effect("mlat", "BLZ", "GTM") == []
    viz.switch_on("mlat", "PAN", "CRI")
    viz.switch_on("mlat", "BLZ", "GTM")
    assert "(no effect: an MLAT already covers PAN-CRI" in viz.messages[0]
    assert viz.messages[1] == "Week 1: MLAT BLZ-GTM switched on"
    assert viz.no_effect("mlat", "GTM", "BLZ")  # now switched on
    # every state is in INTERPOL: the database switch creates the isthmus candidate, once
    assert viz.no_effect("database", "PAN") == []
    viz.switch_on("database", "PAN")
    assert "already" in viz.no_effect("database", "PAN")[0]
    path = tmp_path / "analyst.toml"
    path.write_text(ANALYST)
    viz = CorridorViz(str(path))
    assert len(viz.messages) == 2 and all(m.startswith("No effect: ") for m in viz.messages)


# ------------------------------------------------------------------------- 4. nothing lost
def run_out(out, *extra):
    return runner.invoke(app, ["run", "toy_corridor", *QUICK, "--out", str(out), *extra])


def test_other_settings_refused_force_replaces(tmp_path):
    """A finished study is not overwritten by other settings unless --force says so."""
    out = tmp_path / "s"
    assert run_out(out).exit_code == 0
    (out / "figures" / "mine.png").write_bytes(b"x")
    for change, key in (
        (["--seed", "1"], "settings.root_seed was 0, this command gives 1"),
        (["--set", "exploration=0.3"], "settings.scenarios"),
        (["--ticks", "61"], "settings.ticks"),
    ):
        r = run_out(out, *change)
        assert r.exit_code == 2, r.output
        (line,) = errors(r)
        assert key in line and "--force replaces it" in line and "--resume" in line
    assert len(pd.read_parquet(out / "runs.parquet")) == 2
    r = runner.invoke(app, ["run", "toy_corridor", "-r", "3", "--ticks", "60", "--workers", "1",
                            "--out", str(out), "--force"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert len(pd.read_parquet(out / "runs.parquet")) == 3
    assert not (out / "figures" / "mine.png").exists()  # the old study's files went first
    assert json.loads((out / "manifest.json").read_text())["settings"]["replicates"] == 3


def test_same_settings_run_again_and_other_commands_refused(tmp_path):
    """The same command re-runs the study in place; another command's study is refused."""
    out = tmp_path / "s"
    assert run_out(out).exit_code == 0
    first = pd.read_parquet(out / "runs.parquet")
    r = run_out(out)
    assert r.exit_code == 0, r.output
    again = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(first.drop(columns="seconds"), again.drop(columns="seconds"))
    r = runner.invoke(app, ["compare", "toy_corridor", "toy_surge", *QUICK, "--out", str(out)])
    assert r.exit_code == 2 and "kind was 'run', this command gives 'compare'" in r.stderr


def test_non_empty_directory_without_a_study_refused(tmp_path):
    """--out never writes among files that are not a study's."""
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    for extra in ([], ["--force"]):
        r = run_out(out, *extra)
        assert r.exit_code == 2, r.output
        (line,) = errors(r)
        assert "holds no study" in line
    assert (out / "thesis.tex").read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


def test_force_needs_out_and_excludes_resume(tmp_path):
    r = runner.invoke(app, ["run", "toy_corridor", "--force"])
    assert r.exit_code == 2 and "--force" in r.stderr
    r = run_out(tmp_path / "x", "--force", "--resume")
    assert r.exit_code == 2 and len(errors(r)) == 1


def test_a_duplicate_database_is_named(tmp_path):
    """A second database with the same members, lag and coverage adds nothing."""
    db = 'type = "create_database"\nmembers = ["MID", "WES"]\nlag = 2\ncoverage = 0.5\n'
    path = toy(
        tmp_path,
        f'[[policies]]\nname = "a"\nlabel = "first"\n{db}'
        f'[[policies]]\nname = "b"\n{db}'
        f'[[policies]]\nname = "c"\nlag = 1\n{db.replace("lag = 2", "")}',
    )
    found = check_policies(load_scenario(path))
    assert [w.line() for w in found] == [
        "policies[1] create_database b MID+WES: its members already share a database "
        "at least as fast (policies[0])"
    ]
