"""One round of the treaty game: the runs on common seeds, the league table, the study.

:func:`play_round` first asks the recommender (:func:`sim.recommend.recommend`) for
its portfolio under the same budget and the same menu, searching on seeds of its own
(root seed + 1), then runs the status quo, every team's portfolio and the
recommender's with :func:`sim.harness.comparison.compare`: replicate k of every arm
gets the same run seed, and each arm is compared with the status quo pairwise
(mean paired difference, Student-t 95% interval). The league table keeps, per arm,
the change in ``delivered``, ``seized``, ``safe_haven_leaders`` (leaders out of
reach) and ``policy_cost``, ranked by the change in delivered (lower is better).

The recommender prices a candidate by its total cost over the horizon; here each
candidate is priced at its cost per year for the whole horizon (and the budget
likewise), so the recommender's budget rule is exactly the teams' (summed cost per
year at most the budget). Its runs are not saved; its portfolio's row in the league
is measured on the league's seeds, like the teams'.

The round's directory is a compare study (``manifest.json``, ``runs.parquet``,
``timeseries.parquet``, event tables, ``summary.csv``, ``compare.json``) plus
``league.parquet`` (the league table) and ``workshop.json`` (settings, portfolios,
league, the recommender's pick); the manifest gains a ``workshop`` section.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.comparison import compare
from sim.harness.outputs import clean, write_json, write_parquet
from sim.metrics import REGISTRY
from sim.recommend.candidates import WEEKS_PER_YEAR, Candidate, with_policies
from sim.scenario import Scenario

STATUS_QUO = "status quo"
RECOMMENDER = "recommender"
#: League metrics and their names in the page.
METRICS = {
    "delivered": "delivered",
    "seized": "seized",
    "safe_haven_leaders": "leaders out of reach",
    "policy_cost": "policy cost",
}
INTERVAL = (
    "paired difference with the status quo on the same seeds: mean and Student-t 95% interval"
)


@dataclass
class RoundResult:
    """What a round produced.

    Attributes:
        number: the round's number in this game.
        league: one row per arm (teams, then the recommender), ranked by delivered.
        status_quo: per league metric, the status quo's mean over the replicates.
        recommender: the recommender's pick (agreements, cost, its own verdict).
        settings: budget, replicates, seed, horizon, unit, portfolios.
        out: the study directory (None when not saved).
        seconds: wall-clock time of the round.
    """

    number: int
    league: pd.DataFrame
    status_quo: dict
    recommender: dict
    settings: dict = field(default_factory=dict)
    out: Path | None = None
    seconds: float = 0.0

    @property
    def unit(self) -> str:
        """The quantity unit (kg, firearms)."""
        return self.settings.get("unit", "kg")

    def teams(self) -> pd.DataFrame:
        """The league without the recommender's row (before the reveal)."""
        return self.league[self.league["kind"] == "team"]

    def to_dict(self) -> dict:
        """The ``workshop.json`` document."""
        return clean(
            {
                "round": self.number,
                "settings": self.settings,
                "interval": INTERVAL,
                "status_quo": self.status_quo,
                "league": self.league.to_dict("records"),
                "recommender": self.recommender,
                "seconds": self.seconds,
            }
        )


def priced_by_year(sc: Scenario, menu: list[Candidate], horizon: int) -> Scenario:
    """A copy whose candidates cost ``cost per year x horizon / weeks in force`` a year.

    Their total over the horizon is then the cost per year x horizon / 52 whatever
    their start, so a total budget of ``budget x horizon / 52`` admits exactly the
    portfolios whose summed cost per year is within ``budget``.
    """
    data = copy.deepcopy(sc.data)
    per_year = {c.label: c.cost_per_year for c in menu}
    for cand in data.get("candidates", []):
        start = max(int(cand.get("start", 0)), 0)
        end = min(int(cand["end"]), horizon) if cand.get("end") is not None else horizon
        weeks = end - start
        cost = per_year.get(cand["label"], float(cand.get("cost", 0.0)))
        cand["cost"] = cost * horizon / weeks if weeks > 0 else cost
    return Scenario(sc.name, sc.path, data, list(sc.overrides))


def recommender_pick(
    sc: Scenario,
    menu: list[Candidate],
    budget: float,
    *,
    replicates: int,
    seed: int,
    ticks: int | None = None,
    workers: int | None = None,
) -> dict:
    """The recommender's portfolio for the teams' menu and budget (USD per year).

    Small settings (greedy search with successive halving from 2 replicates, at most
    ``replicates`` per finalist, no confirmation runs) keep it to seconds on a small
    scenario; its seeds are spawned from ``seed`` (the caller passes the league's
    root seed + 1, so the league measures its pick on seeds it never saw).
    """
    from sim.recommend.recommendation import recommend

    horizon = int(ticks or sc.ticks)
    rec = recommend(
        priced_by_year(sc, menu, horizon),
        budget * horizon / WEEKS_PER_YEAR,
        max_agreements=len(menu),
        levers="scenario",
        objective="delivered",
        replicates=max(2, replicates),
        seed=seed,
        search="halving",
        first_replicates=2,
        confirm=False,
        ticks=ticks,
        workers=workers,
    )
    top = rec.portfolios[0] if rec.portfolios else None
    chosen = [c.label for c in menu if top and c.label in top["candidates"]]
    return {
        "agreements": chosen,
        "portfolio": " + ".join(chosen) if chosen else "nothing",
        "cost_usd_per_year": float(sum(c.cost_per_year for c in menu if c.label in chosen)),
        "beats_status_quo_detectably": rec.best is not None,
        "note": rec.note,
        "search": {
            "objective": "delivered",
            "method": "greedy search with successive halving (sim.recommend)",
            "replicates": max(2, replicates),
            "seed": seed,
            "runs": rec.runs,
            "change_in_its_search": top["change"] if top else None,
        },
    }


def league_table(
    table: pd.DataFrame, arms: dict[str, tuple[str, ...]], costs: dict[str, float]
) -> pd.DataFrame:
    """One row per arm from a compare table: the league metrics' paired changes, ranked.

    Columns: ``rank`` (1 = largest fall in delivered; equal changes share a rank),
    ``arm``, ``kind`` ("team" or "recommender"), ``portfolio``, ``agreements`` (count),
    ``cost_usd_per_year``, then per metric ``M_change``, ``M_ci_low``, ``M_ci_high``,
    ``M_mean`` (the arm's mean) and ``M_detectable`` (the interval excludes zero).
    """
    rows = []
    for arm, labels in arms.items():
        row = {
            "arm": arm,
            "kind": RECOMMENDER if arm == RECOMMENDER else "team",
            "portfolio": " + ".join(labels) if labels else "nothing (the status quo)",
            "agreements": len(labels),
            "cost_usd_per_year": float(sum(costs[x] for x in labels)),
        }
        for m in METRICS:
            hit = table[(table["scenario"] == arm) & (table["metric"] == m)]
            r = hit.iloc[0] if len(hit) else None
            lo = float(r["diff_ci_low"]) if r is not None else float("nan")
            hi = float(r["diff_ci_high"]) if r is not None else float("nan")
            row[f"{m}_change"] = float(r["diff_mean"]) if r is not None else float("nan")
            row[f"{m}_ci_low"], row[f"{m}_ci_high"] = lo, hi
            row[f"{m}_mean"] = float(r["alternative_mean"]) if r is not None else float("nan")
            row[f"{m}_detectable"] = bool(
                np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)
            )
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    key = df["delivered_change"].round(9).fillna(np.inf)
    df.insert(0, "rank", key.rank(method="min").astype(int))
    return df.sort_values(["rank", "cost_usd_per_year", "arm"], kind="stable").reset_index(
        drop=True
    )


def play_round(
    sc: Scenario,
    menu: list[Candidate],
    portfolios: dict[str, tuple[str, ...]],
    budget: float,
    *,
    replicates: int = 8,
    seed: int = 0,
    ticks: int | None = None,
    out: Path | None = None,
    workers: int | None = None,
    number: int = 1,
    command: list[str] | None = None,
) -> RoundResult:
    """Run a round: the recommender's pick, then every arm on common seeds; save it.

    Args:
        sc: the status quo.
        menu: the candidates on offer (:func:`sim.workshop.game.menu_of`).
        portfolios: team name -> candidate labels (each within the budget).
        budget: USD per year.
        replicates: paired replicates per arm (at least 2).
        seed: root seed of the league's common seeds (the recommender searches on + 1).
        ticks: horizon override.
        out: the study directory (must not hold another study), or None.
        workers: local processes (None: the cores; 1: serial).
        number: the round's number.
        command: the command line recorded in the manifest.

    Returns:
        A :class:`RoundResult`.
    """
    started = time.time()
    by_label = {c.label: c for c in menu}
    costs = {c.label: c.cost_per_year for c in menu}
    pick = recommender_pick(
        sc, menu, budget, replicates=replicates, seed=seed + 1, ticks=ticks, workers=workers
    )
    arms = {**portfolios, RECOMMENDER: tuple(pick["agreements"])}
    base = Scenario(STATUS_QUO, sc.path, sc.data, list(sc.overrides))
    alts = [
        with_policies(sc, [by_label[x].policy for x in labels], arm) for arm, labels in arms.items()
    ]
    comp = compare(
        base,
        alts,
        replicates,
        seed,
        ticks=ticks,
        out=out,
        workers=workers,
        command=command if command is not None else list(sys.argv),
    )
    league = league_table(comp.table, arms, costs)
    ok = comp.runs[(comp.runs["status"] == "ok") & (comp.runs["scenario"] == STATUS_QUO)]
    status_quo = {m: float(ok[m].mean()) if m in ok else float("nan") for m in METRICS}
    settings = {
        "scenario": sc.name,
        "scenario_path": str(sc.path),
        "overrides": list(sc.overrides),
        "budget_usd_per_year": budget,
        "replicates": replicates,
        "seed": seed,
        "ticks": int(ticks or sc.ticks),
        "burn_in": sc.burn_in,
        "unit": comp.unit,
        "units": {m: REGISTRY[m].unit.format(q=comp.unit) for m in METRICS},
        "portfolios": {k: list(v) for k, v in portfolios.items()},
        "run_seeds": comp.manifest.get("run_seeds", []),
        "failed_runs": int(len(comp.failed)),
    }
    result = RoundResult(
        number, league, status_quo, pick, settings, out, round(time.time() - started, 2)
    )
    if out is not None:
        save_round(result)
    return result


def save_round(result: RoundResult) -> None:
    """``league.parquet``, ``workshop.json`` and a ``workshop`` section in the manifest."""
    out = Path(result.out)
    write_parquet(out / "league.parquet", result.league)
    write_json(out / "workshop.json", result.to_dict())
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["workshop"] = {
        "round": result.number,
        "budget_usd_per_year": result.settings["budget_usd_per_year"],
        "portfolios": result.settings["portfolios"],
        "recommender": result.recommender["agreements"],
        "files": ["league.parquet", "workshop.json"],
    }
    write_json(manifest_path, manifest)


def read_round(path: Path | str) -> RoundResult:
    """A saved round, for the debrief: ``read_round("outputs/workshop/round-1")``."""
    out = Path(path)
    doc = json.loads((out / "workshop.json").read_text())
    return RoundResult(
        doc["round"],
        pd.read_parquet(out / "league.parquet"),
        doc["status_quo"],
        doc["recommender"],
        doc["settings"],
        out,
        doc.get("seconds", 0.0),
    )


__all__ = [
    "METRICS",
    "RECOMMENDER",
    "STATUS_QUO",
    "RoundResult",
    "league_table",
    "play_round",
    "priced_by_year",
    "read_round",
    "recommender_pick",
    "save_round",
]
