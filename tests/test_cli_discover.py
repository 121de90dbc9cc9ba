"""The analyst's command line, finding things: the policy catalogue, a new scenario's
skeleton, "did you mean", valid keys listed, extends by name, numeric options checked,
one version, and verify with a tolerance."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app, main
from sim.cli.catalog import catalogue, example, keys
from sim.experiments.tables import compare_folders, same_cell
from sim.policies import COMMON_FIELDS, REGISTRY
from sim.scenario import ScenarioError, load_scenario
from sim.suggest import close, did_you_mean
from tests.conftest import ROOT

runner = CliRunner()
XBORDER = Path(sys.executable).with_name("xborder")


def invoke(*args, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


def errors(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.strip()]


def scenario_file(tmp_path, text: str, name: str = "mine") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


# ------------------------------------------------------------------- xborder policies
def test_policies_lists_every_registered_type_with_every_key():
    """The catalogue is generated from the registry: a type or key added there shows up."""
    r = invoke("policies")
    assert r.exit_code == 0, r.output
    for t, cls in REGISTRY.items():
        assert f"\n{t}\n" in f"\n{r.stdout}", t
        for key in [*cls.FIELDS, *COMMON_FIELDS]:
            assert f"  {key} (" in r.stdout, (t, key)
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


def test_policies_kinds_defaults_required_units_and_meaning():
    """Each key carries its kind, default or 'required', unit and the docstring's meaning."""
    rows = {r["key"]: r for r in keys("capacity_building")}
    assert rows["state"]["default"] == "required" and rows["state"]["required"]
    assert rows["state"]["kind"] == "state id"
    assert rows["ramp_weeks"]["default"] == "52" and rows["ramp_weeks"]["unit"] == "weeks"
    assert rows["cost"]["unit"] == "USD/year" and rows["start"]["unit"] == "week"
    assert rows["end"]["default"] == "never"
    assert rows["detection"]["meaning"] == "multiplier on detection."
    mlat = {r["key"]: r for r in keys("add_mlat")}
    assert mlat["between"]["default"] == "one of between/parties"
    assert "median_weeks" in mlat["mlat_median_weeks"]["meaning"]  # continuation lines joined


def test_policies_one_type_and_its_example_is_valid_toml():
    r = invoke("policies", "surge")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("surge\n") and "capacity_building" not in r.stdout
    block = r.stdout.split("example:\n", 1)[1]
    table = tomllib.loads("\n".join(line.strip() for line in block.splitlines()))
    assert table["policies"][0]["type"] == "surge" and table["policies"][0]["factor"] == 2.0


def test_every_example_loads_in_a_shipped_scenario(tmp_path):
    """The catalogue's examples are real: appended to central_america_cocaine, they load."""
    lines = ['extends = "central_america_cocaine"', 'name = "examples"']
    from sim.cli.catalog import toml_table

    shipped = [t for t, cls in REGISTRY.items() if cls.__module__ == "sim.policies"]
    for t in shipped:  # other test modules may register test-only types
        lines += toml_table(example(t, ("PAN", "CRI", "GTM")))
    sc = load_scenario(scenario_file(tmp_path, "\n".join(lines)))
    assert [p["type"] for p in sc.data["policies"][-len(shipped) :]] == shipped
    assert all(len(line) <= 80 for t in REGISTRY for line in catalogue(t))


def test_policies_unknown_type_one_line_exit_2_with_suggestion():
    r = invoke("policies", "surg")
    assert r.exit_code == 2
    (line,) = errors(r)
    assert "unknown policy type 'surg'" in line and "did you mean 'surge'?" in line


# ------------------------------------------------------------------------ xborder new
def test_new_writes_a_skeleton_that_loads_anywhere(tmp_path):
    """The file extends the base by name, so it loads from any directory, as written and
    with every example uncommented."""
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = invoke("new", "my_region", "--from", "central_america_cocaine")
        assert r.exit_code == 0, r.output
        path = tmp_path / "my_region.toml"
        text = path.read_text()
        assert 'extends = "central_america_cocaine"' in text
        assert "# [params]" in text and "# [[policies]]" in text and "# [[candidates]]" in text
        assert max(len(line) for line in text.splitlines()) <= 80
        sc = load_scenario(path)
        assert sc.name == "my_region" and sc.data["states"][0]["id"] == "COL"
        r = invoke("describe", "my_region.toml")
        assert r.exit_code == 0, r.output
    finally:
        os.chdir(cwd)
    other = tmp_path / "elsewhere"
    other.mkdir()
    setting = re.compile(r"^# (\[|[a-z_]+ = )")
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in text.splitlines())
    sc = load_scenario(scenario_file(other, uncommented, "full"))
    assert sc.params["exploration"] == 0.2
    assert [p["type"] for p in sc.data["policies"]][-2:] == ["surge", "joint_team"]
    assert "liaison_officers" in sc.candidates


def test_new_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "x.toml"
    out.write_text("# mine\n")
    r = invoke("new", "x", "--out", str(out))
    assert r.exit_code == 2 and len(errors(r)) == 1 and "--force" in r.stderr
    assert out.read_text() == "# mine\n"
    r = invoke("new", "x", "--out", str(out), "--force", "--from", "toy_corridor")
    assert r.exit_code == 0, r.output
    assert load_scenario(out).data["states"][1]["id"] == "MID"


def test_new_unknown_base_suggests(tmp_path):
    r = invoke("new", "x", "--out", str(tmp_path / "x.toml"), "--from", "toy_corridr")
    assert r.exit_code == 2 and "did you mean 'toy_corridor'?" in errors(r)[0]
    assert not (tmp_path / "x.toml").exists()


# --------------------------------------------------------------------- did you mean
def test_suggest_helper():
    assert close("explorashun", ["exploration", "k_paths"]) == ["exploration"]
    assert did_you_mean("zzz", ["exploration"]) == ""
    assert did_you_mean("PAn", ["PAN", "CRI"]) == " (did you mean 'PAN'?)"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "central_amerika_cocaine"), "did you mean 'central_america_cocaine'?"),
        (("describe", "toy_corridor", "--set", "explorashun=0.3"), "did you mean 'exploration'?"),
        (("describe", "toy_corridor", "--set", "params.k_path=3"), "did you mean 'k_paths'?"),
        (("describe", "toy_corridor", "--set", "states.MIDD.capacity=3"), "did you mean 'MID'?"),
        (
            ("compare", "toy_corridor", "toy_surge", "--metric", "delivred", "-r", "2"),
            "did you mean 'delivered'?",
        ),
        (
            ("sensitivity", "toy_corridor", "--param", "explorashun=0.1:0.3", "-N", "2"),
            "did you mean 'exploration'?",
        ),
        (
            ("sensitivity", "toy_corridor", "--param", "states.MIDD.capacity=1:3", "-N", "2"),
            "did you mean 'MID'?",
        ),
        (("validate", "--only", "V99"), "did you mean 'V9'?"),
    ],
)
def test_did_you_mean_on_the_command_line(args, needle):
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    (line,) = errors(r)
    assert needle in line


def test_unknown_policy_key_lists_the_valid_keys(tmp_path):
    """`policies[0].state: unknown key` says which keys joint_team takes."""
    path = scenario_file(
        tmp_path,
        'extends = "toy_corridor"\n[[policies]]\ntype = "joint_team"\nstate = ["MID"]\n',
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    msg = str(e.value)
    assert "policies[0].state: unknown key (did you mean 'states'?)" in msg
    assert "valid keys for joint_team: type, start, end, cost, label, states" in msg


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("colour = 1\n", ["colour: unknown key", "at the top level: name, description"]),
        (
            '[[states]]\nid = "MID"\ncapacty = 3\n',
            ["did you mean 'capacity'?", "valid keys for a state: id, name, capacity"],
        ),
        (
            '[[organisations]]\nid = "north"\nmarket = ["MKT"]\n',
            ["did you mean 'markets'?", "valid keys for an organisation:"],
        ),
        ("[params]\nexploraton = 0.1\n", ["params.exploraton", "did you mean 'exploration'?"]),
        (
            '[[policies]]\ntype = "surge"\nstate = "MIDD"\nfactor = 2\n',
            ["unknown state 'MIDD' (did you mean 'MID'?)"],
        ),
        ('[[policies]]\ntype = "surg"\n', ["unknown type 'surg' (did you mean 'surge'?)"]),
    ],
)
def test_unknown_names_in_files(tmp_path, text, needles):
    path = scenario_file(tmp_path, f'extends = "toy_corridor"\n{text}')
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert "\n" not in str(e.value)
    for needle in needles:
        assert needle in str(e.value)


def test_unknown_candidate_label_suggests():
    sc = load_scenario("central_america_cocaine")
    with pytest.raises(ScenarioError, match="no candidate 'mlatt' \\(did you mean 'mlat'\\?\\)"):
        sc.with_candidates(["mlatt"])


# ------------------------------------------------------------------- extends by name
def test_extends_a_shipped_scenario_by_name_from_any_directory(tmp_path):
    base = load_scenario("toy_corridor")
    path = scenario_file(tmp_path, 'extends = "toy_corridor"\nname = "child"\n')
    sc = load_scenario(path)
    assert sc.name == "child" and sc.data["states"] == base.data["states"]
    (tmp_path / "toy_corridor.toml").write_text('extends = "toy_corridor"\nname="local"\n')
    # a file next to the child comes first; the local file then extends the shipped one
    sc = load_scenario(scenario_file(tmp_path, 'extends = "toy_corridor.toml"\n', "c2"))
    assert sc.name == "local"
    with pytest.raises(ScenarioError, match="did you mean 'toy_corridor'"):
        load_scenario(scenario_file(tmp_path, 'extends = "toy_corridr"\n', "c3"))


# ------------------------------------------------------------------ numeric options
@pytest.mark.parametrize(
    "args",
    [
        ("run", "toy_corridor", "--seed", "-1"),
        ("run", "toy_corridor", "-r", "0"),
        ("run", "toy_corridor", "--workers", "0"),
        ("run", "toy_corridor", "--ticks", "0"),
        ("compare", "toy_corridor", "toy_surge", "-r", "1"),
        ("compare", "toy_corridor", "toy_surge", "--seed", "-3"),
        ("sensitivity", "toy_corridor", "-N", "0"),
        ("sensitivity", "toy_corridor", "--seed", "-1"),
        ("validate", "--seed", "-1"),
        ("validate", "-r", "1"),
        ("recommend", "toy_corridor", "--budget", "1M", "--seed", "-1"),
        ("recommend", "toy_corridor", "--budget", "1M", "-k", "0"),
        ("recommend", "toy_corridor", "--budget", "0"),
        ("experiment", "verify", "validation_v1", "--rtol", "-1"),
        ("experiment", "run", "validation_v1", "--workers", "0"),
        ("dashboard", "--port", "0"),
    ],
)
def test_numeric_options_one_line_exit_2(args, capsys):
    """Out-of-range numbers are usage errors: one line, exit 2, never a traceback."""
    assert main(list(args)) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert "Traceback" not in err[0]


def test_negative_seed_console_script_one_line():
    proc = subprocess.run(
        [XBORDER, "run", "toy_corridor", "--seed", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--seed" in proc.stderr


# ------------------------------------------------------------------------- version
def test_one_version_everywhere():
    import sim

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout == f"xborder {project['version']}\n"
    assert sim.__version__ == project["version"]
    cff = (ROOT / "CITATION.cff").read_text()
    assert f"\nversion: {project['version']}\n" in cff
    assert "cff-version: 1.2.0" in cff and "license: MIT" in cff
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


def test_version_fallback_reads_pyproject(monkeypatch):
    """A checkout that was never installed still knows its version."""
    import sim._version as V

    def missing(name):
        raise V.PackageNotFoundError(name)

    monkeypatch.setattr(V, "_metadata_version", missing)
    V.version.cache_clear()
    try:
        assert (
            V.version()
            == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
        )
    finally:
        V.version.cache_clear()


# ------------------------------------------------------------------ verify --rtol
def test_same_cell_tolerance():
    assert same_cell("1.0", "1.0") and not same_cell("1.0", "1.0000000001")
    assert same_cell("1.0", "1.0000000001", 1e-9) and not same_cell("1.0", "1.01", 1e-9)
    assert same_cell("nan", "nan", 1e-9) and not same_cell("nan", "1.0", 1e-9)
    assert same_cell("inf", "inf", 1e-9) and not same_cell("inf", "1e308", 1e-9)
    assert not same_cell("PAN", "PAn", 0.5)  # text compares exactly


def test_compare_folders_with_and_without_rtol(tmp_path):
    exp, got = tmp_path / "exp", tmp_path / "got"
    exp.mkdir()
    got.mkdir()
    (exp / "t.csv").write_text("state,value\nPAN,0.1\nCRI,3\n")
    (got / "t.csv").write_text("state,value\nPAN,0.10000000000000002\nCRI,3\n")
    assert compare_folders(exp, got)[1]  # exact by default
    assert compare_folders(exp, got, 1e-12) == (["t"], [])
    (got / "t.csv").write_text("state,value\nPAN,0.1001\nCRI,3\n")
    (diff,) = compare_folders(exp, got, 1e-9)[1]
    assert "column value" in diff.line()


def test_verify_rtol_on_the_command_line():
    r = invoke("experiment", "verify", "validation_v1", "--quick", "--rtol", "1e-9")
    assert r.exit_code == 0, r.output
    assert "reproduced within rtol 1e-09" in r.stdout


# ----------------------------------------------------------------------- help texts
@pytest.mark.parametrize(
    "cmd", [("--help",), ("policies", "--help"), ("new", "--help"), ("experiment", "verify")]
)
def test_new_help_fits_80_columns(cmd):
    args = [*cmd, "--help"] if cmd[-1] != "--help" else list(cmd)
    proc = subprocess.run(
        [XBORDER, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
