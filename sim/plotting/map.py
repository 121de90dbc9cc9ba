"""The corridor map: locations at their coordinates, legs by flow, seizures, capacities.

A plain equirectangular projection (x = longitude, y = latitude, aspect set by the
mean latitude); no shapefiles: each state's territory is the land nearest to its
locations (within a radius), shaded by its enforcement capacity. Inputs are three small tables (see
:func:`plot_corridor_map`), which :func:`corridor_tables` builds from a model's world
and per-run arrays, so restyling a map never re-runs the model.
"""

from __future__ import annotations

import matplotlib
import matplotlib.cm
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

from sim.plotting.style import SEIZURE, axes

#: Marker per location kind (sources triangles, markets squares, crossings diamonds).
KIND_MARKERS = {
    "source": "^",
    "source_area": "^",
    "market": "s",
    "market_area": "s",
    "land_crossing": "D",
    "port": "h",
    "airport": "P",
    "hub": "o",
}
STATE_CMAP = "Blues"
LEG_COLOR = "#202830"


def _mean_over_weeks(a) -> np.ndarray | None:
    if a is None:
        return None
    a = np.asarray(a, dtype=float)
    return a.mean(axis=0) if a.ndim == 2 else a


def corridor_tables(
    world, leg_flow=None, state_flow=None, state_seized=None, capacity=None
) -> dict[str, pd.DataFrame]:
    """The map's tables from a world and per-week arrays of one or more runs.

    Args:
        world: a ``sim.world.World`` (read through its attributes only).
        leg_flow: (legs,) or (weeks, legs): quantity over each leg per week; 2-D
            arrays are averaged over weeks (pass the window you want, e.g. after burn-in).
        state_flow: (states,) or (weeks, states): quantity arriving in each state.
        state_seized: (states,) or (weeks, states): quantity seized in each state.
        capacity: (states,) enforcement capacity to shade (default: the world's base).

    Returns:
        ``{"locations", "legs", "states"}`` as documented in :func:`plot_corridor_map`.
    """
    n_legs, n_states = len(world.leg_from), len(world.state_ids)
    lf = _mean_over_weeks(leg_flow)
    sf, ss = _mean_over_weeks(state_flow), _mean_over_weeks(state_seized)
    locations = pd.DataFrame(
        {
            "id": list(world.loc_ids),
            "state": [world.state_ids[s] for s in world.loc_state],
            "kind": list(world.loc_kind),
            "lat": np.asarray(world.lat, dtype=float),
            "lon": np.asarray(world.lon, dtype=float),
        }
    )
    legs = pd.DataFrame(
        {
            "from": [world.loc_ids[i] for i in world.leg_from],
            "to": [world.loc_ids[i] for i in world.leg_to],
            "mode": list(world.leg_mode),
            "flow": lf if lf is not None else np.full(n_legs, np.nan),
        }
    )
    states = pd.DataFrame(
        {
            "id": list(world.state_ids),
            "name": list(world.state_names),
            "capacity": np.asarray(world.capacity if capacity is None else capacity, float),
            "flow": sf if sf is not None else np.full(n_states, np.nan),
            "seized": ss if ss is not None else np.full(n_states, np.nan),
        }
    )
    return {"locations": locations, "legs": legs, "states": states}


def has_coordinates(tables: dict[str, pd.DataFrame]) -> bool:
    """Whether every location has a latitude and a longitude."""
    loc = tables.get("locations")
    return loc is not None and len(loc) > 0 and bool(loc[["lat", "lon"]].notna().all().all())


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull of 2-D points (Andrew's monotone chain), counter-clockwise."""
    pts = sorted(set(map(tuple, np.round(points, 9))))
    if len(pts) < 3:
        return np.array(pts)

    def half(seq):
        out: list = []
        for p in seq:
            while (
                len(out) >= 2
                and (
                    (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                    - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])
                )
                <= 0
            ):
                out.pop()
            out.append(p)
        return out

    return np.array(half(pts)[:-1] + half(list(reversed(pts)))[:-1])


def _territories(lon, lat, owner, aspect: float, extent, radius: float, px: int = 480):
    """Rasterised territories, without shapefiles.

    A pixel goes to the state of its nearest location (distances on the map) if it is
    within ``radius`` (degrees of latitude) of that location or inside the rounded
    convex hull of that state's locations; otherwise to none (-1). States therefore
    never overlap, and a state with spread-out locations reads as one region.

    Returns the (rows, cols) owner grid, its border mask and the pixel coordinates.
    """
    x0, x1, y0, y1 = extent
    ny = px
    nx = max(int(px * (x1 - x0) / aspect / max(y1 - y0, 1e-9)), 2)
    gx, gy = np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)
    best = np.full((ny, nx), np.inf)
    grid = np.full((ny, nx), -1, dtype=np.int64)
    for x, y, s in zip(lon, lat, owner):  # one location at a time: small memory
        d2 = ((gx[None, :] - x) / aspect) ** 2 + (gy[:, None] - y) ** 2
        closer = d2 < best
        best[closer], grid[closer] = d2[closer], s
    keep = best <= radius**2
    gxx, gyy = np.meshgrid(gx, gy)
    pts = np.c_[gxx.ravel(), gyy.ravel()]
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = np.c_[np.cos(t) * radius * aspect, np.sin(t) * radius]
    for s in np.unique(owner[owner >= 0]):
        m = owner == s
        poly = _hull((np.c_[lon[m], lat[m]][:, None, :] + ring[None]).reshape(-1, 2))
        if len(poly) >= 3:
            keep |= Path(poly).contains_points(pts).reshape(ny, nx) & (grid == s)
    grid[~keep] = -1
    border = np.zeros_like(grid, dtype=bool)
    border[:, 1:] |= grid[:, 1:] != grid[:, :-1]
    border[1:, :] |= grid[1:, :] != grid[:-1, :]
    return grid, border, gxx, gyy


def _degrees(axis: str):
    def fmt(v, _pos):
        hemi = ("E", "W") if axis == "lon" else ("N", "S")
        return f"{abs(v):g}°{hemi[0] if v >= 0 else hemi[1]}"

    return FuncFormatter(fmt)


def _nice(v: float) -> float:
    """A round number near ``v`` for legend keys."""
    if v <= 0 or not np.isfinite(v):
        return 0.0
    e = 10 ** np.floor(np.log10(v))
    return float(min((1, 2, 5, 10), key=lambda k: abs(k * e - v)) * e)


def plot_corridor_map(
    tables: dict[str, pd.DataFrame],
    ax=None,
    unit: str = "kg",
    title: str | None = None,
    label_locations: bool = False,
    max_width: float = 8.0,
    state_labels: str = "auto",
):
    """Map of a corridor: states by capacity, legs by flow, seizures as circles.

    Args:
        tables: the map's tables:

            - ``locations``: ``id``, ``state``, ``lat``, ``lon`` (degrees); optional
              ``kind`` (marker shape) and ``seized`` (quantity/week seized there).
            - ``legs``: ``from``, ``to`` (location ids), ``flow`` (quantity/week; NaN or
              0 draws the leg thin and dashed); optional ``mode``. Legs between the same
              two locations in both directions are drawn once, arrow towards the larger
              flow, width by the sum.
            - ``states``: ``id``, ``capacity`` (inspection effort/week, the shading);
              optional ``name`` (label) and ``seized`` (quantity/week, drawn at the
              centre of the state's locations when ``locations`` has no ``seized``).
        ax: axes to draw on (a new figure if None).
        unit: the quantity unit (kg, firearms) for the legend.
        title: axes title (default: what widths, circles and shades mean).
        label_locations: write each location's id next to it.
        max_width: line width (points) of the busiest leg.
        state_labels: "name", "id", or "auto" (names for up to six states, else ids).
    """
    loc, legs, states = tables["locations"], tables["legs"], tables["states"]
    ax = axes(ax, (8.0, 6.5))
    lon, lat = loc["lon"].to_numpy(float), loc["lat"].to_numpy(float)
    aspect = 1.0 / max(np.cos(np.radians(np.nanmean(lat))), 0.2)
    span = max(np.nanmax(lon) - np.nanmin(lon), np.nanmax(lat) - np.nanmin(lat), 1.0)
    pos = {i: (x, y) for i, x, y in zip(loc["id"], lon, lat)}
    cap = states["capacity"].to_numpy(float)
    norm = Normalize(0.0, max(float(np.nanmax(cap)) if len(cap) else 1.0, 1e-9))
    # light part of a single-hue map, opaque: the colour bar reads exactly as the fill
    cmap = ListedColormap(matplotlib.colormaps[STATE_CMAP](np.linspace(0.04, 0.7, 256)))
    names = dict(zip(states["id"], states["name"] if "name" in states else states["id"]))
    sids = list(states["id"])
    owner = np.array([sids.index(x) if x in sids else -1 for x in loc["state"]])
    pad = 0.07 * span
    extent = (
        np.nanmin(lon) - pad * aspect,
        np.nanmax(lon) + pad * aspect,
        np.nanmin(lat) - pad,
        np.nanmax(lat) + 1.6 * pad,
    )
    radius = 0.06 * span
    grid, border, gxx, gyy = _territories(lon, lat, owner, aspect, extent, radius)
    rgba = np.zeros((*grid.shape, 4))
    inside = grid >= 0
    rgba[inside] = cmap(norm(cap[grid[inside]]))
    rgba[border] = (0.3, 0.3, 0.3, 0.9)
    ax.imshow(rgba, extent=extent, origin="lower", interpolation="nearest", zorder=1)
    use_names = state_labels == "name" or (state_labels == "auto" and len(sids) <= 6)
    centre = {}
    for k, sid in enumerate(sids):
        m = owner == k
        if not m.any():
            continue
        centre[sid] = (lon[m].mean(), lat[m].mean())
        own = grid == k
        ax.annotate(
            names.get(sid, sid) if use_names else sid,
            (gxx[own].mean(), gyy[own].max() - 0.3 * radius),
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold",
            color="0.15",
            zorder=6,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )
    # legs: one arrow per pair of locations, width by total flow
    pairs: dict = {}
    for a, b, f in zip(legs["from"], legs["to"], legs["flow"].fillna(0.0)):
        key = tuple(sorted((a, b)))
        d = pairs.setdefault(key, {"flow": 0.0, "dir": {}})
        d["flow"] += float(f)
        d["dir"][(a, b)] = d["dir"].get((a, b), 0.0) + float(f)
    fmax = max((d["flow"] for d in pairs.values()), default=0.0)
    for (a, b), d in pairs.items():
        if a not in pos or b not in pos:
            continue
        src, dst = max(d["dir"], key=d["dir"].get)
        if d["flow"] <= 0:
            ax.plot(*zip(pos[a], pos[b]), color="0.6", lw=0.6, ls=(0, (3, 2)), zorder=2)
            continue
        w = 0.8 + (max_width - 0.8) * d["flow"] / fmax
        ax.add_patch(
            FancyArrowPatch(
                pos[src], pos[dst], arrowstyle="-|>", mutation_scale=6 + 1.2 * w, lw=w,
                color=LEG_COLOR, alpha=0.8, shrinkA=4, shrinkB=6, zorder=3,
                capstyle="round",
            )
        )  # fmt: skip
    kinds = loc["kind"] if "kind" in loc else pd.Series("hub", index=loc.index)
    shown_kinds = []
    for k in dict.fromkeys(kinds):
        m = (kinds == k).to_numpy()
        ax.scatter(
            lon[m], lat[m], marker=KIND_MARKERS.get(k, "o"), s=28, fc="white", ec="0.1",
            lw=0.9, zorder=4,
        )  # fmt: skip
        shown_kinds.append(k)
    if label_locations:
        for i, (x, y) in pos.items():
            ax.annotate(i, (x, y), xytext=(4, -8), textcoords="offset points", fontsize=6)
    # seizures: per location if recorded, else per state at its locations' centre
    if "seized" in loc and loc["seized"].notna().any():
        sx, sy, sv = lon, lat, loc["seized"].fillna(0.0).to_numpy(float)
    elif "seized" in states and states["seized"].notna().any():
        keep = [s for s in states["id"] if s in centre]
        sv = states.set_index("id").loc[keep, "seized"].fillna(0.0).to_numpy(float)
        sx = np.array([centre[s][0] for s in keep])
        sy = np.array([centre[s][1] for s in keep])
    else:
        sv = np.zeros(0)
    smax = float(sv.max()) if len(sv) else 0.0
    area = 700.0
    if smax > 0:
        ok = sv > 0
        ax.scatter(sx[ok], sy[ok], s=area * sv[ok] / smax, color=SEIZURE, alpha=0.75,
                   ec="white", lw=0.6, zorder=2.5)  # fmt: skip
    # legend: flow widths, seizure sizes, location kinds
    handles = []
    if fmax > 0:
        for v in sorted({_nice(fmax), _nice(fmax / 4)} - {0.0}, reverse=True):
            w = 0.8 + (max_width - 0.8) * v / fmax
            handles.append(Line2D([], [], color=LEG_COLOR, lw=w, label=f"{v:g} {unit}/week"))
    handles.append(Line2D([], [], color="0.6", lw=0.6, ls=(0, (3, 2)), label="leg not used"))
    if smax > 0:
        v = _nice(smax / 3)
        handles.append(
            Line2D([], [], ls="", marker="o", color=SEIZURE, alpha=0.75,
                   ms=np.sqrt(area * v / smax), label=f"seized {v:g} {unit}/week")
        )  # fmt: skip
    for k in shown_kinds:
        handles.append(
            Line2D([], [], ls="", marker=KIND_MARKERS.get(k, "o"), mfc="white", mec="0.1",
                   label=str(k).replace("_", " "))
        )  # fmt: skip
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False, fontsize=8, labelspacing=0.8, borderpad=0.8)  # fmt: skip
    leg.set_zorder(10)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    cax = ax.inset_axes([1.04, 0.0, 0.035, 0.32])  # under the legend, outside the map
    cb = ax.figure.colorbar(sm, cax=cax)
    cb.set_label("enforcement capacity\n(inspection effort/week)", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    ax.set_xlim(extent[:2])
    ax.set_ylim(extent[2:])
    ax.set_aspect(aspect)
    ax.xaxis.set_major_formatter(_degrees("lon"))
    ax.yaxis.set_major_formatter(_degrees("lat"))
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.grid(color="0.92", lw=0.5, zorder=0)
    ax.set_axisbelow(True)
    ax.set_title(
        title
        if title is not None
        else f"Legs: width = flow ({unit}/week); circles: seized ({unit}/week)",
        fontsize=9,
    )
    return ax


__all__ = ["corridor_tables", "has_coordinates", "plot_corridor_map"]
