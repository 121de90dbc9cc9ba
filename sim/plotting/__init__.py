"""Drawing: matplotlib figures of the tables that studies, checks and experiments compute.

Every function takes data (tidy DataFrames or the JSON documents the commands print)
and draws it; nothing here runs the model or a study. The modules:

- :mod:`~sim.plotting.style`: palette, registry labels, outside legends, PNG + SVG;
- :mod:`~sim.plotting.studies`: weekly series, paired comparisons, sensitivity indices;
- :mod:`~sim.plotting.tables`: estimates with intervals, sweeps, strips (the recipes);
- :mod:`~sim.plotting.timeseries`: lines over weeks by arm or state, heatmaps;
- :mod:`~sim.plotting.map`: the corridor map;
- :mod:`~sim.plotting.recommend`: the recommender's frontier, regret and PRIM figures;
- :mod:`~sim.plotting.calibration`: target fits and marginal posteriors of a calibration;
- :mod:`~sim.plotting.figures`: the figure files a study writes next to its outputs
  (``xborder run|compare|sensitivity|recommend --out``, ``xborder discover``).

Importing it chooses no backend (``matplotlib.use``): the program that draws does.
"""

from sim.plotting.calibration import figure_marginals, figure_target_fits
from sim.plotting.figures import (
    write_calibration_figures,
    write_compare_figures,
    write_discover_figure,
    write_recommend_figures,
    write_run_figures,
    write_sensitivity_figures,
)
from sim.plotting.map import corridor_tables, has_coordinates, plot_corridor_map
from sim.plotting.recommend import plot_frontier, plot_prim_tradeoff, plot_regret
from sim.plotting.studies import (
    plot_convergence,
    plot_effects,
    plot_emulator_fit,
    plot_forest,
    plot_indices,
    plot_main,
    plot_series,
)
from sim.plotting.style import PALETTE, metric_label, metric_title, save_figure
from sim.plotting.tables import meta_value, plot_estimates, plot_strip, plot_sweep
from sim.plotting.timeseries import plot_heatmap, plot_lines

__all__ = [
    "PALETTE",
    "corridor_tables",
    "figure_marginals",
    "figure_target_fits",
    "has_coordinates",
    "meta_value",
    "metric_label",
    "metric_title",
    "plot_convergence",
    "plot_corridor_map",
    "plot_effects",
    "plot_emulator_fit",
    "plot_estimates",
    "plot_forest",
    "plot_frontier",
    "plot_heatmap",
    "plot_indices",
    "plot_lines",
    "plot_main",
    "plot_prim_tradeoff",
    "plot_regret",
    "plot_series",
    "plot_strip",
    "plot_sweep",
    "save_figure",
    "write_calibration_figures",
    "write_compare_figures",
    "write_discover_figure",
    "write_recommend_figures",
    "write_run_figures",
    "write_sensitivity_figures",
]
