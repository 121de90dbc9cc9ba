"""The ``recommend`` kind of experiment file: a treaty-portfolio recommendation as exact tables.

:mod:`sim.experiments.kinds` lists it (``SCHEMA`` and ``run_recommend``; its ``QUICK``
keys let a quick version use fewer worlds). The runner returns the tables ``ranking``,
``candidates``, ``search`` and, with uncertain parameters, ``robustness`` and
``worlds``; every number is a pure function of the experiment file and the seed.
:func:`doc_from_tables` rebuilds what the figures need from those tables.
"""

from __future__ import annotations

import pandas as pd

from sim.experiments.base import KindOutput

#: keys of a ``kind = "recommend"`` experiment file, on top of the common ones
SCHEMA = {
    "scenario": (str, True),
    "budget": (str, True),
    "max_agreements": (int, False),
    "levers": (list, False),
    "objective": (str, False),
    "search": (str, False),
    "first_replicates": (int, False),
    "start": (int, False),
    "top": (int, False),
    "params": (list, False),
    "uncertain": (list, False),
    "worlds": (int, False),
    "world_replicates": (int, False),
    "robust_top": (int, False),
}
RANKING_COLUMNS = [
    "rank",
    "portfolio",
    "size",
    "cost_total_usd",
    "objective_mean",
    "change",
    "change_ci_low",
    "change_ci_high",
    "benefit",
    "benefit_per_million_usd",
    "benefit_per_million_usd_ci_low",
    "benefit_per_million_usd_ci_high",
    "p_best",
    "rank_held",
    "beats_next",
    "replicates",
]


def recommend_settings(data: dict) -> dict:
    """Keyword arguments of :func:`~sim.recommend.recommend` from an experiment's data."""
    keys = [k for k in SCHEMA if k not in ("scenario", "budget")]
    out = {k: data[k] for k in keys if k in data}
    for k in ("replicates", "seed", "ticks"):
        if k in data:
            out[k] = data[k]
    return out


def tables(doc: dict) -> dict[str, pd.DataFrame]:
    """The exact tables of a recommendation document."""
    ranking = pd.DataFrame(doc["portfolios"], columns=RANKING_COLUMNS)
    cands = pd.DataFrame(
        [{k: c[k] for k in ("label", "lever", "cost_per_year", "total_cost", "origin")}
         for c in doc["candidates"]]
    )  # fmt: skip
    search = pd.DataFrame(doc["search_log"])
    settings = pd.DataFrame(
        [
            {
                "scenario": doc["scenario"],
                "objective": doc["objective"]["metric"],
                "better": doc["objective"]["better"],
                "budget_usd": doc["budget_usd"],
                "max_agreements": doc["max_agreements"],
                "replicates": doc["replicates"],
                "unit": doc["unit"],
                "recommended": doc["recommended"],
                "runs": doc["runs"],
            }
        ]
    )
    out = {"settings": settings, "ranking": ranking, "candidates": cands, "search": search}
    frontier = pd.DataFrame(doc["frontier"])
    if len(frontier):
        out["frontier"] = frontier
    rob = doc.get("robustness")
    if rob:
        out["robustness"] = pd.DataFrame(rob["portfolios"])
        out["worlds"] = pd.DataFrame(rob["table"])
    return out


def doc_from_tables(tables: dict[str, pd.DataFrame]) -> dict:
    """What the figures need (``plot_frontier``, ``plot_regret``), rebuilt from the tables.

    A figure recipe reads only the experiment's tables::

        doc = doc_from_tables(tables)
        plot_frontier(doc, ax=ax)
    """
    st = tables["settings"].iloc[0]
    doc = {
        "scenario": st["scenario"],
        "objective": {"metric": st["objective"], "better": st["better"]},
        "budget_usd": float(st["budget_usd"]),
        "replicates": int(st["replicates"]),
        "unit": st["unit"],
        "frontier": tables["frontier"].to_dict("records") if "frontier" in tables else [],
        "portfolios": tables["ranking"].to_dict("records"),
    }
    if "robustness" in tables:
        doc["robustness"] = {
            "portfolios": tables["robustness"].to_dict("records"),
            "table": tables["worlds"].to_dict("records"),
            "worlds": int(tables["worlds"]["world"].nunique()),
        }
    return doc


def run_recommend(exp, workers: int | None, progress: bool):
    """Run a ``recommend`` experiment: the ranking and its provenance."""
    from sim.recommend import recommend
    from sim.scenario import load_scenario

    sc = load_scenario(exp.data["scenario"])
    rec = recommend(
        sc,
        exp.data["budget"],
        workers=workers,
        progress=progress,
        **recommend_settings(exp.data),
    )
    doc = rec.to_dict()
    provenance = {
        "scenario": sc.name,
        "scenario_path": str(sc.path),
        "resolved_scenario": sc.data,
        "settings": rec.settings,
        "root_seed": exp.seed,
        "runs": rec.runs,
    }
    best = rec.best
    summary = f"{len(rec.candidates)} candidates, {rec.runs} runs; recommended: " + (
        f"{best['portfolio']} ({best['cost_total_usd'] / 1e6:.1f} M USD)" if best else "none"
    )
    return KindOutput(tables(doc), provenance, summary)


__all__ = ["SCHEMA", "doc_from_tables", "recommend_settings", "run_recommend", "tables"]
