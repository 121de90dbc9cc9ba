"""V11 legal-assistance latency: median weeks from request to answer, by channel.

Tables (``CheckResult.tables`` of check V11):

- ``latency``: channel, median_weeks, q25, q75, n, band_low, band_high — per channel
  (``database``, ``jit``, ``mlat``, ``letters_rogatory``), the median latency of the
  answered requests with its interquartile range, how many requests, and the expected
  band in weeks (NaN where open: letters rogatory are only expected to be slower than
  MLAT).

Figure: ``v11_latency``, median and interquartile range per channel on a log scale,
over the shaded expected bands.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure

NAMES = {
    "database": "shared database",
    "jit": "joint investigation team",
    "mlat": "MLAT",
    "letters_rogatory": "letters rogatory",
}


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V11's figure from its tables into ``out_dir``; return the files written."""
    lat = tables["latency"].copy()
    lat["label"] = [
        f"{NAMES.get(c, c)}\n(n={int(n)})" if pd.notna(n) else NAMES.get(c, c)
        for c, n in zip(lat["channel"], lat.get("n", pd.Series([None] * len(lat))))
    ]
    lat = lat[lat["median_weeks"].notna()]
    ax = plot_estimates(
        lat,
        x="label",
        mean="median_weeks",
        lo="q25",
        hi="q75",
        band=("band_low", "band_high"),
        log=True,
        ylabel="weeks from request to answer",
        xlabel="channel",
        title="V11 legal-assistance latency: median and interquartile range of answered "
        "requests\n(letters rogatory: expected slower than MLAT)",
    )
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
    return save_figure(ax.figure, out_dir, "v11_latency")
