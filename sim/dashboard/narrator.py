"""The "what happened" panel: a run's story in plain words, from its public records.

Everything is computed from ``state_flow`` (where the goods went), the weekly
``series`` and ``request_table()`` (the evidence requests): nothing here changes the
model. The story starts after the warm-up (``start``): totals, shifts of flow and
requests count only from there, and an effect against the status quo is told only
when it stands out of run-to-run noise: the same switches on a few other seeds
(common random numbers, :class:`~sim.dashboard.session.CorridorViz`), or "within
noise" otherwise.
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


def flow_shift(model: TraffickingModel, at: int, window: int = WINDOW, start: int = 0):
    """One sentence on where flow moved between the weeks before and after tick ``at``.

    Only weeks from ``start`` on (after the warm-up) count.
    """
    t = model.tick
    if at < start + 1 or t - at < 2:
        return None
    before = model.state_flow[max(start, at - window) : at].sum(0)
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


def requests_story(model: TraffickingModel, start: int = 0) -> list[str]:
    """Sentences on expired, refused and answered evidence requests sent from ``start`` on."""
    r = model.request_table()
    keep = r["sent"] >= start
    r = {k: np.asarray(v)[keep] for k, v in r.items()}
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
    markers: list[tuple[int, str, str]] = (),
    start: int = 0,
    noise=None,
) -> list[str]:
    """The story so far in plain sentences: totals, shifts of flow, justice, the agreements.

    Args:
        model: the run.
        markers: (story week, label, "on" or "off") of agreements switched during the
            story.
        start: the tick the story starts at (the end of the warm-up).
        noise: the participant's :class:`~sim.dashboard.session.CorridorViz` (its runs
            and status-quo twins on several seeds), to compare with the status quo.
    """
    t = model.tick
    if t <= start:
        return ["Nothing has happened yet: press Step or Play."]
    s = {k: v[start:t] for k, v in model.series.items()}
    unit = model.world.unit
    deliv, seiz = float(np.nansum(s["delivered"])), float(np.nansum(s["seized"]))
    rate = seiz / (seiz + deliv) if seiz + deliv else 0.0
    out = [
        f"In {t - start} weeks {deliv:,.0f} {unit} reached the market and {seiz:,.0f} {unit} "
        f"were seized ({rate:.0%} interdicted)."
    ]
    conv, arrests = int(np.nansum(s["convictions"])), int(np.nansum(s["arrests"]))
    out.append(f"{arrests} arrests and {conv} convictions so far.")
    by_week: dict[tuple[int, str], list[str]] = {}
    for week, label, event in markers:
        by_week.setdefault((int(week), event), []).append(label)
    for (week, event), labels in sorted(
        by_week.items(), key=lambda kv: (kv[0][0], kv[0][1] != "off")
    ):
        shift = flow_shift(model, start + week, start=start)
        after = f" After it: {shift[0].lower()}{shift[1:]}." if shift else ""
        out.append(f"Week {week}: {', '.join(labels)} switched {event}.{after}")
    if not markers and t - start > 2 * WINDOW:
        shift = flow_shift(model, t - WINDOW, window=4 * WINDOW, start=start)
        if shift:
            out.append(f"In the last {WINDOW} weeks: {shift}.")
    out += requests_story(model, start)
    if noise is not None and noise.switches:
        out.append(versus_status_quo(noise))
    return out


#: What the comparison with the status quo reports.
VERSUS = ("delivered", "seized")


def paired_effects(viz, key: str) -> np.ndarray:
    """Per seed: relative change of ``key`` (total since the first switch) against the twin."""
    since = min(int(d["start"]) for d in viz.switches)
    t = viz.tick
    out = []
    for run, twin in zip(viz.runs, viz.twins):
        if twin is None:
            continue
        a = float(np.nansum(run.series[key][since:t]))
        b = float(np.nansum(twin.series[key][since:t]))
        out.append((a - b) / b if b > 0 else 0.0)
    return np.array(out)


def versus_status_quo(viz) -> str:
    """One sentence on the switches' effect against the status quo, or "within noise".

    The effect on each seed is the change against that seed's status-quo twin (common
    random numbers); it is told only when every seed agrees on its sign and the
    ensemble's mean is at least twice its standard error, else "within noise".
    """
    n = len(viz.runs)
    head = f"Against the status quo ({n} seeds, the same luck in both arms):"
    if viz.tick <= min(int(d["start"]) for d in viz.switches) + 1:
        return f"{head} no difference yet."
    parts = []
    for key in VERSUS:
        e = paired_effects(viz, key)
        if not len(e) or np.all(e == 0):
            parts.append(f"no change in {key}")
            continue
        mean = float(e.mean())
        se = float(e.std(ddof=1) / np.sqrt(len(e))) if len(e) > 1 else np.inf
        same_sign = np.all(e > 0) or np.all(e < 0)
        if same_sign and abs(mean) >= 2 * se:
            word = "more" if mean > 0 else "less"
            parts.append(
                f"{abs(mean):.1%} {word} {key} (from {e.min():+.1%} to {e.max():+.1%} across seeds)"
            )
        else:
            parts.append(f"{key} within noise ({e.min():+.1%} to {e.max():+.1%} across seeds)")
    return f"{head} {'; '.join(parts)}."
