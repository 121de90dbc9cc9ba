"""The figure files written next to a study's outputs, drawn from what the study returned.

The harness and the recommender compute and save tables (``runs.parquet``,
``summary.csv``, ``compare.json``, ...); these functions draw their figures into
``OUT/figures/``. The ``xborder`` command calls them after a study with ``--out``;
a script calls them the same way::

    study = run_study("toy_corridor", 10, out="outputs/s")
    write_run_figures(study, load_scenario("toy_corridor"))

Each returns the files it wrote.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.metrics import MAIN, REGISTRY
from sim.plotting.calibration import figure_marginals, figure_target_fits
from sim.plotting.map import corridor_tables, has_coordinates, plot_corridor_map
from sim.plotting.recommend import plot_frontier, plot_prim_tradeoff, plot_regret
from sim.plotting.studies import (
    plot_convergence,
    plot_emulator_fit,
    plot_forest,
    plot_indices,
    plot_main,
)
from sim.plotting.timeseries import plot_heatmap

DPI = 120


def _folder(result, out_dir) -> Path:
    folder = Path(out_dir if out_dir is not None else result.out) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(fig, path: Path, **kw) -> Path:
    try:
        fig.savefig(path, dpi=DPI, **kw)
    finally:
        plt.close(fig)
    return path


def write_run_figures(study, scenario, replay=None, out_dir=None) -> list[Path]:
    """The figures of a run study (``xborder run --out``).

    ``main_series.png``: the main metrics' weekly means with 95% bands. With
    ``replay`` (``sim.harness.study.replay_first``: one replicate run once more with
    its per-leg and per-state arrays, which studies do not keep), also
    ``corridor_map.png`` when every location has coordinates and ``displacement.png``,
    each state's share of the weekly flow.

    Args:
        study: the :class:`~sim.harness.study.Study` (its ``timeseries``, ``unit``, ``out``).
        scenario: the scenario it ran (name, burn-in, policies).
        replay: the replayed replicate (``replicate``, ``world``, ``result``), or None.
        out_dir: the study's directory (default ``study.out``).
    """
    ts = study.timeseries
    if ts is None or not len(ts) or not set(REGISTRY) & set(ts.columns):
        return []
    sc, unit = scenario, study.unit
    figures = _folder(study, out_dir)
    policies = sc.data.get("policies", [])
    fig = plot_main(ts, title=sc.name, unit=unit, burn_in=sc.burn_in, policies=policies)
    paths = [_save(fig, figures / "main_series.png")]
    if replay is None:
        return paths
    w, r, b = replay.world, replay.result, sc.burn_in
    which = f"replicate {replay.replicate}"
    tables = corridor_tables(w, r.leg_flow[b:], r.state_flow[b:], r.state_seized[b:])
    if has_coordinates(tables):
        ax = plot_corridor_map(
            tables,
            unit=unit,
            title=f"{sc.name}, {which}: mean week after the burn-in\n"
            f"legs: width = flow ({unit}/week); circles: seized ({unit}/week); "
            "shade: capacity before policies",
        )
        paths.append(_save(ax.figure, figures / "corridor_map.png", bbox_inches="tight"))
    n_ticks, n_states = r.state_flow.shape
    flow = pd.DataFrame(
        {
            "tick": [t for t in range(n_ticks) for _ in range(n_states)],
            "state": list(w.state_ids) * n_ticks,
            "flow": r.state_flow.ravel(),
        }
    )
    ax = plot_heatmap(
        flow,
        share=True,
        smooth=4,
        unit=unit,
        labels=dict(zip(w.state_ids, w.state_names)),
        policies=policies,
        burn_in=b,
        title=f"{sc.name}, {which}: each state's share of the flow arriving each week",
    )
    paths.append(_save(ax.figure, figures / "displacement.png", bbox_inches="tight"))
    return paths


def write_compare_figures(comparison, out_dir=None) -> list[Path]:
    """``forest.png`` of a comparison (``xborder compare --out``): every metric's change."""
    figures = _folder(comparison, out_dir)
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(comparison.table), 8) + 1.2))
    plot_forest(comparison.to_dict(), ax=ax)
    fig.tight_layout()
    return [_save(fig, figures / "forest.png")]


def write_sensitivity_figures(result, metrics=None, out_dir=None) -> list[Path]:
    """``indices.png`` and ``convergence.png`` (or ``emulator.png``) of a sensitivity study.

    A flagged metric (noisy, total indices summing far above 1) says so in its panel's title.

    Args:
        result: the :class:`~sim.harness.sensitivity_analysis.SensitivityResult`.
        metrics: the metrics asked for (default: the main metrics); at most four shown.
        out_dir: the study's directory (default ``result.out``).
    """
    figures = _folder(result, out_dir)
    names = list(result.indices)
    wanted = list(dict.fromkeys(metrics or MAIN))
    shown = [m for m in wanted if m in names][:4] or names[:4]
    shown = [m for m in shown if "note" not in result.indices.get(m, {"note": ""})]
    paths: list[Path] = []
    if not shown:
        return paths
    for name, plot, data in (
        ("indices", plot_indices, result.indices),
        ("convergence", plot_convergence, result.convergence),
    ):
        if name == "convergence" and not any(result.convergence.get(m) for m in shown):
            continue
        fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 3.6), squeeze=False)
        for ax, m in zip(axes[0], shown):
            doc = {**data[m], **result.quality(m)} if name == "indices" else data[m]
            plot(doc, ax=ax, metric=m, method=result.settings.method)
        fig.tight_layout()
        paths.append(_save(fig, figures / f"{name}.png"))
    held = [m for m in shown if getattr(result, "validation", {}).get(m)]
    if held:  # an emulator-based study: its out-of-sample check
        fig, axs = plt.subplots(1, len(held), figsize=(4.2 * len(held), 4), squeeze=False)
        for ax, m in zip(axs[0], held):
            plot_emulator_fit(result.validation[m], ax=ax, metric=m)
        fig.tight_layout()
        paths.append(_save(fig, figures / "emulator.png"))
    return paths


def write_recommend_figures(rec, out_dir=None) -> list[Path]:
    """``frontier.png`` (and ``regret.png`` with robustness) of ``xborder recommend --out``."""
    figures = _folder(rec, out_dir)
    doc = rec.to_dict()
    fig, ax = plt.subplots(figsize=(8, 5))
    plot_frontier(doc, ax=ax)
    fig.tight_layout()
    paths = [_save(fig, figures / "frontier.png")]
    if rec.robustness:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_regret(doc, ax=ax)
        fig.tight_layout()
        paths.append(_save(fig, figures / "regret.png"))
    return paths


def write_discover_figure(doc: dict, path: Path | str | None = None) -> Path:
    """The coverage-density trade-off of a discovery document, at ``doc["figure"]``.

    Raises:
        OSError: the figure cannot be written there.
    """
    path = Path(path if path is not None else doc["figure"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    plot_prim_tradeoff(doc, ax=ax)
    fig.tight_layout()
    return _save(fig, path)


def write_calibration_figures(cal, out_dir=None, planted: dict | None = None) -> list[Path]:
    """``targets.png`` and ``posterior.png`` of ``xborder calibrate --out``.

    Args:
        cal: the :class:`~sim.calibrate.Calibration`.
        out_dir: its directory (default ``cal.out``).
        planted: parameter -> known true value, marked on the marginals (known-answer checks).
    """
    figures = _folder(cal, out_dir)
    if not len(cal.posterior):
        return []
    intervals = cal.intervals_table()
    if planted:
        intervals["planted"] = intervals["param"].map(planted).astype(float)
    return [
        _save(figure_target_fits(cal.fits_table(), cal.posterior), figures / "targets.png"),
        _save(figure_marginals(intervals, cal.posterior), figures / "posterior.png"),
    ]


__all__ = [
    "write_calibration_figures",
    "write_compare_figures",
    "write_discover_figure",
    "write_recommend_figures",
    "write_run_figures",
    "write_sensitivity_figures",
]
