"""V20 latency ladder: median weeks from request to answer, by instrument.

Tables (``CheckResult.tables`` of check V20):

- ``ladder``: instrument, median_weeks, q25, q75, n, band_low, band_high — per
  instrument (``mlat``: mutual legal assistance; ``eio``: an EIO-like order;
  ``production_order``: a direct production order), the median latency of the answered
  requests with its interquartile range, how many requests, and the expected band in
  weeks (35-50 for MLA; up to 17 for the EIO-like order; up to 2 for the order). Toy
  corridor, every pair holding each instrument.

Figure: ``v20_ladder``, median and interquartile range per instrument on a log scale,
over the shaded expected bands.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure

NAMES = {
    "mlat": "mutual legal assistance",
    "eio": "EIO-like order",
    "production_order": "production order",
}


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V20's figure from its tables into ``out_dir``; return the files written."""
    lad = tables["ladder"].copy()
    lad["label"] = [
        f"{NAMES.get(c, c)}\n(n={int(n)})" if pd.notna(n) else NAMES.get(c, c)
        for c, n in zip(lad["instrument"], lad.get("n", pd.Series([None] * len(lad))))
    ]
    lad = lad[lad["median_weeks"].notna()]
    ax = plot_estimates(
        lad,
        x="label",
        mean="median_weeks",
        lo="q25",
        hi="q75",
        band=("band_low", "band_high"),
        log=True,
        ylabel="weeks from request to answer",
        xlabel="instrument",
        title="V20 latency ladder: median and interquartile range of answered requests\n"
        "(every pair of the toy corridor holds each instrument)",
    )
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
    return save_figure(ax.figure, out_dir, "v20_ladder")
