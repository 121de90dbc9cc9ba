"""Figures of the ``calibrate`` experiments, drawn from their tables only.

- ``calibration_targets``: each target's observation with 1 and 2 sd bands against the
  posterior's simulated means (weighted histogram).
- ``calibration_posterior``: each parameter's weighted marginal posterior over its prior
  range, the 90% interval and, in known-answer experiments, the planted value.

Redraw: ``xborder experiment plot NAME``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import figure_marginals, figure_target_fits, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Target fits and marginal posteriors; PNG and SVG each."""
    post = tables["posterior"]
    paths = save_figure(figure_target_fits(tables["fits"], post), out_dir, "calibration_targets")
    paths += save_figure(
        figure_marginals(tables["intervals"], post), out_dir, "calibration_posterior"
    )
    return paths
