"""The "what happened" panel: a run's story in plain words, from its public records.

Everything is computed from ``state_flow`` (where the goods went), the weekly
``series`` and ``request_table()`` (the evidence requests): nothing here changes the
model.
"""

from __future__ import annotations

import numpy as np

from sim import justice
from sim.model import TraffickingModel

WINDOW = 8  # weeks compared before and after an event
SHIFT = 0.05  # a change of at least 5 points of the flow share is worth telling


_CHANNEL_WORDS = {
    "domestic": "domestic channels",
    "database": "a shared database",
    "jit": "a joint team",
    "mlat": "MLAT",
    "letters_rogatory": "letters rogatory",
}


def _shares(flow: np.ndarray) -> np.ndarray:
    tot = flow.sum()
    return flow / tot if tot > 0 else np.zeros_like(flow)


def _transit(model: TraffickingModel) -> np.ndarray:
    """States that are neither a source nor a market only (where displacement shows)."""
    w = model.world
    src = {w.loc_state[i] for i, k in enumerate(w.loc_kind) if k in ("source", "market")}
    only_ends = [
        s in src
        and all(w.loc_kind[i] in ("source", "market") for i in np.flatnonzero(w.loc_state == s))
        for s in range(len(w.state_ids))
    ]
    return ~np.array(only_ends)


def flow_shift(model: TraffickingModel, at: int, window: int = WINDOW) -> str | None:
    """One sentence on where flow moved between the weeks before and after ``at``."""
    t = model.tick
    if at < 1 or t - at < 2:
        return None
    before = model.state_flow[max(0, at - window) : at].sum(0)
    after = model.state_flow[max(at, t - window) : t].sum(0)
    keep = _transit(model)
    d = (_shares(after) - _shares(before)) * keep
    lo, hi = int(np.argmin(d)), int(np.argmax(d))
    if d[hi] < SHIFT or -d[lo] < SHIFT:
        return None
    names = model.world.state_names
    return (
        f"Flow moved from {names[lo]} to {names[hi]}: {names[lo]}'s share of the traffic "
        f"fell by {-d[lo]:.0%} and {names[hi]}'s rose by {d[hi]:.0%}"
    )


def requests_story(model: TraffickingModel) -> list[str]:
    """Sentences on expired, refused and answered evidence requests."""
    r = model.request_table()
    if not len(r["outcome"]):
        return ["No evidence request has been sent abroad yet."]
    names = model.world.state_names
    out = []
    expired = r["outcome"] == justice.OUTCOMES.index("expired")
    if expired.any():
        to, n = np.unique(r["to"][expired], return_counts=True)
        worst = to[np.argmax(n)]
        out.append(
            f"{int(expired.sum())} case{'s' if expired.sum() > 1 else ''} expired waiting for "
            f"evidence, {int(n.max())} of them from {names[worst]}."
        )
    dual = r["outcome"] == justice.OUTCOMES.index("dual_criminality")
    if dual.any():
        to, n = np.unique(r["to"][dual], return_counts=True)
        out.append(
            f"{int(dual.sum())} request{'s' if dual.sum() > 1 else ''} failed for lack of dual "
            f"criminality, most often with {names[to[np.argmax(n)]]}."
        )
    ok = r["outcome"] == justice.OUTCOMES.index("answered")
    if ok.any():
        lat = (r["answered"] - r["sent"])[ok]
        chan, n = np.unique(r["channel"][ok], return_counts=True)
        out.append(
            f"{int(ok.sum())} request{'s were' if ok.sum() > 1 else ' was'} answered, in "
            f"{np.median(lat):.0f} weeks at the median, mostly by "
            f"{_CHANNEL_WORDS.get(justice.CHANNELS[chan[np.argmax(n)]], 'other channels')}."
        )
    return out


def what_happened(
    model: TraffickingModel,
    markers: list[tuple[int, str]] = (),
    base: TraffickingModel | None = None,
) -> list[str]:
    """The run so far in plain sentences: totals, shifts of flow, justice, the agreements.

    Args:
        model: the run.
        markers: (week, label) of agreements switched on during the run.
        base: the status-quo twin (same seed) in side-by-side mode.
    """
    t = model.tick
    if t == 0:
        return ["Nothing has happened yet: press Step or Play."]
    s = {k: v[:t] for k, v in model.series.items()}
    unit = model.world.unit
    deliv, seiz = float(np.nansum(s["delivered"])), float(np.nansum(s["seized"]))
    rate = seiz / (seiz + deliv) if seiz + deliv else 0.0
    out = [
        f"In {t} weeks {deliv:,.0f} {unit} reached the market and {seiz:,.0f} {unit} were "
        f"seized ({rate:.0%} interdicted)."
    ]
    conv, arrests = int(np.nansum(s["convictions"])), int(np.nansum(s["arrests"]))
    out.append(f"{arrests} arrests and {conv} convictions so far.")
    by_week: dict[int, list[str]] = {}
    for week, label in markers:
        by_week.setdefault(int(week), []).append(label)
    for week, labels in sorted(by_week.items()):
        shift = flow_shift(model, week)
        after = f" After it: {shift[0].lower()}{shift[1:]}." if shift else ""
        out.append(f"Week {week}: {', '.join(labels)} switched on.{after}")
    if not markers and t > 2 * WINDOW:
        shift = flow_shift(model, t - WINDOW, window=4 * WINDOW)
        if shift:
            out.append(f"In the last {WINDOW} weeks: {shift}.")
    out += requests_story(model)
    if base is not None and base.tick == t:
        out.append(versus_status_quo(model, base))
    return out


def versus_status_quo(model: TraffickingModel, base: TraffickingModel) -> str:
    """One sentence comparing the run with its status-quo twin (same seed) so far."""
    t = model.tick
    keys = ("delivered", "seized", "arrests", "convictions")
    tot = {k: float(np.nansum(model.series[k][:t])) for k in keys}
    btot = {k: float(np.nansum(base.series[k][:t])) for k in keys}
    head = "Against the status quo on the same seed:"
    if all(np.array_equal(model.series[k][:t], base.series[k][:t], equal_nan=True) for k in keys):
        return f"{head} no difference yet."
    parts = []
    for k in ("delivered", "seized"):
        d, b = tot[k] - btot[k], btot[k]
        word = "less" if d < 0 else "more"
        if b > 0:
            parts.append(f"{abs(d) / b:.1%} {word} {k}")
        else:
            parts.append(f"{abs(d):,.0f} {model.world.unit} {word} {k}")
    parts.append(f"{tot['convictions'] - btot['convictions']:+.0f} convictions")
    return f"{head} {', '.join(parts)}."
