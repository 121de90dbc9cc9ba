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
    with its paired 95% interval); the status quo sits at (0, 0); the line joins the
    efficient ones (nothing else is at least as good for less); the dashed line is the
    budget. Portfolios of equal cost are spread a little sideways so their intervals
    stay apart; the top ``label_top`` are numbered by rank.
    """
    ax = _axes(ax)
    pts = doc.get("frontier", [])
    sign = 1.0 if doc["objective"]["better"] == "higher" else -1.0
    span = max([p["cost_total_usd"] for p in pts] + [doc["budget_usd"]]) / 1e6
    by_cost: dict[float, list] = {}
    for p in sorted(pts, key=lambda p: p["rank"]):
        by_cost.setdefault(round(p["cost_total_usd"], 2), []).append(p)
    xs = {}
    for group in by_cost.values():
        for k, p in enumerate(group):
            shift = (k - (len(group) - 1) / 2) * 0.008 * span
            xs[p["portfolio"]] = p["cost_total_usd"] / 1e6 + shift
    for p in pts:
        lo, hi = sorted((sign * p["change_ci_low"], sign * p["change_ci_high"]))
        color = "C0" if p["efficient"] else "0.65"
        ax.errorbar(
            xs[p["portfolio"]],
            p["benefit"],
            yerr=[[max(p["benefit"] - lo, 0)], [max(hi - p["benefit"], 0)]],
            fmt="o",
            color=color,
            ms=4.5,
            capsize=2,
            lw=0.9,
            zorder=3 if p["efficient"] else 2,
        )
    eff = sorted((p for p in pts if p["efficient"]), key=lambda p: p["cost_total_usd"])
    ax.plot(
        [0.0, *[xs[p["portfolio"]] for p in eff]],
        [0.0, *[p["benefit"] for p in eff]],
        "-",
        color="C0",
        lw=1.2,
        label="efficient frontier",
    )
    ax.plot([0], [0], "s", color="k", ms=5, label="status quo")
    top = sorted(pts, key=lambda p: p["rank"])[:label_top]
    for p in top:
        ax.annotate(
            str(p["rank"]),
            (xs[p["portfolio"]], p["benefit"]),
            textcoords="offset points",
            xytext=(5, 3),
            fontsize=8,
            fontweight="bold",
        )
    if top:
        key = "\n".join(f"{p['rank']}: {p['portfolio']}" for p in top)
        ax.text(
            0.01,
            0.99,
            key,
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize=7,
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.8", "alpha": 0.9},
        )
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(doc["budget_usd"] / 1e6, color="C3", ls="--", lw=1, label="budget")
    ax.set_xlabel("total cost over the horizon (million USD; illustrative unit costs)")
    ax.set_ylabel(_objective_label(doc))
    ax.set_title(
        f"{doc['scenario']}: portfolios under the budget, {doc['replicates']} paired "
        "replicates (95% intervals)",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_regret(doc: dict, ax=None):
    """Regret of each robust-analysis option across the worlds (box per option)."""
    ax = _axes(ax)
    rob = doc.get("robustness") or {}
    rows = rob.get("portfolios", [])
    names = [r["portfolio"] for r in rows]
    data = [[t["regret"] for t in rob["table"] if t["portfolio"] == n] for n in names]
    if data:
        ax.boxplot(data, orientation="horizontal", tick_labels=[n[:48] for n in names])
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
