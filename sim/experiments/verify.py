"""Verifying experiments: re-run one and compare its tables exactly with the committed ones.

The expected tables live in ``experiments/expected/NAME/{full,quick}/``; every cell
is compared as text (:mod:`sim.experiments.tables`), or, given a relative tolerance
``rtol`` (reproducing on another platform, where the last bits of a float may
differ), numeric cells as numbers within it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sim.experiments.registry import (
    ExperimentError,
    ExperimentResult,
    list_experiments,
    load_experiment,
    run_experiment,
)
from sim.experiments.tables import Difference, compare_folders


@dataclass
class VerifyResult:
    """The comparison of a re-run with the committed expected tables.

    Attributes:
        name: the experiment.
        mode: "full" or "quick".
        expected_dir: the committed tables.
        out: where the re-run wrote its tables.
        tables: the tables compared.
        differences: every difference found (empty: reproduced exactly).
        seconds: the re-run's wall time.
        rtol: the relative tolerance of numeric cells (0: exact).
    """

    name: str
    mode: str
    expected_dir: Path
    out: Path
    tables: list[str]
    differences: list[Difference]
    seconds: float = 0.0
    rtol: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every table matched exactly."""
        return not self.differences

    def lines(self) -> list[str]:
        """What to print: one line per difference, or one line saying all matched."""
        how = f"within rtol {self.rtol:g}" if self.rtol else "exactly"
        if self.ok:
            return [
                f"{self.name} ({self.mode}): {len(self.tables)} tables reproduced {how} "
                f"({', '.join(f'{t}.csv' for t in self.tables)}) in {self.seconds:.1f} s"
            ]
        differ = f"differ (beyond rtol {self.rtol:g})" if self.rtol else "differ"
        head = f"{self.name} ({self.mode}): tables {differ} from {self.expected_dir}"
        return [head, *(d.line() for d in self.differences)]


def verify_experiment(
    name: str | Path,
    quick: bool = False,
    workers: int | None = None,
    out: str | Path | None = None,
    *,
    progress: bool = False,
    command: list[str] | None = None,
    rtol: float = 0.0,
) -> VerifyResult:
    """Re-run an experiment (tables only) and compare every table with the expected.

    Cells compare exactly, or numeric ones within the relative tolerance ``rtol``.

    Raises:
        ExperimentError: bad experiment, a negative ``rtol``, or no expected tables
            committed for this mode.
    """
    if not rtol >= 0:
        raise ExperimentError(Path(str(name)), "--rtol", f"must be >= 0, got {rtol}")
    exp = load_experiment(name, quick)
    expected = exp.expected_dir
    if not any(expected.glob("*.csv")):
        flag = " --quick" if quick else ""
        raise ExperimentError(
            expected,
            "",
            f"no expected tables; write them with "
            f"`xborder experiment run {exp.name}{flag} --update-expected`",
        )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"xborder-verify-{exp.name}-") as tmp:
        where = Path(out) if out is not None else Path(tmp)
        run_experiment(
            exp.path,
            quick,
            workers,
            where,
            figures=False,
            progress=progress,
            command=command,
        )
        tables, diffs = compare_folders(expected, where / "tables", rtol)
    return VerifyResult(
        exp.name, exp.mode, expected, where, tables, diffs, time.perf_counter() - t0, rtol
    )


def update_expected(
    names: list[str] | None = None,
    full: bool | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> list[ExperimentResult]:
    """Regenerate the committed expected tables of ``names`` (default: every experiment).

    Quick tables always; full tables when ``full`` is True, never when False, and when
    None only where full tables are already committed (so one call refreshes all).
    """
    exps = [load_experiment(n) for n in names] if names else list_experiments()
    done = []
    for exp in exps:
        has_full = any(exp.expected_dir.glob("*.csv"))
        modes = (True, False) if (full or (full is None and has_full)) else (True,)
        for quick in modes:
            done.append(
                run_experiment(
                    exp.path,
                    quick,
                    workers,
                    figures=False,
                    progress=progress,
                    update_expected=True,
                )
            )
    return done


__all__ = ["VerifyResult", "update_expected", "verify_experiment"]
