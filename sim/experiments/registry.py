"""Reproducible experiments: one TOML file per study in ``experiments/``.

An experiment file names a kind (``validation``, ``portfolio``, ``sensitivity``),
its settings (scenario, replicates, seed, ticks, ...), the figure recipes that draw
it, and a ``[quick]`` table of smaller settings for a fast version. Running it writes
under ``outputs/experiments/NAME/{full,quick}/`` (or ``out``)::

    tables/*.csv      exact CSV (floats as shortest round-trip repr)
    figures/*.png|svg drawn by plots/<recipe>.py from the tables only
    manifest.json     command, experiment file, seeds, package versions, git commit, times

``verify`` re-runs it and compares every table, cell by cell as text, with the
expected tables committed in ``experiments/expected/NAME/{full,quick}/``
(:mod:`sim.experiments.verify`)::

    from sim.experiments import list_experiments, run_experiment, verify_experiment
    res = run_experiment("agreements_portfolio", quick=True)
    res.tables["effects"]
    verify_experiment("agreements_portfolio", quick=True).ok
"""

from __future__ import annotations

import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.experiments.kinds import COMMON, KINDS, QUICK, RUNNERS
from sim.experiments.tables import draw_figures, load_recipe, read_tables, write_tables
from sim.harness.executors import HarnessError
from sim.harness.outputs import git_commit, now, versions, write_json
from sim.resources import shipped
from sim.suggest import did_you_mean

EXPERIMENT_DIR = shipped("experiments")
EXPECTED_DIR = EXPERIMENT_DIR / "expected"
#: default output root, relative to the working directory
OUTPUT_DIR = Path("outputs") / "experiments"


class ExperimentError(HarnessError):
    """A problem with an experiment file: one line naming the file, the key and the problem."""

    def __init__(self, file, key: str, problem: str):
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass
class Experiment:
    """A validated experiment file, with the full or quick settings resolved.

    Attributes:
        name: the experiment's name (the file's stem).
        path: the experiment file.
        data: the settings in force (``[quick]`` merged in when quick).
        text: the file's contents (recorded in the manifest).
        quick: whether these are the quick settings.
    """

    name: str
    path: Path
    data: dict
    text: str
    quick: bool = False

    kind = property(lambda self: self.data["kind"])
    description = property(lambda self: self.data["description"])
    seed = property(lambda self: int(self.data.get("seed", 0)))
    figures = property(lambda self: list(self.data.get("figures", [])))

    @property
    def replicates(self) -> int:  # noqa: D102
        return int(self.data.get("replicates", 10))

    @property
    def mode(self) -> str:
        """The settings in force: quick or full."""
        return "quick" if self.quick else "full"

    @property
    def expected_dir(self) -> Path:
        """Where the committed expected tables of this mode live."""
        return EXPECTED_DIR / self.name / self.mode

    @property
    def default_out(self) -> Path:
        """``outputs/experiments/NAME/MODE``."""
        return OUTPUT_DIR / self.name / self.mode


# ----------------------------------------------------------------------------- loading
def resolve_experiment(name_or_path: str | Path) -> Path:
    """An experiment file from a path, or the name of one in ``experiments/``."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or len(p.parts) > 1:
        if p.is_file():
            return p
        raise ExperimentError(p, "", "no such experiment file")
    cand = EXPERIMENT_DIR / f"{p}.toml"
    if cand.is_file():
        return cand
    names = [e.stem for e in sorted(EXPERIMENT_DIR.glob("*.toml"))]
    hint = did_you_mean(str(name_or_path), names)
    known = f" (known: {', '.join(names) or 'none'})"
    raise ExperimentError(name_or_path, "", f"no such experiment{hint or known}")


def _check(path: Path, data: dict, schema: dict, where: str = "") -> None:
    for key, value in data.items():
        if key not in schema:
            raise ExperimentError(path, where + key, f"unknown key (known: {', '.join(schema)})")
        kind = schema[key][0] if isinstance(schema[key], tuple) else schema[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            raise ExperimentError(
                path, where + key, f"expected {kind.__name__}, got {type(value).__name__}"
            )
        if kind is int and value < (0 if key == "seed" else 1):
            raise ExperimentError(path, where + key, f"must be positive, got {value}")
    for key, spec in schema.items():
        if isinstance(spec, tuple) and spec[1] and key not in data:
            raise ExperimentError(path, where + key, "missing")


def _validate(path: Path, data: dict) -> None:
    kind = data.get("kind")
    if kind not in KINDS:
        raise ExperimentError(path, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    _check(path, data, {**COMMON, **KINDS[kind]})
    _check(path, data.get("quick", {}), QUICK, "quick.")
    if data["name"] != path.stem:
        raise ExperimentError(path, "name", f"{data['name']!r} must match the file name")
    for key in ("figures", "levers", "metrics", "params"):
        if not all(isinstance(v, str) for v in data.get(key, [])):
            raise ExperimentError(path, key, "expected a list of strings")
    if kind == "portfolio":
        for key, reps in (
            ("replicates", data.get("replicates")),
            ("quick.replicates", data.get("quick", {}).get("replicates")),
        ):
            if reps is not None and reps < 2:
                raise ExperimentError(path, key, f"a paired comparison needs 2 or more, got {reps}")
    if kind == "sensitivity" and "emulator" in data:
        from sim.harness.emulator import KINDS as EMULATORS

        if data["emulator"] not in EMULATORS:
            raise ExperimentError(
                path, "emulator", f"{data['emulator']!r} is not one of {', '.join(EMULATORS)}"
            )
        if data.get("method", "sobol") != "sobol":
            raise ExperimentError(
                path, "method", "an emulator gives Sobol indices; drop method or emulator"
            )
    if data.get("metrics"):
        from sim.metrics import REGISTRY

        for m in data["metrics"]:
            if m not in REGISTRY:
                raise ExperimentError(path, "metrics", f"unknown metric {m!r}")


def load_experiment(name_or_path: str | Path, quick: bool = False) -> Experiment:
    """Read and validate an experiment file; ``quick`` merges its ``[quick]`` table.

    Raises:
        ExperimentError: unreadable file, unknown kind or key, wrong type (one line).
    """
    path = resolve_experiment(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as e:
        raise ExperimentError(path, "", f"cannot read ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ExperimentError(path, "", f"not valid TOML ({e})") from None
    _validate(path, data)
    settings = {k: v for k, v in data.items() if k != "quick"}
    if quick:
        settings.update(data.get("quick", {}))
    return Experiment(path.stem, path, settings, text, quick)


def list_experiments() -> list[Experiment]:
    """Every experiment file in ``experiments/`` (full settings), sorted by name."""
    return [load_experiment(p) for p in sorted(EXPERIMENT_DIR.glob("*.toml"))]


# ----------------------------------------------------------------------------- running
@dataclass
class ExperimentResult:
    """What a run produced.

    Attributes:
        experiment: the experiment (settings in force).
        tables: name -> DataFrame, as written to ``out/tables/<name>.csv``.
        figures: figure files written.
        manifest: the manifest written to ``out/manifest.json``.
        out: the output directory.
        summary: one line for the terminal.
        passed: a validation row's verdict (None for other kinds).
    """

    experiment: Experiment
    tables: dict[str, pd.DataFrame]
    figures: list[Path] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    out: Path | None = None
    summary: str = ""
    passed: bool | None = None


def run_experiment(
    name: str | Path,
    quick: bool = False,
    workers: int | None = None,
    out: str | Path | None = None,
    *,
    figures: bool = True,
    progress: bool = False,
    update_expected: bool = False,
    command: list[str] | None = None,
) -> ExperimentResult:
    """Run an experiment and write its tables, figures and manifest.

    Args:
        name: an experiment's name (``experiments/NAME.toml``) or file.
        quick: the ``[quick]`` settings (seconds; for tests and trying things out).
        workers: local processes (default: cores; 1: serial). Results do not depend on it.
        out: output directory (default ``outputs/experiments/NAME/{full,quick}``).
        figures: draw the figure recipes (checked before the study starts).
        progress: progress bars on stderr.
        update_expected: also write the tables as the committed expected tables.
        command: the command recorded in the manifest (default ``sys.argv``).

    Raises:
        ExperimentError: a bad experiment file, check or recipe name (before running).
    """
    exp = load_experiment(name, quick)
    if figures:
        for recipe in exp.figures:
            load_recipe(recipe, f"{exp.path}: figures")
    out = Path(out) if out is not None else exp.default_out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExperimentError(out, "", f"--out: cannot create the directory ({e})") from None
    started, t0 = now(), time.perf_counter()
    result = RUNNERS[exp.kind](exp, workers, progress)
    seconds = time.perf_counter() - t0
    written = write_tables(result.tables, out / "tables")
    if update_expected:
        write_tables(result.tables, exp.expected_dir)
    manifest = {
        "experiment": exp.name,
        "kind": exp.kind,
        "mode": exp.mode,
        "command": list(command if command is not None else sys.argv),
        "experiment_file": str(exp.path),
        "experiment_text": exp.text,
        "settings": exp.data,
        "root_seed": exp.seed,
        **result.provenance,
        "tables": written,
        "figures": [],
        "versions": versions(),
        "git_commit": git_commit(),
        "workers": workers,
        "started": started,
        "finished": now(),
        "seconds": round(seconds, 2),
    }
    write_json(out / "manifest.json", manifest)
    res = ExperimentResult(
        exp, result.tables, [], manifest, out, result.summary, result.provenance.get("passed")
    )
    if figures and exp.figures:
        res.figures = draw_figures(exp.figures, read_tables(out / "tables"), out / "figures")
        manifest["figures"] = [str(p.relative_to(out)) for p in res.figures]
        write_json(out / "manifest.json", manifest)
    return res


def plot_experiment(
    name: str | Path, quick: bool = False, out: str | Path | None = None
) -> list[Path]:
    """Redraw an experiment's figures from the tables of a finished run (no re-run)."""
    exp = load_experiment(name, quick)
    out = Path(out) if out is not None else exp.default_out
    tables = read_tables(out / "tables")
    if not tables:
        raise ExperimentError(
            out / "tables",
            "",
            f"no tables; run it first: xborder experiment run {exp.name}"
            + (" --quick" if quick else ""),
        )
    return draw_figures(exp.figures, tables, out / "figures")


__all__ = [
    "EXPECTED_DIR",
    "EXPERIMENT_DIR",
    "Experiment",
    "ExperimentError",
    "ExperimentResult",
    "list_experiments",
    "load_experiment",
    "plot_experiment",
    "run_experiment",
]
