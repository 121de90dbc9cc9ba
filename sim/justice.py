"""Justice: cases climb from couriers to brokers to leaders, across borders (docs/ODD.md 7.12-7.14).

A seizure opens a case in the seizing state with probability ``case_probability``
when the state has a free investigator. The courier caught with the shipment is
arrested there. The case then seeks the broker who dispatched the shipment (in the
state the shipment came from) and then the leader. Every rung whose member sits in
another state needs evidence from that state through the fastest channel available:

=========  =====================================  ===========================
channel    latency                                success
=========  =====================================  ===========================
database   the database's lag (identification)    coverage x trust
JIT        lognormal, median ``jit_median_weeks``  ``jit_success`` x trust
MLAT       lognormal, the treaty's median          treaty success x trust
letters    lognormal, ``letters_rogatory_...``     ``letters_success`` x trust
=========  =====================================  ===========================

A formal request (MLAT, letters rogatory) fails when the requested state does not
criminalise the offence (dual criminality): the commodity's offence for a broker,
``conspiracy`` for a leader, who never touches the goods. A case not finished by its
deadline expires. A member identified abroad is arrested only if that state would
extradite him to the requesting state (``sim.members.surrenders``: treaty, dual
criminality, nationals rule); a leader who fled abroad is found only through an INTERPOL
red notice (``sim.members.obtainable``); arrests feed back into the organisation (sim.members).
Cases are arrays processed a whole tick at a time; events go to the week's
:class:`~sim.records.Recorder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import agreements
from sim import members as M
from sim.records import DUAL, EXPIRED, FAILED, OK, OUTCOMES  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import Cooperation
    from sim.enforcement import Inspections
    from sim.records import Recorder
    from sim.rng import Streams
    from sim.routes import PathTable
    from sim.world import World

DOMESTIC, DATABASE, JIT, MLAT, LETTERS = range(5)
CHANNELS = ("domestic", "database", "jit", "mlat", "letters_rogatory")


class Cases:
    """Open cases as parallel arrays.

    Attributes:
        org, state: organisation pursued and investigating state.
        deadline: tick at which the case expires.
        target: member slot sought by the pending request.
        requested: state asked for evidence (== state for domestic work).
        channel, due, sent, success: the pending request's channel, answer tick,
            send tick and chance of being answered.
        offence: offence index the request is about.
    """

    FIELDS = (
        "org",
        "state",
        "deadline",
        "target",
        "requested",
        "channel",
        "due",
        "sent",
        "offence",
    )

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))
        self.success = np.zeros(0)

    def __len__(self) -> int:
        return len(self.org)

    def keep(self, mask: np.ndarray) -> None:
        """Drop closed cases."""
        for f in (*self.FIELDS, "success"):
            setattr(self, f, getattr(self, f)[mask])

    def extend(self, **cols) -> None:
        """Append new cases."""
        for f in (*self.FIELDS, "success"):
            setattr(self, f, np.concatenate([getattr(self, f), cols[f]]))


@dataclass
class Justice:
    """What the justice phase reads and writes, declared once by the model.

    Attributes:
        cases: the open cases; ``mem``: the members; ``coop``: agreements and trust.
        world, params, streams: the static world, parameters and named streams.
        rec: the week's recorder.
    """

    cases: Cases
    mem: M.Members
    coop: Cooperation
    world: World
    params: dict
    streams: Streams
    rec: Recorder


def work(j: Justice, week: Inspections, paths: PathTable, integrity, t: int) -> None:
    """Phase 9: share records, answer due requests, open new cases, update trust.

    Args:
        j: the justice state.
        week: this week's inspections (seizures: owner, seizing state, path, leg).
        paths: the path table (a seized shipment's path is shared with partners).
        integrity: (S,) this week's effective integrity (a state acts on a request).
        t: this tick.
    """
    s = week.seized
    seized_org, seized_state = week.org[s], week.state[s]
    from_state = j.world.loc_state[j.world.leg_from[week.leg[s]]]  # the dispatching broker's
    seized_nodes = paths.nodes[week.path[s]]
    agreements.share_seizures(
        j.coop, j.world, seized_org, week.ident[s], seized_state, seized_nodes, t,
        j.streams["database"],
    )  # fmt: skip
    drop_cases(j, integrity, t)
    advance_cases(j, integrity, t)
    open_cases(j, seized_org, seized_state, from_state, t)
    answered = j.rec.take_answered_pairs()
    agreements.update_trust(j.coop, j.params, *answered, refused=j.rec.take_refused_pairs())


def plan_requests(
    j: Justice, case_state, target, offence, t: int, db_tried=None, matched=None
) -> dict:
    """Channel, answer tick and success chance of the evidence request for each target.

    A shared database is tried first where both states belong to one; when the member
    is not in it (``db_tried``), the request goes by the fastest formal channel.
    A database match is intelligence, not evidence: it identifies the member, and the
    formal request that follows it (``db_tried`` with ``matched``) is targeted, so its
    latency is ``db_request_speedup`` times the channel's. Between a pair whose
    cooperation is suspended, formal requests take ``suspension_delay`` times longer.
    Latencies are drawn from the ``request_latency`` stream.
    """
    p = j.params
    legal = j.coop.legal
    req = j.mem.state[target]
    s = case_state
    n = len(target)
    dom = req == s
    db = ~dom & (legal.db_lag[s, req] >= 0) & ~legal.suspended[s, req]
    if db_tried is not None:
        db &= ~db_tried
    jit = ~dom & ~db & legal.jit[s, req]
    mlat = ~dom & ~db & ~jit & (legal.mlat_median_weeks[s, req] > 0)
    # channel by priority (a lookup table avoids np.select's per-call overhead)
    channel = np.full(n, LETTERS)
    channel[mlat], channel[jit], channel[db], channel[dom] = MLAT, JIT, DATABASE, DOMESTIC
    median = np.array(
        [p["domestic_weeks"], 0.0, p["jit_median_weeks"], 0.0, p["letters_rogatory_median_weeks"]]
    )[channel]
    median[mlat] = legal.mlat_median_weeks[s[mlat], req[mlat]]
    z = j.streams["request_latency"].standard_normal(n)
    latency = median * np.exp(p["latency_sigma"] * z)
    if matched is not None:
        latency = np.where(matched & ~db, latency * p["db_request_speedup"], latency)
    latency = np.where(legal.suspended[s, req], latency * p["suspension_delay"], latency)
    latency[db] = legal.db_lag[s[db], req[db]]
    trust = j.coop.trust[s, req]
    success = np.array([p["domestic_success"], 0.0, p["jit_success"], 0.0, p["letters_success"]])[
        channel
    ] * np.where(dom, 1.0, trust)
    success[db] = legal.db_coverage[s[db], req[db]] * trust[db]
    success[mlat] = legal.mlat_success[s[mlat], req[mlat]] * trust[mlat]
    return {
        "channel": channel,
        "due": t + np.ceil(latency).astype(np.int64),
        "requested": req,
        "success": success,
        "sent": np.full(n, t),
        "offence": offence,
    }


def open_cases(j: Justice, org, seized_state, from_state, t: int) -> None:
    """Open cases from this tick's seizures; arrest and try the couriers caught."""
    p, w, m, rec = j.params, j.world, j.mem, j.rec
    if not len(org):
        return
    rng = j.streams["case_open"]
    want = rng.random(len(org)) < p["case_probability"]
    open_now = np.bincount(j.cases.state, minlength=w.n_states)
    free = np.maximum(w.investigators - open_now, 0)
    idx = np.flatnonzero(want)
    # at most `free` new cases per state: rank seizures within their state
    st = seized_state[idx]
    order = np.argsort(st, kind="stable")
    ranks = np.empty(len(idx), dtype=np.int64)
    starts = np.searchsorted(st[order], st[order])
    ranks[order] = np.arange(len(idx)) - starts
    idx = idx[ranks < free[st]]
    if not len(idx):
        return
    o, s, f = org[idx], seized_state[idx], from_state[idx]
    # the courier: one of the dispatching broker's couriers, caught with the goods
    broker = M.pick(m, M.BROKER, m.org * w.n_states + m.state, o * w.n_states + f, rng)
    courier = M.pick(m, M.COURIER, m.boss, np.where(broker >= 0, broker, -2), rng)
    caught = courier[courier >= 0]
    rec.count("arrests", len(caught))
    convicted = caught[rng.random(len(caught)) < p["conviction_probability"]]
    rec.count("convictions", len(convicted))
    M.arrest(m, convicted, t, p, j.streams["recruitment"])
    # next rung: the dispatching broker, or the leader when no broker is left there
    target = np.where(broker >= 0, broker, m.leader_of[o])
    live = m.status[target] == M.ACTIVE
    live &= _exposed(m, target, p, rng)
    o, s, target = o[live], s[live], target[live]
    rec.count("cases_opened", len(o))  # cases that go on past the courier
    M.relocate(m, j.coop.legal, w, j.cases, target, s, p, j.streams["relocation"])
    offence = M.offence_of(m, w, target)
    plan = plan_requests(j, s, target, offence, t)
    rec.count("requests_sent", int((plan["channel"] != DOMESTIC).sum()))
    j.cases.extend(
        org=o, state=s, deadline=np.full(len(o), t + int(p["case_deadline"])), target=target, **plan
    )


def _exposed(mem: M.Members, target: np.ndarray, params: dict, rng) -> np.ndarray:
    """Whether the evidence reaches each target.

    Always for brokers and couriers; with probability ``leader_exposure`` for a leader,
    who keeps his distance from the goods (one draw per target, so the stream advances
    the same way whatever the roles).
    """
    draw = rng.random(len(target))
    return (mem.role[target] != M.LEADER) | (draw < params["leader_exposure"])


def drop_cases(j: Justice, integrity: np.ndarray, t: int) -> None:
    """A corrupt officer may drop an open case: each week with (1 - integrity) x case_drop_rate.

    Draws from the ``case_drop`` stream, one per open case, so the other justice
    streams advance as they would without corruption.
    """
    c = j.cases
    if not len(c):
        return
    p_drop = (1.0 - integrity[c.state]) * j.params["case_drop_rate"]
    dropped = j.streams["case_drop"].random(len(c)) < p_drop
    if dropped.any():
        j.rec.count("cases_dropped", int(dropped.sum()))
        j.rec.log_requests(c, dropped & (c.channel != DOMESTIC), EXPIRED, t)
        c.keep(~dropped)


def advance_cases(j: Justice, integrity: np.ndarray, t: int) -> None:
    """Answer due requests, arrest and try identified members, climb or close cases."""
    c, p, m, w, rec = j.cases, j.params, j.mem, j.world, j.rec
    if not len(c) or not ((c.due <= t) | (c.deadline <= t)).any():
        return  # nothing is due this week
    rng = j.streams["evidence"]
    legal = j.coop.legal
    # 1. expiry
    expired = t >= c.deadline
    rec.count("cases_expired", int(expired.sum()))
    waiting_abroad = expired & (c.channel != DOMESTIC)
    rec.log_requests(c, waiting_abroad, EXPIRED, t)
    # 2. requests due now
    due = ~expired & (c.due <= t)
    formal = (c.channel == MLAT) | (c.channel == LETTERS)
    # dual criminality: both the requesting and the requested state criminalise it
    laws = legal.laws
    dual_fail = due & formal & ~(laws[c.requested, c.offence] & laws[c.state, c.offence])
    answered = due & ~dual_fail & (rng.random(len(c)) < c.success)
    failed = due & ~dual_fail & ~answered
    abroad = c.channel != DOMESTIC
    rec.count("requests_failed_dual_criminality", int((dual_fail & abroad).sum()))
    rec.count("db_identifications", int((answered & (c.channel == DATABASE)).sum()))
    rec.log_requests(c, answered & abroad, OK, t)
    rec.log_requests(c, failed & abroad, FAILED, t)
    rec.log_requests(c, dual_fail & abroad, DUAL, t)
    # intelligence is not evidence: a database match only leads to a formal request
    identified = answered & (c.channel == DATABASE)
    ok = answered & ~identified & (m.status[c.target] == M.ACTIVE)
    # 3. arrest where the member is, if he can be found there (a fugitive abroad only by
    # a red notice) and that state would surrender him for trial here
    surrender = ok & M.obtainable(m, legal, w, c.target, c.state, c.offence)
    acts = surrender & (rng.random(len(c)) < integrity[m.state[c.target]])
    arrested = np.flatnonzero(acts)
    rec.count("arrests", len(arrested))
    foreign = arrested[m.state[c.target[arrested]] != c.state[arrested]]
    rec.count("extraditions", len(foreign))
    rec.count("notice_arrests", int((m.fugitive[c.target[foreign]] != 0).sum()))
    conv = arrested[rng.random(len(arrested)) < p["conviction_probability"]]
    rec.count("convictions", len(conv))
    rec.count("convictions_investigated", len(conv))
    M.arrest(m, c.target[conv], t, p, j.streams["recruitment"])
    # a database lookup, matched or not, is followed by a formal request for the member;
    # a match makes it a targeted, faster one
    lookup = (failed | identified) & (c.channel == DATABASE) & (m.status[c.target] == M.ACTIVE)
    retry = np.flatnonzero(lookup)
    if len(retry):
        plan = plan_requests(
            j,
            c.state[retry],
            c.target[retry],
            c.offence[retry],
            t,
            db_tried=np.ones(len(retry), dtype=bool),
            matched=identified[retry],
        )
        rec.count("requests_sent", len(retry))
        for k, v in plan.items():
            getattr(c, k)[retry] = v
        failed[retry] = False
        answered[retry] = False

    # 4. climb: the member's boss is the next target; leaders end the case
    nxt = np.where(answered, m.boss[c.target], -1)
    climb = answered & (nxt >= 0)
    nxt = np.maximum(nxt, 0)
    climb &= m.status[nxt] == M.ACTIVE
    climb &= _exposed(m, nxt, p, rng)
    close = expired | dual_fail | failed | (answered & ~climb)
    idx = np.flatnonzero(climb)
    if len(idx):
        tgt = nxt[idx]
        M.relocate(m, legal, w, c, tgt, c.state[idx], p, j.streams["relocation"])
        offence = M.offence_of(m, w, tgt)
        plan = plan_requests(j, c.state[idx], tgt, offence, t)
        rec.count("requests_sent", int((plan["channel"] != DOMESTIC).sum()))
        c.target[idx] = tgt
        for k, v in plan.items():
            getattr(c, k)[idx] = v
    c.keep(~close)
