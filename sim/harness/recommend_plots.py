"""Figures of recommendations and scenario discovery: ``f(data, ax=None) -> Axes``.

``data`` is the JSON document of ``xborder recommend`` / ``xborder discover``, so a
figure can be redrawn from a saved study without running anything.
"""

from __future__ import annotations

from sim.metrics import REGISTRY


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 5))
    return ax


def _objective_label(doc: dict) -> str:
    m = doc["objective"]["metric"]
    unit = REGISTRY[m].unit.format(q=doc.get("unit", "kg")) if m in REGISTRY else ""
    word = "fall" if doc["objective"]["better"] == "lower" else "rise"
    return f"benefit: {m.replace('_', ' ')} {word} ({unit})"


def plot_frontier(doc: dict, ax=None, label_top: int = 5):
    """Effect against cost of every portfolio run with all replicates; the efficient frontier.

    Points: portfolios (benefit = change in the objective signed so that up is better,
    with its paired 95% interval); the line joins the efficient ones (nothing else is
    at least as good for less); the dashed line is the budget.
    """
    ax = _axes(ax)
    pts = doc.get("frontier", [])
    sign = 1.0 if doc["objective"]["better"] == "higher" else -1.0
    for p in pts:
        lo, hi = sorted((sign * p["change_ci_low"], sign * p["change_ci_high"]))
        x = p["cost_total_usd"] / 1e6
        color = "C0" if p["efficient"] else "0.6"
        ax.errorbar(
            x,
            p["benefit"],
            yerr=[[p["benefit"] - lo], [hi - p["benefit"]]],
            fmt="o",
            color=color,
            ms=5,
            capsize=2,
            lw=1,
            alpha=0.9,
        )
    eff = sorted((p for p in pts if p["efficient"]), key=lambda p: p["cost_total_usd"])
    if eff:
        ax.plot(
            [p["cost_total_usd"] / 1e6 for p in eff],
            [p["benefit"] for p in eff],
            "-",
            color="C0",
            lw=1.2,
            label="efficient frontier",
        )
    for p in sorted(pts, key=lambda p: p["rank"])[:label_top]:
        ax.annotate(
            f"#{p['rank']} {p['portfolio']}",
            (p["cost_total_usd"] / 1e6, p["benefit"]),
            textcoords="offset points",
            xytext=(5, 4),
            fontsize=7,
        )
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(doc["budget_usd"] / 1e6, color="C3", ls="--", lw=1, label="budget")
    ax.set_xlabel("total cost over the horizon (million USD)")
    ax.set_ylabel(_objective_label(doc))
    ax.set_title(
        f"{doc['scenario']}: portfolios, {doc['replicates']} paired replicates", fontsize=10
    )
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_regret(doc: dict, ax=None):
    """Regret of each robust-analysis option across the worlds (box per option)."""
    ax = _axes(ax)
    rob = doc.get("robustness") or {}
    rows = rob.get("portfolios", [])
    names = [r["portfolio"] for r in rows]
    data = [[t["regret"] for t in rob["table"] if t["portfolio"] == n] for n in names]
    if data:
        ax.boxplot(data, vert=False, tick_labels=[n[:48] for n in names])
        ax.invert_yaxis()
    ax.set_xlabel(f"regret across {rob.get('worlds', 0)} worlds ({_objective_label(doc)[9:]})")
    ax.set_title("regret: shortfall from the best option in each world", fontsize=10)
    ax.tick_params(axis="y", labelsize=7)
    return ax


def plot_prim_tradeoff(doc: dict, ax=None):
    """PRIM peeling trajectory: coverage against density, coloured by restricted dimensions."""
    ax = _axes(ax)
    traj = doc.get("trajectory", [])
    if traj:
        sc = ax.scatter(
            [t["coverage"] for t in traj],
            [t["density"] for t in traj],
            c=[t["restricted"] for t in traj],
            cmap="viridis",
            s=18,
        )
        cb = ax.figure.colorbar(sc, ax=ax)
        cb.set_label("restricted dimensions")
    for k, b in enumerate(doc.get("boxes", [])):
        ax.scatter(
            [b["coverage"]],
            [b["density"]],
            marker="*",
            s=160,
            color="C3",
            edgecolor="k",
            zorder=3,
            label="chosen box" if k == 0 else None,
        )
        ax.annotate(
            f"box {k + 1}",
            (b["coverage"], b["density"]),
            textcoords="offset points",
            xytext=(6, -10),
            fontsize=8,
        )
    ax.set_xlabel("coverage (share of all failures inside the box)")
    ax.set_ylabel("density (share of the box's points that fail)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(
        f"PRIM: {doc.get('metric', '')} {doc.get('fail_if', '')} {doc.get('threshold', '')}",
        fontsize=10,
    )
    if doc.get("boxes"):
        ax.legend(fontsize=8, loc="lower left")
    return ax


__all__ = ["plot_frontier", "plot_prim_tradeoff", "plot_regret"]
