"""Evaluating portfolios: runs on one open executor, memoised by (portfolio, world, replicate).

A portfolio is a sorted tuple of candidate indices (``()`` is the status quo). Replicate
k of every portfolio, in every world, runs on the same seed (common random numbers),
so a portfolio's effect is a paired difference with the status quo. Searches ask for
more replicates of fewer portfolios as they go; :class:`Evaluations` runs only what is
missing, in a fixed order, so the numbers never depend on the executor or the number
of workers. With an output directory every finished run is kept in ``runs.parquet``
and reloaded by ``--resume``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError, StudyStopped
from sim.harness.outputs import PARAM_PREFIX, write_json, write_parquet
from sim.harness.progress import progress_bar
from sim.harness.runner import Run, RunResult, _value_text, execute
from sim.recommend.candidates import with_policies
from sim.scenario import Scenario

NOMINAL = -1  # world index of the scenario as given (no uncertain parameter changed)
Portfolio = tuple[int, ...]


def replicate_range(replicates: int | range) -> range:
    """Replicates ``0..n-1`` for a count, or the range itself (e.g. fresh replicates n..2n-1)."""
    return replicates if isinstance(replicates, range) else range(int(replicates))


def key_text(p: Portfolio) -> str:
    """The portfolio as a run's scenario field: ``"3,17"`` ("" for the status quo)."""
    return ",".join(map(str, p))


def parse_key(text: str) -> Portfolio:
    """Inverse of :func:`key_text`."""
    return tuple(int(x) for x in text.split(",")) if text else ()


@dataclass
class PortfolioEvaluator:
    """Run the model on the status quo plus a portfolio of candidate policies.

    The run's ``scenario`` field names the portfolio (:func:`key_text`); its ``params``
    are the world's uncertain parameter values. Only the summary metrics are returned.

    Args:
        scenario: the status quo.
        policies: candidate policies, by candidate index.
        ticks: horizon override.
    """

    scenario: Scenario
    policies: list[dict]
    ticks: int | None = None

    def __call__(self, run: Run) -> RunResult:
        """Run the model once (exceptions propagate to ``run_batch``)."""
        from sim.model import TraffickingModel

        pols = [self.policies[i] for i in parse_key(run.scenario)]
        sc = with_policies(self.scenario, pols, self.scenario.name)
        if run.params:
            sc = sc.with_overrides([f"{k}={_value_text(v)}" for k, v in run.params])
        m = TraffickingModel(sc, seed=run.seed, ticks=self.ticks).run()
        return RunResult(run.scenario, run.replicate, run.seed, summary=m.summary())

    def describe(self) -> dict:
        """For the manifest."""
        return {"evaluator": "portfolio", "ticks": self.ticks}


@dataclass
class Evaluations:
    """Memoised runs of portfolios on an open executor.

    Args:
        evaluator: the :class:`PortfolioEvaluator`.
        pool: an open :class:`~sim.harness.executors.Pool`.
        seeds: run seed of replicate k (shared by every portfolio and world).
        metric: the metric the search reads.
        labels: candidate labels (for runs.parquet).
        out: output directory (runs.parquet kept up to date), or None.
        progress: draw progress bars.
    """

    evaluator: PortfolioEvaluator
    pool: object
    seeds: list[int]
    metric: str
    labels: list[str]
    out: Path | None = None
    progress: bool = False
    worlds: list[tuple[tuple[str, float], ...]] = field(default_factory=list)
    cache: dict[tuple[Portfolio, int, int], dict] = field(default_factory=dict)
    runs_done: int = 0

    def preload(self, runs: pd.DataFrame) -> None:
        """Take finished runs from an earlier, interrupted attempt (``--resume``)."""
        ok = runs[runs["status"] == "ok"]
        metrics = [c for c in ok.columns if c not in _ID_COLUMNS and not c.startswith(PARAM_PREFIX)]
        for row in ok.to_dict("records"):
            k = (parse_key(row["portfolio_key"]), int(row["point"]), int(row["replicate"]))
            self.cache[k] = {m: row[m] for m in metrics}

    def ensure(
        self, portfolios: list[Portfolio], replicates: int | range, world: int = NOMINAL, what=""
    ):
        """Run whatever is missing of ``replicates`` replicates of each portfolio in ``world``.

        Raises:
            HarnessError: more replicates than seeds.
            StudyStopped: the executor failed, or every replicate of a portfolio failed.
        """
        self.ensure_many([(p, world) for p in portfolios], replicates, what)

    def ensure_many(self, items: list[tuple[Portfolio, int]], replicates: int | range, what=""):
        """:meth:`ensure` for (portfolio, world) pairs at once (one executor round)."""
        reps = replicate_range(replicates)
        if len(reps) and reps[-1] >= len(self.seeds):
            raise HarnessError(f"asked for replicate {reps[-1]}, only {len(self.seeds)} seeds")
        # the status quo of every world goes along: every benefit is paired with it
        items = [*[((), w) for _, w in items], *items]
        todo = [
            (p, w, k) for p, w in dict.fromkeys(items) for k in reps if (p, w, k) not in self.cache
        ]
        if not todo:
            return
        runs = [
            Run(i, key_text(p), k, self.seeds[k], point=w, params=self.worlds[w] if w >= 0 else ())
            for i, (p, w, k) in enumerate(todo)
        ]
        failed: list[RunResult] = []

        def keep(batch):
            for r in batch:
                if r.status == "ok":
                    self.cache[(parse_key(r.scenario), r.point, r.replicate)] = r.summary
                else:
                    failed.append(r)
            self.runs_done += len(batch)
            advance(len(batch))

        try:
            with progress_bar(len(runs), what or "portfolios", 0, self.progress) as advance:
                execute(runs, self.evaluator, self.pool.executor, self.pool.slots, keep)
        finally:  # also when interrupted: finished runs are kept for --resume
            if self.out is not None:
                self._write()
        if failed:
            first = failed[0]
            which = self.name(parse_key(first.scenario))
            raise StudyStopped(
                f"{len(failed)} runs failed; first: portfolio {which}, "
                f"replicate {first.replicate}: {first.error}"
            )

    def values(
        self, p: Portfolio, replicates: int | range, world: int = NOMINAL, metric: str = ""
    ) -> np.ndarray:
        """Per replicate: a metric (default: the search's) of a portfolio."""
        m = metric or self.metric
        reps = replicate_range(replicates)
        return np.array([self.cache[(p, world, k)][m] for k in reps], dtype=float)

    def replicates_of(self, p: Portfolio, world: int = NOMINAL) -> int:
        """How many replicates (0, 1, ...) of a portfolio are in the cache, counting up."""
        k = 0
        while (p, world, k) in self.cache:
            k += 1
        return k

    def benefit(self, p: Portfolio, replicates: int | range, sign: float, world: int = NOMINAL):
        """Per replicate: sign x (portfolio - status quo); positive is better."""
        return sign * (self.values(p, replicates, world) - self.values((), replicates, world))

    def name(self, p: Portfolio) -> str:
        """Human label of a portfolio."""
        return " + ".join(self.labels[i] for i in p) if p else "status quo"

    def frame(self) -> pd.DataFrame:
        """Every finished run, one row each (the runs.parquet table)."""
        rows = []
        names = [k for k, _ in self.worlds[0]] if self.worlds else []
        for (p, w, k), summary in sorted(self.cache.items()):
            row = {
                "portfolio": self.name(p),
                "portfolio_key": key_text(p),
                "point": w,
                "replicate": k,
                "seed": self.seeds[k],
                "status": "ok",
            }
            vals = dict(self.worlds[w]) if w >= 0 else {}
            row.update({f"{PARAM_PREFIX}{n}": vals.get(n, np.nan) for n in names})
            row.update(summary)
            rows.append(row)
        return pd.DataFrame(rows)

    def _write(self) -> None:
        out = Path(self.out)
        write_parquet(out / "runs.parquet", self.frame())
        man = out / "manifest.json"
        try:
            doc = json.loads(man.read_text())
        except (OSError, ValueError):
            return
        if doc.get("state") == "running":
            doc["runs_done"] = len(self.cache)
            write_json(man, doc)


_ID_COLUMNS = ("portfolio", "portfolio_key", "point", "replicate", "seed", "status")


#: what a recommend study writes in ``--out`` (and ``--force`` deletes first)
STUDY_FILES = ("runs.parquet", "recommend.json", "summary.csv", "worlds.parquet")


def open_store(
    out: Path | None, settings: dict, resume: bool, force: bool = False
) -> pd.DataFrame | None:
    """Prepare ``out``: refuse to overwrite another study; on resume, return its runs.

    A directory that is not empty must hold a study (a ``manifest.json``). Without
    ``resume`` a study there is refused, unless ``force``: then its files are deleted
    first (runs, tables, figures, discover documents) and the study starts afresh.

    Raises:
        HarnessError: ``out`` holds a study (without ``resume`` or ``force``), a study
            with other settings (``resume``), files but no study, or cannot be written.
    """
    if out is None:
        return None
    out = Path(out)
    man = out / "manifest.json"
    try:
        old = json.loads(man.read_text()) if man.is_file() else None
    except (OSError, ValueError):
        old = None
    if old is None and out.is_dir() and any(out.iterdir()):
        raise HarnessError(
            f"--out {out}: not empty and holds no study (no manifest.json); "
            "choose a new or empty directory"
        )
    if old is not None and force and not resume:
        for name in (*STUDY_FILES, "manifest.json"):
            (out / name).unlink(missing_ok=True)
        for doc in out.glob("discover_*.json"):
            doc.unlink(missing_ok=True)
        shutil.rmtree(out / "figures", ignore_errors=True)
        old = None
    if old is not None and not resume:
        raise HarnessError(
            f"--out {out}: already holds a study; --force replaces it, --resume continues it "
            "with its own settings"
        )
    if resume and old is not None:
        if json.loads(json.dumps(settings, default=str)) != old.get("settings"):
            raise HarnessError(f"--out {out}: --resume: the settings differ from the saved study")
        runs = out / "runs.parquet"
        return pd.read_parquet(runs) if runs.is_file() else None
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_json(man, {"kind": "recommend", "settings": settings, "state": "running"})
    except OSError as e:
        raise HarnessError(f"--out {out}: cannot write ({e.strerror})") from None
    return None


__all__ = [
    "Evaluations",
    "NOMINAL",
    "PortfolioEvaluator",
    "key_text",
    "open_store",
    "parse_key",
    "replicate_range",
]
