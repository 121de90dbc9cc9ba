"""V22 aut dedere aut judicare: Andea stops surrendering its nationals.

Tables (``CheckResult.tables`` of check V22):

- ``effects``: metric, baseline_mean, alternative_mean, diff_mean, diff_ci_low,
  diff_ci_high — per outcome (``prosecuted_at_home``, ``extraditions``, members a
  week), the mean while Andea surrenders its nationals, the mean once it does not, and
  the paired difference (not surrendering minus surrendering) with its 95% interval.

Figure: ``v22_aut_dedere``, a forest plot of the paired changes in members a week.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_effects, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V22's figure from its tables into ``out_dir``; return the files written."""
    effects = tables["effects"]
    ax = plot_effects(
        effects,
        relative=False,
        title="V22 aut dedere aut judicare: paired change when Andea\n"
        "stops surrendering its nationals (95% interval)",
    )
    ax.set_xlabel("paired change (members/week), 95% interval")
    ax.figure.set_size_inches(7.5, 0.45 * len(effects) + 1.6)
    return save_figure(ax.figure, out_dir, "v22_aut_dedere")
