"""Experiment tables as exact CSV, their cell-by-cell comparison, and figure recipes.

Tables are written so that reading them back gives the same numbers bit for bit:
every float is written as its shortest round-trip ``repr`` (17 significant digits at
most), integers as integers, booleans as ``True``/``False``. ``verify`` compares the
cells as text, so a seeded result reproduces only if every number is identical.

A figure recipe is a file ``plots/<recipe>.py`` with
``draw(tables: dict[str, DataFrame], out_dir: Path) -> list[Path]`` that reads only
the tables and draws each figure with :mod:`sim.plotting` (PNG and SVG); recipes are
loaded by file path (``plots/`` is not a package), so this module imports no plotting.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.resources import shipped

#: differing cells listed per table before the rest are only counted
MAX_LISTED = 10


def cell(v) -> str:
    """The exact text of one value (floats: shortest round-trip repr)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, bool | np.bool_):
        return "True" if v else "False"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        return repr(float(v))
    return str(v)


def write_table(df: pd.DataFrame, path: Path) -> str:
    """Write ``df`` as exact CSV (no index); return the file's sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [[str(c) for c in df.columns]]
    rows += [[cell(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    tmp.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, dict]:
    """Write every table as ``folder/<name>.csv``, removing stale CSVs; rows and sha256 each."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        if old.stem not in tables:
            old.unlink()
    return {
        name: {"rows": len(df), "sha256": write_table(df, folder / f"{name}.csv")}
        for name, df in tables.items()
    }


def read_text_table(path: Path) -> list[list[str]]:
    """A CSV as rows of cell texts (header first)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every ``folder/*.csv`` as a DataFrame, by file stem."""
    return {p.stem: pd.read_csv(p) for p in sorted(Path(folder).glob("*.csv"))}


# ------------------------------------------------------------------------ comparison
@dataclass
class Difference:
    """One way a produced table differs from its expected version."""

    table: str
    where: str
    expected: str = ""
    got: str = ""

    def line(self) -> str:
        """One line for the terminal."""
        if not self.expected and not self.got:
            return f"{self.table}: {self.where}"
        return f"{self.table}: {self.where}: expected {self.expected}, got {self.got}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _row_label(header: list[str], row: list[str], i: int) -> str:
    keys = [
        f"{h}={v}"
        for h, v in zip(header, row)
        if v and not _is_number(v) and v not in ("True", "False")
    ][:3]
    return f"row {i}" + (f" ({', '.join(keys)})" if keys else "")


def same_cell(x: str, y: str, rtol: float = 0.0) -> bool:
    """Whether two cell texts agree: exactly, or (``rtol`` > 0) as numbers within ``rtol``.

    With a tolerance, two numbers agree when ``|x - y| <= rtol * max(|x|, |y|)``; two
    NaNs agree, infinities only with themselves; text cells still compare exactly.
    """
    if x == y:
        return True
    if rtol <= 0 or not (_is_number(x) and _is_number(y)):
        return False
    a, b = float(x), float(y)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    if np.isinf(a) or np.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b))


def compare_table(name: str, expected: Path, got: Path, rtol: float = 0.0) -> list[Difference]:
    """Cell-by-cell comparison of two CSV files, exact unless ``rtol``; [] when the same."""
    table = f"{name}.csv"
    exp, new = read_text_table(expected), read_text_table(got)
    if not exp or not new:
        return [] if exp == new else [Difference(table, "one of the files is empty")]
    if exp[0] != new[0]:
        return [Difference(table, "columns", ",".join(exp[0]), ",".join(new[0]))]
    header, diffs = exp[0], []
    if len(exp) != len(new):
        diffs.append(Difference(table, "number of rows", str(len(exp) - 1), str(len(new) - 1)))
    count = 0
    for i, (a, b) in enumerate(zip(exp[1:], new[1:]), start=1):
        for col, x, y in zip(header, a, b):
            if not same_cell(x, y, rtol):
                count += 1
                if count <= MAX_LISTED:
                    where = f"{_row_label(header, a, i)} column {col}"
                    diffs.append(Difference(table, where, x, y))
    if count > MAX_LISTED:
        diffs.append(Difference(table, f"... and {count - MAX_LISTED} more differing cells"))
    return diffs


def compare_folders(
    expected: Path, got: Path, rtol: float = 0.0
) -> tuple[list[str], list[Difference]]:
    """Compare every expected table with the produced one; (tables compared, differences).

    Numbers compare exactly, or within the relative tolerance ``rtol`` (:func:`same_cell`).
    """
    exp = {p.stem for p in expected.glob("*.csv")}
    new = {p.stem for p in got.glob("*.csv")}
    diffs = [Difference(f"{n}.csv", "expected but not produced") for n in sorted(exp - new)]
    diffs += [Difference(f"{n}.csv", "produced but not expected") for n in sorted(new - exp)]
    for n in sorted(exp & new):
        diffs += compare_table(n, expected / f"{n}.csv", got / f"{n}.csv", rtol)
    return sorted(exp & new), diffs


# --------------------------------------------------------------------------- recipes
def recipe_path(recipe: str) -> Path:
    """``plots/<recipe>.py`` (the shipped recipes: :func:`sim.resources.shipped`)."""
    return shipped("plots") / f"{recipe}.py"


def load_recipe(recipe: str, where: str = "figures"):
    """The ``draw`` function of ``plots/<recipe>.py``; HarnessError if missing or malformed."""
    path = recipe_path(recipe)
    if not path.is_file():
        raise HarnessError(f"{where}: no figure recipe {recipe!r} ({path} does not exist)")
    spec = importlib.util.spec_from_file_location(f"xborder_plots_{recipe}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # a recipe that does not import is the recipe's bug, said in a line
        raise HarnessError(f"{path}: cannot load the recipe ({type(e).__name__}: {e})") from None
    draw = getattr(module, "draw", None)
    if not callable(draw):
        raise HarnessError(f"{path}: draw: a recipe must define draw(tables, out_dir)")
    return draw


def draw_figures(recipes: list[str], tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw every recipe from ``tables`` into ``out_dir``; the paths written.

    The matplotlib backend is the program's choice (``xborder`` uses Agg).

    Raises:
        HarnessError: a recipe is missing, or failed (the message names it).
    """
    draws = [(r, load_recipe(r)) for r in recipes]
    paths: list[Path] = []
    for recipe, draw in draws:
        try:
            paths += [Path(p) for p in draw(tables, Path(out_dir)) or []]
        except Exception as e:  # report which recipe broke on which tables, in one line
            msg = str(e).splitlines()[0] if str(e) else ""
            raise HarnessError(
                f"{recipe_path(recipe)}: drawing failed ({type(e).__name__}: {msg})"
            ) from None
    return paths
