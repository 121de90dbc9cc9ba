"""Corridor map of a scenario from a run's tables (any study may write them).

Tables:

- ``locations``: id, state, lat, lon — one row per location, coordinates in degrees;
  optional ``kind`` (source, market, port, airport, land_crossing, hub: the marker) and
  ``seized`` (quantity seized there per week);
- ``legs``: from, to, flow — location ids and the mean quantity per week over the leg
  (0 or NaN: drawn thin and dashed as unused); optional ``mode``;
- ``states``: id, capacity — enforcement capacity (inspection effort per week), the
  territory's shade; optional ``name`` (label; ids are used for more than six states)
  and ``seized`` (quantity per week, a circle at the centre of the state's locations,
  used when ``locations`` has no ``seized``);
- ``meta`` (optional): key, value — ``unit`` (default kg), ``title``, ``stem`` (file
  name, default ``corridor_map``).

``sim.plotting.corridor_tables(world, leg_flow, state_flow, state_seized)`` builds the
first three from a model's world and a run's per-week arrays.

Figure: ``corridor_map`` (PNG and SVG).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import meta_value, plot_corridor_map, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw the corridor map from its tables into ``out_dir``; return the files written."""
    ax = plot_corridor_map(
        tables, unit=meta_value(tables, "unit", "kg"), title=meta_value(tables, "title")
    )
    return save_figure(ax.figure, out_dir, str(meta_value(tables, "stem", "corridor_map")))
