"""Shared look of every figure: palette, registry labels, outside legends, PNG + SVG.

The palette is Okabe & Ito's (2008, "Color Universal Design"), distinguishable under the
common colour-vision deficiencies; sequential maps are single-hue or cividis.
Importing :mod:`sim.plotting` chooses no matplotlib backend: the program does (the
``xborder`` command uses Agg unless ``MPLBACKEND`` says otherwise).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sim.metrics import REGISTRY

#: Okabe-Ito colours, most distinct first (blue, orange, green, vermillion, purple, ...).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Line styles that tell arms apart in grey-scale print too.
LINESTYLES = ("-", "--", ":", "-.")
#: Sequential colour map for magnitudes (heatmaps): perceptually uniform, CVD-safe.
SEQUENTIAL = "cividis"
#: Colour of seizures on maps and of "bad" reference marks.
SEIZURE = "#D55E00"
#: Colour of target bands (validation expectations).
BAND = "#009E73"


def color(i: int) -> str:
    """The ``i``-th palette colour (cycling)."""
    return PALETTE[i % len(PALETTE)]


def metric_label(metric: str, unit: str = "kg") -> str:
    """Axis label with units from the registry (``delivered (kg/week)``); else the name."""
    m = REGISTRY.get(metric)
    return m.label(unit) if m else metric.replace("_", " ")


def metric_title(metric: str) -> str:
    """The registry's one-sentence description, or the name."""
    m = REGISTRY.get(metric)
    return m.description if m else metric.replace("_", " ")


def physical_bounds(name: str | None) -> tuple[float | None, float | None]:
    """What a quantity can physically be: shares in [0, 1], other metrics >= 0.

    Every registered metric is a quantity, count, duration or share, none negative;
    a name that is not a metric (a change, a difference) has no bounds.
    """
    m = REGISTRY.get(name) if name else None
    if m is None:
        return (None, None)
    return (0.0, 1.0) if m.unit == "share" else (0.0, None)


def clip_band(lo, hi, bounds: tuple[float | None, float | None]):
    """A 95% band clipped at the quantity's physical bounds (no negative kg, no share > 1)."""
    low, high = bounds
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    if low is not None or high is not None:
        lo, hi = np.clip(lo, low, high), np.clip(hi, low, high)
    return lo, hi


def axes(ax=None, figsize=(6.4, 4.0)):
    """``ax``, or the axes of a new figure of ``figsize`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def legend_outside(ax, title: str | None = None, **kw):
    """A frameless legend right of the axes, so it never covers data."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    opts = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "frameon": False, "fontsize": 8}
    opts.update(kw)
    return ax.legend(handles, labels, title=title, title_fontsize=8, **opts)


def mark_policies(ax, policies=None, start: int | None = None, label: str | None = None):
    """Dashed vertical lines at policy starts, labelled along the top of the axes.

    Args:
        ax: the axes (x in weeks).
        policies: policy dicts with ``start`` and ``label`` or ``type``.
        start: one more start week to mark (e.g. from a check's ``meta`` table).
        label: that start's label.
    """
    marks = [(p.get("start", 0), p.get("label") or p.get("type", "")) for p in policies or []]
    if start is not None and not (isinstance(start, float) and np.isnan(start)):
        marks.append((start, label or "policy starts"))
    for x, text in marks:
        ax.axvline(x, color="0.25", ls="--", lw=0.9, zorder=1)
        ax.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            fontsize=7,
            color="0.25",
            rotation=90,
            va="top",
            ha="left",
        )


def shade_burn_in(ax, burn_in: int | None):
    """Grey band over the burn-in weeks (excluded from summaries)."""
    if burn_in:
        ax.axvspan(0, burn_in, color="0.92", zorder=0, lw=0, label="burn-in")


def tidy(ax, grid: str = "y"):
    """Paper look: no top/right spines, a light grid behind the data."""
    ax.spines[["top", "right"]].set_visible(False)
    if grid:
        ax.grid(axis=grid, color="0.9", lw=0.6, zorder=0)
        ax.set_axisbelow(True)
    return ax


def interval(df, mean: str = "mean", lo: str = "ci_low", hi: str = "ci_high") -> np.ndarray:
    """(2, n) non-negative error-bar lengths from interval columns (0 where missing)."""
    m = df[mean].to_numpy(dtype=float)
    low = df[lo].to_numpy(dtype=float) if lo in df else m
    high = df[hi].to_numpy(dtype=float) if hi in df else m
    err = np.vstack([m - low, high - m])
    return np.nan_to_num(err, nan=0.0).clip(min=0.0)


def save_figure(fig, out_dir: Path, stem: str, dpi: int = 150) -> list[Path]:
    """Save ``fig`` as ``out_dir/stem.png`` and ``.svg``, close it, return both paths.

    The SVG keeps its text as text (editable in a vector editor, searchable) and is
    byte-identical when the same figure is drawn again (fixed id salt, no date).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    fig.savefig(png, dpi=dpi, bbox_inches="tight")
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "xborder"}):
        fig.savefig(svg, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return [png, svg]
