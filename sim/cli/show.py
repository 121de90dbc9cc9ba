"""``--show``: open the main figure in the system viewer, or draw it in the terminal.

With a display (Linux: ``DISPLAY`` or ``WAYLAND_DISPLAY``; macOS and Windows: always)
and a written figure, the figure opens in the background (``xdg-open``, ``open``,
``os.startfile``). Otherwise a compact ASCII chart of the main result is printed on
stderr. The renderers are pure functions returning lines (ASCII, <= 80 columns).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import typer

WIDTH = 80


def num(x: float) -> str:
    """A compact number: thousands separated when large, three digits otherwise."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def fit(lines: list[str]) -> list[str]:
    """Lines cut to the terminal width, ASCII only."""
    out = []
    for line in lines:
        text = line.encode("ascii", "replace").decode("ascii")
        out.append(text.rstrip()[:WIDTH])
    return out


# ------------------------------------------------------------------ run: time series
def series_chart(
    ts, metric: str = "delivered", unit: str = "", height: int = 6, width: int = 72
) -> list[str]:
    """The weekly mean of ``metric`` across replicates: a few rows high, weeks binned."""
    if ts is None or metric not in getattr(ts, "columns", ()) or "tick" not in ts.columns:
        return [f"{metric}: no time series kept"]
    weekly = ts.groupby("tick")[metric].mean().sort_index()
    weekly = weekly[weekly.notna()]
    if weekly.empty:
        return [f"{metric}: no time series kept"]
    n_reps = ts["run"].nunique() if "run" in ts.columns else 1
    lo, hi = float(weekly.min()), float(weekly.max())
    suffix = f" {unit}" if unit else ""
    labels = [f"{num(hi)}{suffix}", f"{num(lo)}{suffix}"]
    lw = max(len(s) for s in labels)
    cols = max(1, min(len(weekly), width - lw - 2))
    values = weekly.to_numpy(dtype=float)
    edges = [round(i * len(values) / cols) for i in range(cols + 1)]
    binned = [values[a:b].mean() for a, b in zip(edges, edges[1:], strict=False) if b > a]
    span = hi - lo
    levels = [0 if span == 0 else round((v - lo) / span * (height - 1)) for v in binned]
    lines = [f"{metric}: weekly mean over {n_reps} replicates"]
    for row in range(height - 1, -1, -1):
        label = labels[0] if row == height - 1 else labels[1] if row == 0 else ""
        cells = "".join("*" if lv == row else ":" if lv > row else " " for lv in levels)
        lines.append(f"{label:>{lw}} |{cells}")
    lines.append(" " * lw + " +" + "-" * len(binned))
    first, last = f"week {int(weekly.index[0])}", f"week {int(weekly.index[-1])}"
    gap = max(1, len(binned) - len(first) - len(last))
    lines.append(" " * (lw + 2) + first + " " * gap + last)
    return fit(lines)


# ------------------------------------------------------------------ compare: intervals
def interval_bar(lo: float, mid: float, hi: float, scale: float, width: int = 25) -> str:
    """'|' at zero, '=' over [lo, hi], 'o' at mid, on an axis of +-scale."""
    half = width // 2
    cells = [" "] * width

    def col(x: float) -> int:
        if scale <= 0 or not math.isfinite(x):
            return half
        return max(0, min(width - 1, half + round(x / scale * half)))

    a, b = sorted((col(lo), col(hi)))
    for i in range(a, b + 1):
        cells[i] = "="
    cells[half] = "|"
    cells[col(mid)] = "o"
    return "".join(cells)


def compare_chart(doc: dict, metrics: Sequence[str] | None = None) -> list[str]:
    """Per alternative, one line per main metric: its change with its 95% interval.

    Changes are drawn as a share of the baseline mean on a shared zero-centred axis
    (metrics with a zero baseline on their own scale, marked ``*``).
    """
    from sim.metrics import MAIN

    lines: list[str] = []
    for alt in doc.get("alternatives", []):
        stats = alt.get("metrics", {})
        names = [m for m in (metrics or MAIN) if m in stats]
        rel: dict[str, tuple[float, float, float, bool]] = {}
        for m in names:
            s = stats[m]
            trio = (s["diff_ci_low"], s["diff_mean"], s["diff_ci_high"])
            base = s.get("baseline_mean") or 0.0
            if base and math.isfinite(base):
                rel[m] = (*(100.0 * v / abs(base) for v in trio), False)
            else:
                rel[m] = (*trio, True)
        shared = [abs(v) for lo, mid, hi, own in rel.values() if not own for v in (lo, hi)]
        scale = max([v for v in shared if math.isfinite(v)] or [1.0]) or 1.0
        lines.append(
            f"{alt.get('scenario', '?')} vs {doc.get('baseline', '?')}: change, 95% "
            f"interval (axis +-{num(scale)}% of baseline)"
        )
        for m in names:
            lo, mid, hi, own = rel[m]
            s = stats[m]
            sc = max(abs(lo), abs(hi)) if own else scale
            bar = interval_bar(lo, mid, hi, sc)
            mark = "*" if own else " "
            text = f"{num(s['diff_mean'])} [{num(s['diff_ci_low'])}, {num(s['diff_ci_high'])}]"
            unit = s.get("unit") or ""
            lines.append(f"{m[:18]:<18}{mark}{bar} {text} {unit}")
    return fit(lines) or ["no comparison to show"]


# ------------------------------------------------------------------ sensitivity: bars
def indices_chart(doc: dict, metric: str | None = None, width: int = 40) -> list[str]:
    """Bars of the total index (ST; mu_star for Morris) per parameter for one metric."""
    from sim.metrics import MAIN

    per_metric = doc.get("metrics", {})
    if metric is None or metric not in per_metric:
        metric = next((m for m in MAIN if m in per_metric), next(iter(per_metric), None))
    if metric is None:
        return ["no sensitivity indices to show"]
    stats = per_metric[metric]
    key = "mu_star" if doc.get("method") == "morris" else "ST"
    values = stats.get(key) or {}
    if not values:
        return [f"{metric}: no {key} indices"]
    clean = {p: (v if v is not None and math.isfinite(v) else 0.0) for p, v in values.items()}
    top = max([max(v, 0.0) for v in clean.values()] or [0.0])
    nw = min(24, max(len(p) for p in clean))
    lines = [f"{metric}: {key} per parameter ({doc.get('method', '?')})"]
    for p, v in sorted(clean.items(), key=lambda kv: -kv[1]):
        n = 0 if top <= 0 else round(max(v, 0.0) / top * width)
        lines.append(f"{p[:nw]:<{nw}} |{'#' * n:<{width}} {num(v)}")
    return fit(lines)


# ------------------------------------------------------------------ opening a figure
def display_available() -> bool:
    """A graphical session: Linux needs DISPLAY or WAYLAND_DISPLAY; others always."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def opener_command() -> list[str] | None:
    """The command that opens a file in the system viewer (None: not installed)."""
    if sys.platform == "darwin":
        return ["open"]
    found = shutil.which("xdg-open")
    return [found] if found else None


def open_file(path: Path | str) -> bool:
    """Open ``path`` in the background, detached; False when no opener could start."""
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # type: ignore[attr-defined]
            return True
        cmd = opener_command()
        if not cmd:
            return False
        subprocess.Popen(
            [*cmd, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    return True


def present(show: bool, figures: Sequence | None, chart: Callable[[], list[str]]) -> None:
    """``--show``: open the first figure if possible, else print ``chart()`` on stderr."""
    if not show:
        return
    if figures and display_available() and open_file(figures[0]):
        typer.echo(f"opened: {figures[0]}", err=True)
        return
    for line in chart():
        typer.echo(line, err=True)


__all__ = [
    "compare_chart",
    "display_available",
    "indices_chart",
    "open_file",
    "opener_command",
    "present",
    "series_chart",
]
