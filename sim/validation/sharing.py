"""Stylized facts of information sharing (docs/VALIDATION.md V17, V18, V19).

V17 free-riding: a member that joins a database with willingness 0 adds nothing to its
partners' interdiction; with willingness 1 it does. V18 leakage: the same database
with a leaking member gains less, and the organisations replace more identifiers.
V19 trust shock: suspending cooperation between a pair lowers the records they
exchange and raises their request latency; both recover after it ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.harness.stats import paired_diff
from sim.model import TraffickingModel
from sim.rng import run_seeds
from sim.scenario import load_scenario
from sim.validation.base import (
    TOY,
    CheckResult,
    Setting,
    _verdict,
    above,
    below,
    ci_row,
    crit,
    meta_table,
    variant,
    window_sum,
)

START, JOIN = 52, 104
PARTNERS, JOINER = ("NOR", "MKT"), "EAS"


def _database(members, **extra) -> dict:
    return {"type": "create_database", "name": "corridor", "members": list(members),
            "start": START, **extra}  # fmt: skip


def _partner_rate(runs, idx: dict, start: int) -> np.ndarray:
    """Per run: seized / flow in the partner states over the weeks from ``start``."""
    cols = [idx[s] for s in PARTNERS]
    seized = window_sum(runs, "state_seized", start)[:, cols].sum(1)
    flow = window_sum(runs, "state_flow", start)[:, cols].sum(1)
    return seized / np.maximum(flow, 1e-9)


def check_v17(st: Setting) -> CheckResult:
    """Free-riding: what a joining member's records add to its partners, with and without.

    Eastland joins Nordia and Marketia's database with willingness 0 (it receives, gives
    nothing) or 1. The value of its records is the paired difference between the two
    arms in the partners' interdiction rate: it must be positive. A free-rider is not
    without effect on its partners: the records it receives make its own territory
    riskier and push traffic into theirs (reported, not judged).
    """
    st = st.more(32)
    base = variant(load_scenario(TOY), "partners", [_database(PARTNERS)])
    join = {"type": "join_database", "name": "corridor", "states": [JOINER], "start": JOIN}
    free = variant(base, "free_rider", [{**join, "willingness": 0.0}])
    full = variant(base, "contributor", [{**join, "willingness": 1.0}])
    b, f, c = st.run(base), st.run(free), st.run(full)
    idx = {s["id"]: i for i, s in enumerate(base.data["states"])}
    rb, rf, rc = (_partner_rate(x, idx, JOIN) for x in (b, f, c))
    d_free, d_full, d_records = paired_diff(rb, rf), paired_diff(rb, rc), paired_diff(rf, rc)

    def given(runs):
        return np.array([np.nansum(r.series["records_contributed"][JOIN:]) for r in runs])

    extra = paired_diff(given(f), given(c))
    rows = [ci_row(r, arm=a) for r, a in ((rb, "partners only"), (rf, "EAS joins, willingness 0"),
                                          (rc, "EAS joins, willingness 1"))]  # fmt: skip
    unit = "share (partners' interdiction rate)"
    free_ci = (d_free["diff_ci_low"], d_free["diff_ci_high"])
    return _verdict(
        "V17",
        "Free-riding",
        "Eastland joins Nordia and Marketia's database in week 104: its records (willingness 1 "
        "against 0) raise the partners' interdiction rate; as a free-rider it gives nothing",
        {
            "value_of_its_records": above(d_records, unit, "willingness 1 minus 0"),
            "records_it_gives": above(extra, "records per run", "willingness 1 minus 0"),
            "free_rider_change": crit(
                d_free["diff_mean"], True, unit, "reported, not judged (displacement)", free_ci
            ),  # fmt: skip
            "contributor_change": above(d_full, unit),
        },
        {
            "rates": pd.DataFrame(rows)[["arm", "mean", "ci_low", "ci_high"]],
            "meta": meta_table(start=START, join=JOIN, joiner=JOINER),
        },  # fmt: skip
    )


def check_v18(st: Setting) -> CheckResult:
    """Leakage: a leaking member shrinks the database's gain and forces identifier changes."""
    st = st.more(32)
    toy = load_scenario(TOY)
    members = (*PARTNERS, JOINER)
    safe = {"type": "vetted_unit", "state": JOINER, "integrity": 1.0, "records_share": 1.0}
    leaky = variant(toy, "leaky", [_database(members)], ["leak_rate=1"])
    sealed = variant(toy, "sealed", [_database(members), safe], ["leak_rate=1"])
    none = variant(toy, "no_database", [], ["leak_rate=1"])
    n, lk, sl = st.run(none), st.run(leaky), st.run(sealed)
    idx = {s["id"]: i for i, s in enumerate(toy.data["states"])}
    rn, rl, rs = (_partner_rate(x, idx, START) for x in (n, lk, sl))
    d_gap = paired_diff(rl - rn, rs - rn)  # sealed gain minus leaky gain

    def leaks(runs):
        return np.array([np.nansum(r.series["leaks"][START:]) for r in runs])

    d_leaks = paired_diff(leaks(sl), leaks(lk))
    rows = [ci_row(r - rn, arm=a) for r, a in ((rl, "leaking member"), (rs, "vetted unit"))]
    return _verdict(
        "V18",
        "Leakage",
        "Nordia, Marketia and Eastland share a database from week 52; when Eastland's "
        "officers can leak (no vetted unit), the partners' gain is smaller and the "
        "organisations replace more identifiers",
        {
            "gain_lost_to_leaks": above(
                d_gap, "share (partners' interdiction rate)", "vetted gain minus leaky gain"
            ),  # fmt: skip
            "forced_identifier_changes": above(
                d_leaks, "records leaked per run", "leaky minus vetted"
            ),  # fmt: skip
        },
        {
            "gains": pd.DataFrame(rows)[["arm", "mean", "ci_low", "ci_high"]],
            "meta": meta_table(start=START, leaking=JOINER),
        },  # fmt: skip
    )


def check_v19(st: Setting) -> CheckResult:
    """Trust shock: a suspension lowers records exchanged and slows requests; both recover."""
    st = st.more(16)
    toy = load_scenario(TOY)
    a, b = PARTNERS
    shock = (130, 182)
    sc = variant(
        toy,
        "shock",
        [_database(PARTNERS, lag=1),
         {"type": "suspend_cooperation", "between": [a, b], "start": shock[0], "end": shock[1]}],
    )  # fmt: skip
    windows = {"before": (START + 26, shock[0]), "during": shock, "after": (shock[1] + 8, 260)}
    recs = {k: [] for k in windows}
    lat = {k: [] for k in windows}
    for seed in run_seeds(st.seed, st.replicates):  # in-process: per-pair records each week
        m = TraffickingModel(sc, seed=seed)
        ia, ib = (m.world.state_index[x] for x in (a, b))
        weekly = np.zeros(m.ticks)
        planned = []  # (week sent, weeks to answer) of formal requests between the pair
        while m.tick < m.ticks:
            m.step()
            t = m.tick - 1
            pr = m.cooperation.records.pair_received
            weekly[t] = pr[ia, ib] + pr[ib, ia]
            c = m.cases
            new = (c.sent == t) & (c.channel >= 2)  # JIT, MLAT, letters rogatory
            new &= ((c.state == ia) & (c.requested == ib)) | ((c.state == ib) & (c.requested == ia))
            # planned answer: due, or for a request queued at a central authority its
            # transmission plus execution (the queue's wait is not known yet)
            due = np.where(c.queued == 1, c.arrive + c.service, c.due)
            planned += [(t, d - t) for d in due[new]]
        sent = np.array([x[0] for x in planned]) if planned else np.zeros(0)
        wait = np.array([x[1] for x in planned]) if planned else np.zeros(0)
        for k, (lo, hi) in windows.items():
            recs[k].append(weekly[lo:hi].mean())
            w = wait[(sent >= lo) & (sent < hi)]
            lat[k].append(float(np.median(w)) if len(w) else np.nan)
    R = {k: np.array(v) for k, v in recs.items()}
    L = {k: np.array(v) for k, v in lat.items()}
    ok = ~np.isnan(L["before"]) & ~np.isnan(L["during"]) & ~np.isnan(L["after"])
    unit_r, unit_l = "records a week between the pair", "weeks (median planned answer time)"
    rows = [ci_row(R[k], window=k, measure="records") for k in windows]
    rows += [ci_row(L[k][ok], window=k, measure="latency") for k in windows]
    return _verdict(
        "V19",
        "Trust shock",
        f"cooperation between {a} and {b} is suspended in weeks {shock[0]}-{shock[1]}: "
        "records they exchange fall and their request latency rises; both recover after",
        {
            "records_fall": below(paired_diff(R["before"], R["during"]), unit_r),
            "records_recover": above(paired_diff(R["during"], R["after"]), unit_r),
            "latency_rises": above(paired_diff(L["before"][ok], L["during"][ok]), unit_l),
            "latency_recovers": below(paired_diff(L["during"][ok], L["after"][ok]), unit_l),
        },
        {
            "windows": pd.DataFrame(rows)[["window", "measure", "mean", "ci_low", "ci_high"]],
            "meta": meta_table(pair=f"{a}-{b}", start=shock[0], end=shock[1]),
        },  # fmt: skip
    )


SHARING_CHECKS = {"V17": check_v17, "V18": check_v18, "V19": check_v19}
