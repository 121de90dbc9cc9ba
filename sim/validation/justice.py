"""Stylized facts of justice as a process (docs/VALIDATION.md V20-V23).

Same conventions as :mod:`sim.validation.legal`: paired seeds on the toy corridor,
variants built with policies and ``--set`` overrides, a direction claimed only when
the 95% interval of the paired difference excludes zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.harness.stats import paired_diff
from sim.params import PARAMS
from sim.scenario import load_scenario
from sim.validation.base import (
    TOY,
    CheckResult,
    Setting,
    _verdict,
    above,
    below,
    crit,
    metric,
    variant,
)
from sim.validation.legal import _effects, requests

EVERYONE = ["AND", "MID", "WES", "EAS", "NOR", "MKT"]  # the toy corridor's states
#: The central authority the load check sends its cases to: Andea, the source, where
#: the brokers who dispatch the loads live (illustrative capacity: it binds).
LOADED, CAPACITY = "AND", 0.5


def _rows(runs, **where) -> list[dict]:
    """The runs' evidence requests matching ``where`` (as legal.requests), not expired."""
    return [x for r in runs for x in requests(r, **where) if x["outcome"] != "expired"]


def _median(rows) -> float:
    return float(np.median([x["latency_weeks"] for x in rows])) if rows else float("nan")


def check_v20(st: Setting) -> CheckResult:
    """The latency ladder: MLA ~10 months, an EIO-like order by its deadline, orders in days."""
    base = load_scenario(TOY)
    mla = variant(base, "mla", [{"type": "add_mlat", "parties": EVERYONE}])
    orders = variant(
        base,
        "orders",
        [
            {"type": "add_mlat", "parties": EVERYONE},
            {"type": "add_eio", "parties": EVERYONE},
            {"type": "add_production_order", "parties": EVERYONE},
        ],
    )
    a, b = st.run(mla), st.run(orders)
    rows = {
        "mlat": _rows(a, channel="mlat"),
        "eio": _rows(b, channel="eio"),
        "production_order": _rows(b, channel="production_order"),
    }
    # the EIO's and the production order's legal deadlines (whole weeks); they are the
    # bands, not caps: execution is lognormal around its median, and late answers happen
    eio, po = PARAMS["eio_deadline_weeks"].default, PARAMS["production_order_deadline_weeks"]
    bands = {
        "mlat": (35.0, 50.0),
        "eio": (0.0, eio),
        "production_order": (0.0, np.ceil(po.default)),
    }
    med = {k: _median(v) for k, v in rows.items()}
    ladder = []
    for k, v in rows.items():
        lat = [x["latency_weeks"] for x in v]
        q25, q75 = np.percentile(lat, [25, 75]) if lat else (np.nan, np.nan)
        ladder.append(
            {"instrument": k, "median_weeks": med[k], "q25": float(q25), "q75": float(q75),
             "n": len(lat), "band_low": bands[k][0], "band_high": bands[k][1]}
        )  # fmt: skip
    table = pd.DataFrame(ladder)
    return _verdict(
        "V20",
        "Latency ladder",
        "median answer: mutual legal assistance 35-50 weeks (~10 months, SWD(2018)118); "
        "EIO-like order <= 17 weeks (Directive 2014/41/EU Art. 12); production order "
        "<= 2 weeks (10 days, Regulation (EU) 2023/1543 Art. 10)",
        {
            "mla_median": crit(med["mlat"], 35 <= med["mlat"] <= 50, "weeks", "in [35, 50]"),
            "eio_median": crit(med["eio"], med["eio"] <= bands["eio"][1], "weeks", "<= 17"),
            "production_order_median": crit(
                med["production_order"],
                med["production_order"] <= bands["production_order"][1],
                "weeks",
                "<= 2",
            ),
        },
        {"ladder": table},
    )


def _latency_all(runs) -> np.ndarray:
    """Per run: median latency of every MLAT request sent to the loaded authority."""
    return np.array([_median(_rows([r], channel="mlat", to=LOADED)) for r in runs])


def check_v21(st: Setting) -> CheckResult:
    """Load: more cases sent to one central authority slow every partner; staff speeds them."""
    st = st.more(16)
    over = [f"states.{LOADED}.authority_capacity={CAPACITY}"]
    mlat = [{"type": "add_mlat", "parties": EVERYONE}]
    base = variant(load_scenario(TOY), "base", mlat, over)
    double = variant(load_scenario(TOY), "double", mlat, [*over, "case_probability=0.6"])
    staffed = variant(
        load_scenario(TOY),
        "staffed",
        [*mlat, {"type": "staff_central_authority", "state": LOADED, "factor": 2.0}],
        [*over, "case_probability=0.6"],
    )
    b, d, s = st.run(base), st.run(double), st.run(staffed)
    partners = sorted({x["from"] for x in _rows(b + d, channel="mlat", to=LOADED)})
    crits, rows = {}, []
    for p in partners:
        lb, ld, ls = (
            _median(_rows(x, channel="mlat", to=LOADED, **{"from": p})) for x in (b, d, s)
        )
        n = len(_rows(b, channel="mlat", to=LOADED, **{"from": p}))
        rows.append({"partner": p, "base": lb, "double": ld, "staffed": ls, "n_base": n})
        if n >= 20:  # partners with enough requests to judge a pooled median
            crits[f"{p}_slower_when_doubled"] = crit(ld - lb, ld > lb, "weeks", "> 0 (pooled)")
            crits[f"{p}_faster_when_staffed"] = crit(ls - ld, ls < ld, "weeks", "< 0 (pooled)")
    up = paired_diff(_latency_all(b), _latency_all(d))
    crits["median_latency_to_it_rise"] = above(up, "weeks")
    down = paired_diff(_latency_all(d), _latency_all(s))
    crits["median_latency_staffed_fall"] = below(down, "weeks")
    return _verdict(
        "V21",
        "Central-authority load",
        f"doubling the cases sent to {LOADED}'s central authority raises every partner's "
        "median latency to it; doubling its staff lowers it again",
        crits,
        {"partners": pd.DataFrame(rows)},
    )


def check_v22(st: Setting) -> CheckResult:
    """Aut dedere: a state that does not surrender its nationals prosecutes them at home."""
    st = st.more(16)
    treaties = [
        {"type": "add_mlat", "parties": EVERYONE},
        {"type": "extradition_treaty", "between": ["MKT", "AND"]},
        {"type": "extradition_treaty", "between": ["NOR", "AND"]},
    ]
    base = variant(
        load_scenario(TOY), "surrenders", treaties, ["states.AND.extradites_nationals=true"]
    )
    keeps = variant(
        load_scenario(TOY), "keeps", treaties, ["states.AND.extradites_nationals=false"]
    )
    b, k = st.run(base), st.run(keeps)
    home = paired_diff(metric(b, "prosecuted_at_home"), metric(k, "prosecuted_at_home"))
    ext = paired_diff(metric(b, "extraditions"), metric(k, "extraditions"))
    return _verdict(
        "V22",
        "Aut dedere aut judicare",
        "when Andea stops surrendering its nationals (Vienna 1988 Art. 6(9), UNTOC Art. "
        "16(10)) it prosecutes more of them at home, and surrenders fewer",
        {
            "prosecuted_at_home_change": above(home, "members/week"),
            "extraditions_change": below(ext, "members/week"),
        },
        {"effects": _effects({"prosecuted_at_home": home, "extraditions": ext})},
    )


def check_v23(st: Setting) -> CheckResult:
    """Controlled deliveries: fewer seizures, more brokers and leaders convicted."""
    st = st.more(16)
    both = [
        {"type": "add_mlat", "parties": EVERYONE},
        {"type": "extradition_treaty", "between": ["MKT", "AND"]},
        # Andea punishes directing a group, so its leaders can be surrendered at all
        {"type": "harmonize", "states": ["AND"], "offences": ["conspiracy"]},
    ]
    base = variant(load_scenario(TOY), "base", both)
    cd = variant(
        load_scenario(TOY),
        "controlled",
        [*both, {"type": "controlled_delivery", "between": ["NOR", "MKT"], "share": 0.5}],
    )
    b, c = st.run(base), st.run(cd)
    seized = paired_diff(metric(b, "seized"), metric(c, "seized"))
    conv = paired_diff(metric(b, "convictions_investigated"), metric(c, "convictions_investigated"))
    lead = paired_diff(metric(b, "leaders_convicted"), metric(c, "leaders_convicted"))
    return _verdict(
        "V23",
        "Controlled delivery",
        "following detected loads from Nordia into Marketia instead of seizing them "
        "(Vienna 1988 Art. 11): fewer seizures, more brokers and leaders convicted",
        {
            "seized_change": below(seized, "kg/week"),
            "convictions_investigated_change": above(conv, "members/week"),
            "leaders_convicted_change": above(lead, "members/week"),
        },
        {
            "effects": _effects(
                {"seized": seized, "convictions_investigated": conv, "leaders_convicted": lead}
            )
        },
    )


JUSTICE_CHECKS = {"V20": check_v20, "V21": check_v21, "V22": check_v22, "V23": check_v23}
