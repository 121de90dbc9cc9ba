"""V5 route diversion: block the cheapest path's transit state; flow takes the next path.

Tables (``CheckResult.tables`` of check V5):

- ``paths``: path, kind, arm, flow_mean, ci_low, ci_high — per source-to-market path
  (``path`` as location ids joined by ``->``; ``kind`` "predicted" for the next-cheapest
  path the model predicts, "other" otherwise) and arm, the mean weekly flow that
  travelled the whole path once the diversion settled, with its 95% interval;
- ``meta``: key, value — ``start`` (block start week), ``blocked`` (state id);
  optional ``unit`` (quantity unit, default kg).

Figure: ``v5_paths``, flow per path in both arms, the predicted path first, then the
other paths by their flow when blocked (at most ``MAX_OTHER``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import meta_value, plot_estimates, save_figure

MAX_OTHER = 7  # other paths shown (the busiest when blocked)


def path_label(path: str, kind: str) -> str:
    """``via`` the transit locations (the source and market are shared by every path)."""
    nodes = str(path).split("->")
    via = " > ".join(nodes[1:-1]) if len(nodes) > 2 else "direct"
    return f"{'PREDICTED: ' if kind == 'predicted' else ''}via {via}"


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V5's figure from its tables into ``out_dir``; return the files written."""
    start = meta_value(tables, "start")
    blocked = meta_value(tables, "blocked", "")
    unit = meta_value(tables, "unit", "kg")
    paths = tables["paths"].copy()
    paths["label"] = [path_label(p, k) for p, k in zip(paths["path"], paths["kind"])]
    arms = list(dict.fromkeys(paths["arm"]))
    after = paths[paths["arm"] == arms[-1]]
    ranked = after.sort_values(["kind", "flow_mean"], ascending=[False, False], key=_predicted)
    order = list(dict.fromkeys(ranked["label"]))
    n_pred = int((ranked["kind"] == "predicted").sum())
    order = order[: n_pred + MAX_OTHER]
    ax = plot_estimates(
        paths[paths["label"].isin(order)],
        x="label",
        mean="flow_mean",
        hue="arm",
        order=order,
        hue_order=arms,
        kind="bar",
        horizontal=True,
        ylabel=f"flow over the whole path ({unit}/week)",
        title=f"V5 route diversion: {blocked} blocked from week {start}; "
        "mean weekly flow after it settled (95% intervals)",
    )
    return save_figure(ax.figure, out_dir, "v5_paths")


def _predicted(col: pd.Series) -> pd.Series:
    # sort key: "predicted" before "other"; flows as they are
    return col.map({"predicted": 1, "other": 0}) if col.name == "kind" else col
