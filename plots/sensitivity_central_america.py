"""Figures of experiments/sensitivity_central_america.toml, drawn from its tables only.

- ``sensitivity_central_america_indices``: Sobol first-order (S1) and total (ST)
  indices per parameter with 95% intervals, one panel per metric (with an emulator,
  the intervals combine SALib's bootstrap and the emulator's own uncertainty).
- ``sensitivity_central_america_convergence``: the total index ST against the number
  of base samples (direct Sobol) or of design points the emulator was fitted to, one
  line per parameter, one panel per metric.
- ``sensitivity_central_america_validation`` (emulator only): each design point's
  observed mean against the emulator's held-out prediction, Q2 and coverage per metric.

A metric without indices (constant output, or no value in the measured window) gets a
panel saying why; a flagged one (noise share > 0.5, or total indices summing > 1.5:
``sim.harness.indices.quality_flags``) says so in its panel's title.
Redraw: ``xborder experiment plot sensitivity_central_america``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.harness.indices import quality_flags, st_sum
from sim.plotting import plot_convergence, plot_emulator_fit, plot_indices, save_figure


def _metrics(tables: dict[str, pd.DataFrame]) -> list[str]:
    noise = tables.get("noise")
    if noise is not None and len(noise):
        return list(dict.fromkeys(noise["metric"]))
    return list(dict.fromkeys(tables["indices"]["metric"]))


def _note(tables, metric: str) -> str:
    noise = tables.get("noise")
    if noise is None:
        return "no indices"
    row = noise[noise["metric"] == metric]
    note = row["note"].iloc[0] if len(row) else ""
    return f"no indices: {note}" if isinstance(note, str) and note else "no indices"


def _noise(tables, metric: str) -> float | None:
    noise = tables.get("noise")
    row = noise[noise["metric"] == metric] if noise is not None else ()
    value = float(row["noise_share"].iloc[0]) if len(row) else float("nan")
    return value if value == value else None


def indices_doc(indices: pd.DataFrame, metric: str) -> dict:
    """One metric's ``{"S1": {p: v}, "S1_conf": {p: c}, "ST": ..., "ST_conf": ...}``."""
    doc: dict[str, dict] = {}
    for row in indices[indices["metric"] == metric].itertuples():
        doc.setdefault(row.index, {})[row.param] = row.value
        doc.setdefault(f"{row.index}_conf", {})[row.param] = row.conf
    return doc


def convergence_doc(conv: pd.DataFrame, metric: str) -> list[dict]:
    """One metric's ``[{"n", "index": {p: v}, "conf": {p: c}}]`` by growing n."""
    out = []
    sub = conv[conv["metric"] == metric]
    for n, g in sub.groupby("n", sort=True):
        out.append(
            {
                "n": int(n),
                "index": dict(zip(g["param"], g["index"])),
                "conf": dict(zip(g["param"], g["conf"])),
            }
        )
    return out


def _panels(tables, title: str, draw_one):
    metrics = _metrics(tables)
    fig, axs = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 4.0), squeeze=False)
    for ax, m in zip(axs[0], metrics):
        if not draw_one(ax, m):
            ax.text(0.5, 0.5, _note(tables, m), ha="center", va="center", transform=ax.transAxes)
            ax.set_title(m.replace("_", " "), fontsize=9)
            ax.set_axis_off()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _settings(tables) -> dict[str, str]:
    st = tables.get("settings")
    return {} if st is None else dict(zip(st["setting"], st["value"].astype(str)))


def _facts(tables, metric: str, doc: dict) -> str:
    """``noise share 0.06, ST sum 1.08; Q2 0.82 (ceiling 0.94), coverage 0.92``."""
    noise, total = doc.get("noise_share"), doc.get("st_sum")
    parts = [f"noise share {noise:.2f}" if noise is not None else "noise share -"]
    parts.append(f"ST sum {total:.2f}" if total is not None else "ST sum -")
    val = validation_doc(tables, metric)
    row = tables["validation"].set_index("metric").loc[metric] if val else None
    if row is not None:
        q2, ceiling, cov = row["q2"], row["q2_ceiling"], row["coverage"]
        return f"{', '.join(parts)}; Q2 {q2:.2f} (ceiling {ceiling:.2f}), coverage {cov:.2f}"
    return ", ".join(parts)


def validation_doc(tables, metric: str) -> dict:
    """One metric's ``{"q2", "coverage", "folds", "held_out": {observed, predicted, sd}}``."""
    val, held = tables.get("validation"), tables.get("held_out")
    row = val[val["metric"] == metric] if val is not None else ()
    if not len(row) or held is None:
        return {}
    h = held[held["metric"] == metric]
    return {
        "q2": float(row["q2"].iloc[0]),
        "coverage": float(row["coverage"].iloc[0]),
        "folds": int(row["folds"].iloc[0]),
        "held_out": {k: h[k].to_numpy(dtype=float) for k in ("observed", "predicted", "sd")},
    }


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw the index bars, the convergence lines and (emulator) the validation; PNG and SVG."""
    indices, conv = tables["indices"], tables["convergence"]
    st = _settings(tables)
    emulator = st.get("emulator")

    def bars(ax, m):
        doc = indices_doc(indices, m)
        if not doc:
            return False
        noise = _noise(tables, m)
        doc.update(noise_share=noise, st_sum=st_sum(doc), flags=quality_flags(doc, noise))
        plot_indices(doc, ax=ax, metric=m, method="sobol")
        if emulator:
            ax.set_title(f"{ax.get_title()}\n{_facts(tables, m, doc)}", fontsize=8.5)
        return True

    def lines(ax, m):
        doc = convergence_doc(conv, m)
        if not doc:
            return False
        plot_convergence(doc, ax=ax, metric=m, method="emulator" if emulator else "sobol")
        return True

    def fit(ax, m):
        doc = validation_doc(tables, m)
        if not doc:
            return False
        plot_emulator_fit(doc, ax=ax, metric=m)
        return True

    n = int(conv["n"].max()) if len(conv) else 0
    if emulator:
        title = (
            f"Sobol indices of a {emulator.upper()} emulator of the mean, {st.get('points')} "
            f"design points x {st.get('replicates')} replicates (95% intervals: bootstrap "
            "and emulator)"
        )
        growing = "design points the emulator is fitted to"
    else:
        title = f"Sobol indices, {n} base samples (95% bootstrap intervals)"
        growing = "base samples"
    name = "sensitivity_central_america_indices"
    paths = save_figure(_panels(tables, title, bars), out_dir, name)
    paths += save_figure(
        _panels(tables, f"Convergence of the total index ST with the number of {growing}", lines),
        out_dir,
        "sensitivity_central_america_convergence",
    )
    if emulator and "validation" in tables:
        paths += save_figure(
            _panels(tables, f"{emulator.upper()} emulator, held-out predictions", fit),
            out_dir,
            "sensitivity_central_america_validation",
        )
    return paths
