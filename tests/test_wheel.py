"""The built wheel is self-contained: installed, it finds its scenarios, experiments and recipes.

How the wheel is checked (once per module, 5-15 s; pip needs PyPI, or its cache, for the
build backend):

1. ``python -m pip wheel --no-deps`` builds it from the checkout (pip fetches the build
   backend, hatchling, into an isolated build environment).
2. A fresh venv (``python -m venv --without-pip``, the interpreter running the tests) gets
   the wheel alone: ``pip --python VENV install --no-deps``.
3. Its dependencies are not downloaded again: a ``.pth`` file in the fresh venv appends the
   project venv's site-packages to ``sys.path``. A path listed in a ``.pth`` file is not
   itself scanned for ``.pth`` files, so the editable install of the checkout stays
   inactive there; the wheel's own ``sim`` (in the fresh venv's site-packages, earlier on
   ``sys.path``) is the one imported, which every test asserts.
4. Commands run from an empty temporary directory, with no ``PYTHONPATH``, so nothing can
   come from the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

SHIPPED = ("scenarios", "experiments", "plots")
PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def _run(cmd: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _venv(where: Path, *install: str | Path) -> tuple[Path, Path]:
    """A fresh venv with ``pip install --no-deps *install``; the project venv's packages on
    its path through a ``.pth`` file. Returns (its python, its site-packages)."""
    venv = where / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv], where))
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps"]
    _ok(_run([*pip, *install], where))
    site = Path(_ok(_run([python, "-c", PURELIB], where)).strip())
    (site / "_xborder_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel built from the checkout, installed alone into a fresh venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT], tmp))
    (wheel,) = dist.glob("xborder-*.whl")
    python, site = _venv(tmp, wheel)
    empty = tmp / "empty"
    empty.mkdir()
    return {"wheel": wheel, "venv": tmp / "venv", "python": python, "site": site, "cwd": empty}


def test_wheel_holds_the_package_and_the_shipped_files(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "sim/__init__.py" in names and "sim/resources.py" in names
    assert "sim/_shipped/scenarios/central_america_cocaine.toml" in names
    assert "sim/_shipped/experiments/validation_v1.toml" in names
    assert any(
        n.startswith("sim/_shipped/experiments/expected/validation_v1/quick/") for n in names
    )
    assert "sim/_shipped/plots/validation_v1.py" in names
    for kind in SHIPPED:  # every shipped file of the checkout, nothing else at the top level
        for f in (ROOT / kind).rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts:
                assert f"sim/_shipped/{f.relative_to(ROOT).as_posix()}" in names, f
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"sim"}
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_installed_package_finds_its_scenarios(installed):
    code = """if True:
        import json, sim
        from sim.resources import shipped
        from sim.scenario import SCENARIO_DIR, list_scenarios, load_scenario
        names = {name: str(path) for name, _desc, path in list_scenarios()}
        sc = load_scenario("central_america_cocaine")
        print(json.dumps({
            "sim": sim.__file__,
            "scenario_dir": str(SCENARIO_DIR),
            "names": names,
            "loaded": str(sc.path),
            "orgs": len(sc.data["organisations"]),
            "shipped": {k: str(shipped(k)) for k in ("scenarios", "experiments", "plots")},
        }))
    """
    out = json.loads(_ok(_run([installed["python"], "-c", code], installed["cwd"])))
    site = installed["site"]
    package = site / "sim"
    assert Path(out["sim"]) == package / "__init__.py", "sim came from the checkout, not the wheel"
    assert Path(out["scenario_dir"]) == package / "_shipped" / "scenarios"
    assert "central_america_cocaine" in out["names"] and "toy_corridor" in out["names"]
    assert Path(out["names"]["central_america_cocaine"]).is_relative_to(installed["venv"])
    assert Path(out["loaded"]).is_relative_to(package / "_shipped" / "scenarios")
    assert out["orgs"] >= 1
    for kind in SHIPPED:
        assert Path(out["shipped"][kind]) == package / "_shipped" / kind
        assert any((package / "_shipped" / kind).iterdir()), kind


def test_installed_version_and_a_new_scenario_extending_a_shipped_one(installed):
    """The wheel knows its version (pyproject's), and a file written by ``xborder new``
    in an empty directory extends a shipped scenario by name."""
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    xborder, cwd = installed["venv"] / "bin" / "xborder", installed["cwd"] / "new"
    cwd.mkdir()
    assert _ok(_run([xborder, "--version"], cwd)) == f"xborder {version}\n"
    code = "import sim; print(sim.__version__, sim.__file__)"
    got, init = _ok(_run([installed["python"], "-c", code], cwd)).split()
    assert got == version and Path(init).is_relative_to(installed["site"])
    _ok(_run([xborder, "new", "mine", "--from", "toy_corridor"], cwd))
    out = _ok(_run([xborder, "describe", "mine.toml"], cwd))
    assert "mine" in out and "Midland" in out


def test_editable_install_uses_the_checkout(tmp_path):
    """``pip install -e`` (as the Makefile does) puts the checkout on sys.path, copies nothing."""
    python, site = _venv(tmp_path, "-e", ROOT)
    assert not (site / "sim").exists(), "the editable install copied files into site-packages"
    empty = tmp_path / "empty"
    empty.mkdir()
    code = "import sim, sim.scenario as S; print(sim.__file__); print(S.SCENARIO_DIR)"
    init, scenarios = _ok(_run([python, "-c", code], empty)).split()
    assert Path(init) == ROOT / "sim" / "__init__.py"
    assert Path(scenarios) == ROOT / "scenarios"


@pytest.mark.slow
def test_installed_console_script_runs_from_an_empty_directory(installed):
    """The four commands of a first session, from an empty directory.

    25-50 s on the 2-core machine, plus ~10 s to build and install the wheel: slow.
    """
    xborder, cwd = installed["venv"] / "bin" / "xborder", installed["cwd"]
    assert xborder.exists()
    out = _ok(_run([xborder, "scenarios"], cwd))
    assert "central_america_cocaine" in out and "toy_corridor" in out

    out = _ok(_run([xborder, "run", "central_america_cocaine", "-r", "2"], cwd))
    assert "interdiction_rate" in out and "delivered" in out

    out = _ok(_run([xborder, "experiment", "run", "validation_v1", "--quick"], cwd))
    tables = cwd / "outputs" / "experiments" / "validation_v1" / "quick" / "tables"
    assert (tables / "verdict.csv").is_file(), out
    manifest = cwd / "outputs" / "experiments" / "validation_v1" / "quick" / "manifest.json"
    assert manifest.is_file()

    proc = _run([xborder, "validate", "--only", "V14"], cwd)
    out = _ok(proc)
    assert "V14" in out and "pass" in out
    assert "Traceback" not in proc.stderr
