"""Stylized facts of markets and inspection (docs/VALIDATION.md V15, V16).

V15 replacement: a kilogram seized near the source raises the retail price much less
than one seized near the market, because a seized load is replaced at its value at the
point of seizure (Caulkins & Reuter 2010). V16 swamping: at fixed effort, doubling the
traffic into a state lowers the share of it seized there (Kleiman 1993).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.harness.stats import paired_diff
from sim.model import TraffickingModel
from sim.rng import run_seeds
from sim.routes import value_share
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

#: Units seized by the one-off operation of V15 (half a week of the toy's production).
SEIZE = 1000


def seize_in_flight(model: TraffickingModel, where: str, units: int) -> int:
    """Seize ``units`` from loads in flight near the source or near the market.

    Near the source: loads that have made one leg; near the market: loads on their last
    leg. The units are booked as losses at their value where they are. A validation
    intervention (not a policy): whole loads are taken in array order, the last one
    partly. Returns the units seized.
    """
    sh, paths, mk, w = model.shipments, model.paths, model.markets, model.world
    length = paths.length[sh.path]
    on = (sh.pos == 1) & (length > 2) if where == "source" else sh.pos == length - 1
    idx = np.flatnonzero(on & (sh.qty > 0))
    take = np.minimum(sh.qty[idx], np.maximum(units - np.cumsum(sh.qty[idx]) + sh.qty[idx], 0))
    idx, take = idx[take > 0], take[take > 0]
    src = w.price[paths.nodes[sh.path[idx], 0]]
    end = paths.nodes[sh.path[idx], length[idx]]
    value = src + (w.price[end] - src) * value_share(paths, w.leg_cost, sh.path[idx], sh.pos[idx])
    mk.book(mk.index[end], take * value)
    sh.qty[idx] -= take
    model.total_seized += int(take.sum())
    sh.keep(sh.qty > 0)
    return int(take.sum())


def check_v15(st: Setting) -> CheckResult:
    """Replacement: the same seizure raises the retail price less near the source."""
    st = st.more(16)
    base = load_scenario(TOY)
    start, window = 104, 13
    seeds = run_seeds(st.seed, st.replicates)
    rise = {"source": [], "market": []}
    seized = {"source": [], "market": []}
    for seed in seeds:  # in-process: three arms of the toy per seed, ~0.5 s
        arms = {}
        for arm in ("none", "source", "market"):
            m = TraffickingModel(base, seed=seed, ticks=start + window)
            while m.tick < start:
                m.step()
            if arm != "none":
                seized[arm].append(seize_in_flight(m, arm, SEIZE))
            m.run()
            arms[arm] = np.nanmean(m.series["retail_price"][start:])
        for arm in ("source", "market"):
            rise[arm].append(arms[arm] - arms["none"])
    r_src, r_mkt = np.array(rise["source"]), np.array(rise["market"])
    d_mkt = paired_diff(np.zeros_like(r_mkt), r_mkt)
    d_gap = paired_diff(r_src, r_mkt)
    ratio = float(r_src.mean() / r_mkt.mean()) if r_mkt.mean() > 0 else float("nan")
    usd = "USD/kg (mean retail price over the 13 weeks after)"
    rows = [ci_row(np.array(rise[a]), arm=f"{SEIZE} kg seized near the {a}") for a in rise]
    tables = {
        "price_rise": pd.DataFrame(rows)[["arm", "mean", "ci_low", "ci_high"]],
        "meta": meta_table(
            start=start,
            units=SEIZE,
            seized_source=float(np.mean(seized["source"])),
            seized_market=float(np.mean(seized["market"])),
        ),
    }
    return _verdict(
        "V15",
        "Replacement",
        f"{SEIZE} kg seized near the market raise the retail price; the same quantity "
        "seized near the source raises it by less than half as much",
        {
            "price_rise_near_market": above(d_mkt, usd),
            "market_minus_source": above(d_gap, usd, "paired gap"),
            "source_to_market_ratio": crit(ratio, ratio < 0.5, "ratio of price rises", "< 0.5"),
        },
        tables,
    )


def check_v16(st: Setting) -> CheckResult:
    """Swamping: at fixed effort, twice the traffic into the market state is seized less often."""
    st = st.more(48)
    base = variant(
        load_scenario(TOY), "fixed_effort", overrides=["agency_learning_rate=0", "exploration=0"]
    )
    double = variant(base, "double_traffic", overrides=["locations.AND-farm.production=4000"])
    b, a = st.run(base), st.run(double)
    idx = {s["id"]: i for i, s in enumerate(base.data["states"])}
    i = idx["MKT"]

    def share(runs):
        seized = window_sum(runs, "state_seized", base.burn_in)[:, i]
        flow = window_sum(runs, "state_flow", base.burn_in)[:, i]
        return seized / np.maximum(flow, 1e-9)

    s_b, s_a = share(b), share(a)
    d = paired_diff(s_b, s_a)
    rows = [ci_row(s_b, arm="status quo"), ci_row(s_a, arm="traffic x2")]
    return _verdict(
        "V16",
        "Swamping",
        "with effort fixed (no learning, no exploration), doubling production doubles the "
        "traffic into the market state MKT: the share of it seized there falls",
        {"share_seized_change": below(d, "share of the flow into MKT")},
        {
            "share_seized": pd.DataFrame(rows)[["arm", "mean", "ci_low", "ci_high"]],
            "meta": meta_table(state="MKT", production="2000 -> 4000 kg/week"),
        },
    )


MARKET_CHECKS = {"V15": check_v15, "V16": check_v16}
