"""Justice: cases climb from couriers to brokers to leaders, across borders (DESIGN 3.4).

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
extradite him to the requesting state (treaty, dual criminality, nationals rule);
arrests feed back into the organisation (sim.members). Cases are arrays processed a
whole tick at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import members as M

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel

DOMESTIC, DATABASE, JIT, MLAT, LETTERS = range(5)
CHANNELS = ("domestic", "database", "jit", "mlat", "letters_rogatory")
OK, FAILED, DUAL, EXPIRED = range(4)
OUTCOMES = ("answered", "failed", "dual_criminality", "expired")
LEADER_OFFENCE = "conspiracy"


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


def extraditable(model: TraffickingModel, member, s, offence) -> np.ndarray:
    """Whether the state holding each member would surrender him to state ``s``."""
    m = model.members
    t = m.state[member]
    legal = model.legal
    nationals_ok = model.world.extradites_nationals[t] | (m.nationality[member] != t)
    both = legal.laws[t, offence] & legal.laws[s, offence]
    return (t == s) | (legal.extradition[s, t] & both & nationals_ok)


def plan_requests(
    model: TraffickingModel, case_state, target, offence, t: int, db_tried=None
) -> dict:
    """Channel, answer tick and success chance of the evidence request for each target.

    A shared database is tried first where both states belong to one; when the member
    is not in it (``db_tried``), the request goes by the fastest formal channel.
    """
    p = model.params
    legal = model.legal
    req = model.members.state[target]
    s = case_state
    n = len(target)
    dom = req == s
    db = ~dom & (legal.db_lag[s, req] >= 0)
    if db_tried is not None:
        db &= ~db_tried
    jit = ~dom & ~db & legal.jit[s, req]
    mlat = ~dom & ~db & ~jit & (legal.mlat_median[s, req] > 0)
    # channel by priority (a lookup table avoids np.select's per-call overhead)
    channel = np.full(n, LETTERS)
    channel[mlat], channel[jit], channel[db], channel[dom] = MLAT, JIT, DATABASE, DOMESTIC
    median = np.array(
        [p["domestic_weeks"], 0.0, p["jit_median_weeks"], 0.0, p["letters_rogatory_median_weeks"]]
    )[channel]
    median[mlat] = legal.mlat_median[s[mlat], req[mlat]]
    z = model.streams["request_latency"].standard_normal(n)
    latency = median * np.exp(p["latency_sigma"] * z)
    latency[db] = legal.db_lag[s[db], req[db]]
    trust = model.trust[s, req]
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


def open_cases(model: TraffickingModel, org, seized_state, from_state, t: int) -> None:
    """Open cases from this tick's seizures; arrest and try the couriers caught."""
    p = model.params
    w = model.world
    if not len(org):
        return
    rng = model.streams["case_open"]
    want = rng.random(len(org)) < p["case_probability"]
    open_now = np.bincount(model.cases.state, minlength=w.n_states)
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
    m = model.members
    broker = M.pick(model, M.BROKER, m.org * w.n_states + m.state, o * w.n_states + f)
    courier = M.pick(model, M.COURIER, m.boss, np.where(broker >= 0, broker, -2))
    caught = courier[courier >= 0]
    model.count("arrests", len(caught))
    convicted = caught[rng.random(len(caught)) < p["conviction_probability"]]
    model.count("convictions", len(convicted))
    M.arrest(model, convicted, t)
    # next rung: the dispatching broker, or the leader when no broker is left there
    target = np.where(broker >= 0, broker, model.leader_of[o])
    live = model.members.status[target] == M.ACTIVE
    live &= _exposed(model, target, rng)
    o, s, target = o[live], s[live], target[live]
    model.count("cases_opened", len(o))  # cases that go on past the courier
    M.relocate(model, target, s)
    offence = np.where(
        model.members.role[target] == M.LEADER, model.conspiracy, model.org_offence[o]
    )
    plan = plan_requests(model, s, target, offence, t)
    model.count("requests_sent", int((plan["channel"] != DOMESTIC).sum()))
    model.cases.extend(
        org=o, state=s, deadline=np.full(len(o), t + int(p["case_deadline"])), target=target, **plan
    )


def _exposed(model: TraffickingModel, target: np.ndarray, rng) -> np.ndarray:
    """Whether the evidence reaches each target.

    Always for brokers and couriers; with probability ``leader_exposure`` for a leader,
    who keeps his distance from the goods (one draw per target, so the stream advances
    the same way whatever the roles).
    """
    draw = rng.random(len(target))
    return (model.members.role[target] != M.LEADER) | (draw < model.params["leader_exposure"])


def advance_cases(model: TraffickingModel, t: int) -> None:
    """Answer due requests, arrest and try identified members, climb or close cases."""
    c = model.cases
    p = model.params
    if not len(c) or not ((c.due <= t) | (c.deadline <= t)).any():
        return  # nothing is due this week
    m = model.members
    rng = model.streams["evidence"]
    # 1. expiry
    expired = t >= c.deadline
    model.count("cases_expired", int(expired.sum()))
    waiting_abroad = expired & (c.channel != DOMESTIC)
    model.log_requests(c, waiting_abroad, EXPIRED, t)
    # 2. requests due now
    due = ~expired & (c.due <= t)
    formal = (c.channel == MLAT) | (c.channel == LETTERS)
    # dual criminality: both the requesting and the requested state criminalise it
    laws = model.legal.laws
    dual_fail = due & formal & ~(laws[c.requested, c.offence] & laws[c.state, c.offence])
    answered = due & ~dual_fail & (rng.random(len(c)) < c.success)
    failed = due & ~dual_fail & ~answered
    abroad = c.channel != DOMESTIC
    model.count("requests_failed_dual_criminality", int((dual_fail & abroad).sum()))
    model.count("db_identifications", int((answered & (c.channel == DATABASE)).sum()))
    model.log_requests(c, answered & abroad, OK, t)
    model.log_requests(c, failed & abroad, FAILED, t)
    model.log_requests(c, dual_fail & abroad, DUAL, t)
    ok = answered & (m.status[c.target] == M.ACTIVE)
    # 3. arrest where the member is, if that state would surrender him for trial here
    surrender = ok & extraditable(model, c.target, c.state, c.offence)
    acts = surrender & (rng.random(len(c)) < model.integrity[m.state[c.target]])
    arrested = np.flatnonzero(acts)
    model.count("arrests", len(arrested))
    foreign = arrested[m.state[c.target[arrested]] != c.state[arrested]]
    model.count("extraditions", len(foreign))
    conv = arrested[rng.random(len(arrested)) < p["conviction_probability"]]
    model.count("convictions", len(conv))
    model.count("convictions_investigated", len(conv))
    M.arrest(model, c.target[conv], t)
    # a failed database lookup is followed by a formal request for the same member
    retry = np.flatnonzero(failed & (c.channel == DATABASE) & (m.status[c.target] == M.ACTIVE))
    if len(retry):
        plan = plan_requests(
            model,
            c.state[retry],
            c.target[retry],
            c.offence[retry],
            t,
            db_tried=np.ones(len(retry), dtype=bool),
        )
        model.count("requests_sent", len(retry))
        for k, v in plan.items():
            getattr(c, k)[retry] = v
        failed[retry] = False
    # 4. climb: the member's boss is the next target; leaders end the case
    nxt = np.where(answered, m.boss[c.target], -1)
    climb = answered & (nxt >= 0)
    nxt = np.maximum(nxt, 0)
    climb &= m.status[nxt] == M.ACTIVE
    climb &= _exposed(model, nxt, rng)
    close = expired | dual_fail | failed | (answered & ~climb)
    idx = np.flatnonzero(climb)
    if len(idx):
        tgt = nxt[idx]
        M.relocate(model, tgt, c.state[idx])
        offence = np.where(m.role[tgt] == M.LEADER, model.conspiracy, model.org_offence[c.org[idx]])
        plan = plan_requests(model, c.state[idx], tgt, offence, t)
        model.count("requests_sent", int((plan["channel"] != DOMESTIC).sum()))
        c.target[idx] = tgt
        for k, v in plan.items():
            getattr(c, k)[idx] = v
    c.keep(~close)
