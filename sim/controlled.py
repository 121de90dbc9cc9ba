"""Controlled deliveries: a detected load is followed, not seized (Vienna 1988 Art. 11).

Where a ``controlled_delivery`` is in force between the state that detects a load and
the state of the load's market, and the pair trusts each other at least
``controlled_delivery_trust`` or runs a joint team, the load is followed instead of
seized with the policy's chance (stream ``controlled_delivery``): it travels on and is
sold (the seizure now is traded away), and the market state arrests the broker who
receives it, caught in the act with the evidence of the delivery, and opens a case
that climbs to the leader (docs/ODD.md 7.12). Runs between interdiction and the
markets (:func:`follow`) and after the justice phase (:func:`open_cases`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import members as M

if TYPE_CHECKING:  # pragma: no cover
    from sim.enforcement import Inspections
    from sim.justice import Justice
    from sim.routes import PathTable

#: Evidence of a controlled delivery: the seizure's, and the surveillance of the handover.
EVIDENCE_DELIVERY = 4.0


def follow(j: Justice, week: Inspections, paths: PathTable) -> np.ndarray:
    """Turn qualifying seizures into followed loads; return their indices in ``week``.

    The followed loads are no longer ``seized``; those at their market arrive.
    """
    legal = j.coop.legal
    s = np.flatnonzero(week.seized)
    if not len(s) or not legal.controlled.any():
        return s[:0]
    last = paths.nodes[week.path[s], paths.length[week.path[s]]]
    dest = j.world.loc_state[last]
    here = week.state[s]
    share = legal.controlled[here, dest]
    trusted = (j.coop.trust[here, dest] >= j.params["controlled_delivery_trust"]) | legal.jit[
        here, dest
    ]
    draw = j.streams["controlled_delivery"].random(len(s))
    idx = s[(dest != here) & trusted & (draw < share)]
    week.seized[idx] = False
    week.arrived[idx] = week.loc[idx] == paths.nodes[week.path[idx], paths.length[week.path[idx]]]
    j.rec.count("controlled_deliveries", len(idx))
    return idx


def open_cases(j: Justice, week: Inspections, paths: PathTable, idx: np.ndarray, t: int) -> None:
    """The market state arrests each followed load's receiving broker and pursues the leader."""
    from sim import justice as J
    from sim.extradition import convict, conviction_chance

    if not len(idx):
        return
    m, w, p, rng = j.mem, j.world, j.params, j.streams["controlled_delivery"]
    org = week.org[idx]
    dest = w.loc_state[paths.nodes[week.path[idx], paths.length[week.path[idx]]]]
    broker = M.pick(m, M.BROKER, m.org * w.n_states + m.state, org * w.n_states + dest, rng)
    b = broker[broker >= 0]  # without one of its own, freelancers received the load
    j.rec.count("arrests", len(b))
    chance = conviction_chance(j, np.full(len(b), EVIDENCE_DELIVERY), m.state[b])
    convict(j, b[rng.random(len(b)) < chance], t)
    # the handover identifies the organisation: the case goes straight to its leader
    leader = m.leader_of[org]
    live = m.status[leader] == M.ACTIVE
    o, d, leader = org[live], dest[live], leader[live]
    if not len(o):
        return
    j.rec.count("cases_opened", len(o))
    M.relocate(m, j.coop.legal, w, j.cases, leader, d, p, j.streams["relocation"])
    plan = J.plan_requests(j, d, leader, M.offence_of(m, w, leader), t)
    j.rec.count("requests_sent", int((plan["channel"] != J.DOMESTIC).sum()))
    j.cases.extend(
        org=o, state=d, deadline=np.full(len(o), t + int(p["case_deadline"])), target=leader,
        evidence=np.full(len(o), EVIDENCE_DELIVERY), **plan,
    )  # fmt: skip
