"""The page's charts and map as ECharts options: data sent to the browser, drawn there.

The server never renders an image: each function turns the data of
:meth:`CorridorViz.view <sim.dashboard.session.CorridorViz.view>` into an ECharts
``option`` (plain dicts and lists) that :func:`~sim.dashboard.figure.Figure` draws in the
browser. Sizes are for a projector: 16-20 px text, thick lines, a legend for every
colour, integer weeks.
"""

from __future__ import annotations

import numpy as np

from sim.metrics import REGISTRY

#: Charts a trainer can choose from (two or three are shown at a time).
CHART_CHOICES = (
    "delivered",
    "seized",
    "interdiction_rate",
    "retail_price",
    "convictions",
    "extraditions",
    "safe_haven_leaders",
    "request_latency_median",
    "db_hits",
    "displacement",
)
DEFAULT_CHARTS = ("delivered", "seized", "interdiction_rate")
FONT = 16
TITLE = 20
MAIN, BASE, SWITCH = "#1f5fa8", "#7a7a7a", "#c0392b"
#: Seizure-rate classes of the map's legs: (upper bound, colour, legend).
RATE_CLASSES = (
    (0.05, "#f6c85f", "seizure rate under 5%"),
    (0.15, "#ef8a32", "seizure rate 5-15%"),
    (np.inf, "#b2182b", "seizure rate 15% or more"),
)
NO_FLOW = "#c8c8c8"
#: The legend of the red lines marking switches; the longest label drawn at a line.
SWITCH_LEGEND = "agreement switched on (dashed: off)"
MARK_CHARS = 28
#: The map's margins (pixels): the title above, the capacity scale right, the legend below.
MAP_GRID = {"left": 10, "right": 90, "top": 60, "bottom": 80}


def _axis(name: str = "", **kw) -> dict:
    return {
        "type": "value",
        "name": name,
        "nameTextStyle": {"fontSize": FONT},
        "axisLabel": {"fontSize": FONT},
        **kw,
    }


def line_option(view: dict, name: str, unit: str) -> dict:
    """One metric over the story's weeks: this run, the status quo dashed, switches marked."""
    spec = REGISTRY[name]
    data = view["series"][name]
    n = len(data["main"])
    side = "base" in data
    marks = _marks(view["markers"])
    series = [
        {
            "name": "with the agreements" if side else "this run",
            "type": "line",
            "data": [[w, v] for w, v in enumerate(data["main"])],
            "showSymbol": False,
            "lineStyle": {"width": 3, "color": MAIN},
            "itemStyle": {"color": MAIN},
            "markLine": {
                "symbol": "none",
                "silent": True,
                "lineStyle": {"color": SWITCH, "width": 2, "type": "solid"},
                "data": marks,
            },
        }
    ]
    if side:
        series.append(
            {
                "name": "status quo (same seed)",
                "type": "line",
                "data": [[w, v] for w, v in enumerate(data["base"])],
                "showSymbol": False,
                "lineStyle": {"width": 3, "type": "dashed", "color": BASE},
                "itemStyle": {"color": BASE},
            }
        )
    if marks:  # the red lines in the legend too
        series.append({"name": SWITCH_LEGEND, "type": "line", "data": [], "lineStyle": {
            "width": 2, "color": SWITCH}, "itemStyle": {"color": SWITCH}})  # fmt: skip
    return {
        "animation": False,
        "title": {"text": spec.label(unit), "textStyle": {"fontSize": TITLE}, "left": 8},
        "legend": {"top": 28, "left": 0, "textStyle": {"fontSize": FONT}, "itemGap": 14},
        "grid": {"left": 80, "right": 56, "top": 74, "bottom": 28},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": FONT}},
        # two weeks of room to the right: a switch made this week is marked at week n
        "xAxis": _axis(
            "week", min=0, max=max(n + 2, 10), minInterval=1, nameLocation="end", nameGap=8
        ),  # fmt: skip
        "yAxis": _axis(splitNumber=3),
        "series": series,
    }


def _marks(markers) -> list[dict]:
    """One red line per week with a switch (solid: on; dashed: only switched off), one label.

    Switches made in the same week share their line and label, so labels do not pile up;
    a long label is cut (the panel's messages list every switch in full).
    """
    weeks: dict[int, list[tuple[str, str]]] = {}
    for w, label, event in markers:
        if w >= 0:
            weeks.setdefault(int(w), []).append((label, event))
    out = []
    for w, items in sorted(weeks.items()):
        text = ", ".join(label if event == "on" else f"{label} off" for label, event in items)
        text = text if len(text) <= MARK_CHARS else text[: MARK_CHARS - 1] + "\u2026"
        only_off = all(event == "off" for _, event in items)
        out.append({
            "xAxis": w,
            "label": {"formatter": text, "fontSize": 14, "color": SWITCH, "position": "end"},
            "lineStyle": {"type": "dashed" if only_off else "solid"},
        })  # fmt: skip
    return out


def map_option(geo: dict, live: dict, title: str, size=(620.0, 560.0)) -> dict:
    """The corridor: states shaded by capacity, legs by flow (width) and seizure rate (colour).

    Args:
        geo: :meth:`CorridorViz.geometry`.
        live: one run's map data from :meth:`CorridorViz.view` (``maps["main"]``).
        title: the map's title.
        size: the map's width and height on the page, in pixels (to place the state
            names so that they do not overlap there).
    """
    lon, lat = np.asarray(geo["lon"]), np.asarray(geo["lat"])
    loc_state = np.asarray(geo["loc_state"])
    cap = np.asarray([c or 0.0 for c in live["capacity"]])
    flow = np.asarray([f or 0.0 for f in live["leg_flow"]])
    rate = np.asarray([r or 0.0 for r in live["state_rate"]])
    fmax = max(float(flow.max()), 1e-9) if len(flow) else 1.0
    legs: dict[str, list] = {label: [] for _, _, label in RATE_CLASSES}
    legs["no flow"] = []
    for k, (a, b) in enumerate(zip(geo["leg_from"], geo["leg_to"])):
        r = rate[loc_state[b]]
        if flow[k] <= 0:
            label, color = "no flow", NO_FLOW
        else:
            _, color, label = next(c for c in RATE_CLASSES if r < c[0])
        legs[label].append(
            {
                "coords": [[float(lon[a]), float(lat[a])], [float(lon[b]), float(lat[b])]],
                "lineStyle": {"width": 1.5 + 10.0 * flow[k] / fmax, "color": color},
            }
        )
    colors = {label: color for _, color, label in RATE_CLASSES} | {"no flow": NO_FLOW}
    series: list[dict] = [
        {
            "name": "enforcement capacity",
            "type": "scatter",
            "data": [
                [float(lon[i]), float(lat[i]), float(cap[loc_state[i]])] for i in range(len(lon))
            ],  # fmt: skip
            "symbolSize": 44,
            "itemStyle": {"opacity": 0.35},
            "silent": True,
            "z": 1,
        }
    ]
    for label, data in legs.items():
        series.append(
            {
                "name": label,
                "type": "lines",
                "coordinateSystem": "cartesian2d",
                "data": data,
                "itemStyle": {"color": colors[label]},
                "lineStyle": {"color": colors[label], "opacity": 0.95},
                "z": 2,
            }
        )
    series.append(
        {
            "name": "states",
            "type": "scatter",
            "data": _labels(geo, lon, lat, loc_state, _plot_px(size)),
            "symbolSize": 1,
            "label": {"show": True, "formatter": "{@[2]}", "fontSize": FONT, "color": "#1b2a3a"},
            "silent": True,
            "z": 5,
        }
    )
    leaders = []
    for k, s in enumerate(live["leaders"]):
        locs = np.flatnonzero(loc_state == s)
        if len(locs):
            leaders.append([float(lon[locs].mean()) + 0.4 * k, float(lat[locs].mean()) - 0.6])
    series.append(
        {
            "name": "leader at liberty",
            "type": "scatter",
            "data": leaders,
            "symbol": "pin",
            "symbolSize": 30,
            "itemStyle": {"color": "#7b0d1e"},
            "z": 6,
        }
    )
    pad_x = 0.12 * max(float(np.ptp(lon)), 1.0)
    pad_y = 0.15 * max(float(np.ptp(lat)), 1.0)
    hidden = {"show": False, "scale": True}
    cmax = max(float(cap.max()), 1e-9) if len(cap) else 1.0
    return {
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": TITLE}, "left": 8},
        "legend": {
            "bottom": 0,
            "textStyle": {"fontSize": 14},
            "data": [s["name"] for s in series if s["name"] not in ("states",)],
        },
        "grid": dict(MAP_GRID),
        "xAxis": {
            "type": "value",
            "min": float(lon.min() - pad_x),
            "max": float(lon.max() + pad_x),
            **hidden,
        },  # fmt: skip
        "yAxis": {
            "type": "value",
            "min": float(lat.min() - pad_y),
            "max": float(lat.max() + pad_y),
            **hidden,
        },  # fmt: skip
        "visualMap": {
            "type": "continuous",
            "seriesIndex": 0,
            "dimension": 2,
            "min": 0.0,
            "max": cmax,
            "right": 0,
            "top": "middle",
            "text": ["capacity", ""],
            "textStyle": {"fontSize": 14},
            "inRange": {"color": ["#deebf7", "#08519c"]},
            "calculable": False,
        },
        "tooltip": {"show": False},
        "series": series,
    }


def _plot_px(size) -> tuple[float, float]:
    """The map's plotting area (pixels) inside a box of ``size``, at least 200 x 150."""
    w, h = (float(x) for x in size)
    g = MAP_GRID
    return max(w - g["left"] - g["right"], 200.0), max(h - g["top"] - g["bottom"], 150.0)


def _labels(geo: dict, lon, lat, loc_state, px=(520.0, 420.0)) -> list[dict]:
    """State names placed so that they do not overlap (greedy, in estimated pixels).

    Each name starts above its state's northernmost location; a name that would cover
    one already placed moves down, then up, in steps of a line, until it is clear.
    """
    sx = px[0] / max(float(np.ptp(lon)) * 1.24, 1e-9)
    sy = px[1] / max(float(np.ptp(lat)) * 1.3, 1e-9)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for s, name in enumerate(geo["state_names"]):
        locs = np.flatnonzero(loc_state == s)
        if not len(locs):
            continue
        x, y = float(lon[locs].mean()) * sx, float(lat[locs].max()) * sy + 24
        w, h = 0.55 * FONT * len(name), FONT + 4
        for dy in [0] + [k * h * sign for k in range(1, 8) for sign in (-1, 1)]:
            box = (x - w / 2, y + dy - h / 2, x + w / 2, y + dy + h / 2)
            if not any(_overlap(box, b) for b in placed):
                break
        placed.append(box)
        out.append({"value": [box[0] / sx + w / 2 / sx, (box[1] + h / 2) / sy, name]})
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
