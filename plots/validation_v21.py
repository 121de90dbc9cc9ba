"""V21 central-authority load: each partner's median latency to the loaded authority.

Tables (``CheckResult.tables`` of check V21):

- ``partners``: partner, base, double, staffed, n_base — per partner state sending
  MLAT requests to the loaded central authority (Andea's), the pooled median weeks
  from request to answer at the base caseload (``base``), with the cases doubled
  (``double``) and with the cases doubled and the authority's staff doubled
  (``staffed``), and how many requests the partner sent in the base arm.

Figure: ``v21_load``, grouped bars per partner of the three pooled medians (no
intervals: medians pooled over replicates; the check's paired intervals are in its
criteria).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.container import ErrorbarContainer

from sim.plotting import plot_estimates, save_figure

#: the toy corridor's states (the table carries ids only)
STATES = {
    "AND": "Andea",
    "MID": "Midland",
    "WES": "Westland",
    "EAS": "Eastland",
    "NOR": "Nordia",
    "MKT": "Marketia",
}
ARMS = {
    "base": "base caseload",
    "double": "cases doubled",
    "staffed": "cases doubled, staff doubled",
}


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V21's figure from its tables into ``out_dir``; return the files written."""
    p = tables["partners"].copy()
    p["label"] = [
        f"{STATES.get(s, s)}\n(n={int(n)})" if pd.notna(n) else STATES.get(s, s)
        for s, n in zip(p["partner"], p.get("n_base", pd.Series([None] * len(p))))
    ]
    arms = [a for a in ARMS if a in p]
    long = p.melt(id_vars=["label"], value_vars=arms, var_name="arm", value_name="median")
    long = long[long["median"].notna()]
    long["arm"] = long["arm"].map(ARMS)
    ax = plot_estimates(
        long,
        x="label",
        mean="median",
        lo="median",
        hi="median",
        hue="arm",
        kind="bar",
        hue_order=[ARMS[a] for a in arms],
        ylabel="median weeks from request to answer",
        xlabel="partner sending MLAT requests to Andea (n: its requests at the base caseload)",
        title="V21 central-authority load: pooled median latency to Andea's central "
        "authority\n(capacity 0.5 requests/week, illustrative)",
    )
    for c in list(ax.containers):  # pooled medians: no interval to draw
        if isinstance(c, ErrorbarContainer):
            c.remove()
    ax.figure.set_size_inches(max(6.4, 1.6 * p["partner"].nunique() + 2.0), 3.8)
    return save_figure(ax.figure, out_dir, "v21_load")
