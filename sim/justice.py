"""Justice: cases climb from couriers to brokers to leaders, across borders (docs/ODD.md 7.12-7.14).

A seizure opens a case in the seizing state with probability ``case_probability``
when the state has a free investigator (its ``investigators``, times the week's
multiplier, less those seconded to joint teams). The courier caught with the
shipment is arrested there. The case then seeks the broker who dispatched the
shipment and then the leader. Every rung whose member sits in another state needs
evidence from that state through the fastest channel the pair holds:

database (its lag; identification only), joint team (``jit_median_weeks``),
production order (stored data only, ``production_order_weeks``), EIO-like order (a week
+ ``eio_median_weeks``; its deadline is a legal limit, not a cap), MLAT (transmission + queue + the
treaty's median), letters rogatory (diplomatic transmission + queue + their median);
latencies are lognormal (``latency_sigma``), success is the channel's chance x trust.

MLAT requests and letters rogatory wait in the requested state's central-authority
queue (:mod:`sim.authorities`). A coercive request (``coercive_share``) by MLAT or
letters rogatory fails when the requested state does not criminalise the conduct
under any label (dual criminality by conduct, ``LegalState.covers``). Each answer adds
to the case's evidence, which sets the chance of a conviction
(:func:`sim.extradition.conviction_chance`). A member identified at home is arrested
and tried; one abroad, once found (a fugitive only through a red notice) and acted on,
is the object of an extradition request (:mod:`sim.extradition`). A case not finished
by its deadline expires. Cases are arrays processed a whole tick at a time; events go
to the week's :class:`~sim.records.Recorder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import agreements, authorities
from sim import extradition as X
from sim import members as M
from sim.records import DUAL, EXPIRED, FAILED, OK, OUTCOMES  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import Cooperation
    from sim.enforcement import Inspections
    from sim.records import Recorder
    from sim.rng import Streams
    from sim.routes import PathTable
    from sim.world import World

DOMESTIC, DATABASE, JIT, MLAT, LETTERS, EIO, PRODUCTION = range(7)
CHANNELS = (
    "domestic", "database", "jit", "mlat", "letters_rogatory", "eio", "production_order"
)  # fmt: skip
#: Evidence points: a seizure in flagrante, an answer, a joint team's answer.
EVIDENCE_SEIZURE, EVIDENCE_ANSWER, EVIDENCE_JIT = 2.0, 1.0, 2.0


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
        queued, arrive, service, waited: the request waits in the requested central
            authority's queue (from tick ``arrive``); its execution takes ``service``
            weeks once taken up; weeks it waited.
        coercive: the request needs a coercive measure (dual criminality applies).
        evidence: the case's evidence so far (points; conviction chance).
    """

    FIELDS = (
        "org", "state", "deadline", "target", "requested", "channel", "due", "sent",
        "offence", "queued", "arrive", "service", "waited", "coercive",
    )  # fmt: skip
    FLOATS = ("success", "evidence")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))
        for f in self.FLOATS:
            setattr(self, f, np.zeros(0))

    def __len__(self) -> int:
        return len(self.org)

    def keep(self, mask: np.ndarray) -> None:
        """Drop closed cases."""
        for f in (*self.FIELDS, *self.FLOATS):
            setattr(self, f, getattr(self, f)[mask])

    def extend(self, **cols) -> None:
        """Append new cases (a request not queued, coercive, on a seizure's evidence by default)."""
        n = len(cols["org"])
        defaults = dict(queued=0, arrive=0, service=0, waited=0, coercive=1)
        for f in (*self.FIELDS, *self.FLOATS):
            v = cols[f] if f in cols else np.full(n, defaults.get(f, EVIDENCE_SEIZURE))
            setattr(self, f, np.concatenate([getattr(self, f), v]))


@dataclass
class Justice:
    """What the justice phase reads and writes, declared once by the model.

    Attributes:
        cases: the open cases; ``mem``: the members; ``coop``: agreements and trust.
        world, params, streams: the static world, parameters and named streams.
        rec: the week's recorder.
        enf: the agencies (this week's investigators, courts and authority multipliers).
        extraditions: pending and closed extradition proceedings.
        credit: (S,) each central authority's unused capacity carried over.
    """

    cases: Cases
    mem: M.Members
    coop: Cooperation
    world: World
    params: dict
    streams: Streams
    rec: Recorder
    enf: Any = None
    extraditions: X.Extraditions = field(default_factory=X.Extraditions)
    credit: np.ndarray | None = None

    @property
    def courts(self) -> np.ndarray:
        """(S,) this week's multiplier on each state's conviction chance."""
        return self.enf.courts_mult


def work(j: Justice, week: Inspections, paths: PathTable, integrity, t: int) -> None:
    """Phase 9: share records, serve the queues, answer due requests, open cases, trust.

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
    if j.credit is None:
        j.credit = np.zeros(j.world.n_states)
    authorities.serve(j.cases, j.world.authority_capacity * j.enf.authority_mult, j.credit, t)
    drop_cases(j, integrity, t)
    advance_cases(j, integrity, t)
    X.conclude(j, t)
    open_cases(j, seized_org, seized_state, from_state, t)
    answered = j.rec.take_answered_pairs()
    agreements.update_trust(j.coop, j.params, *answered, refused=j.rec.take_refused_pairs())


def plan_requests(
    j: Justice, case_state, target, offence, t: int, db_tried=None, matched=None
) -> dict:
    """Channel, timing and success chance of the evidence request for each target.

    A shared database is tried first where both states belong to one; when the member
    is not in it (``db_tried``), the request goes by the fastest formal channel the
    pair holds (module docstring). A database match is intelligence, not evidence: it
    identifies the member, and the formal request that follows it (``db_tried`` with
    ``matched``) is targeted, so its execution takes ``db_request_speedup`` times as
    long. Between a pair whose cooperation is suspended, formal requests take
    ``suspension_delay`` times longer. Draws: ``request_kind`` (coercive, stored data)
    and ``request_latency``.
    """
    p = j.params
    legal = j.coop.legal
    req = j.mem.state[target]
    s = case_state
    n = len(target)
    kind = j.streams["request_kind"].random((2, n))
    stored = kind[1] < p["stored_data_share"]
    dom = req == s
    db = ~dom & (legal.db_lag[s, req] >= 0) & ~legal.suspended[s, req]
    if db_tried is not None:
        db &= ~db_tried
    rest = ~dom & ~db
    jit = rest & legal.jit[s, req]
    po = rest & ~jit & stored & legal.production[s, req]
    eio = rest & ~jit & ~po & legal.eio[s, req]
    mlat = rest & ~jit & ~po & ~eio & (legal.mlat_median_weeks[s, req] > 0)
    letters = rest & ~jit & ~po & ~eio & ~mlat
    # channel by priority (a lookup table avoids np.select's per-call overhead)
    channel = np.full(n, LETTERS)
    channel[mlat], channel[eio], channel[po] = MLAT, EIO, PRODUCTION
    channel[jit], channel[db], channel[dom] = JIT, DATABASE, DOMESTIC
    median = np.array([
        p["domestic_weeks"], 0.0, p["jit_median_weeks"], 0.0,
        p["letters_rogatory_median_weeks"], p["eio_median_weeks"], p["production_order_weeks"],
    ])[channel]  # fmt: skip
    median[mlat] = legal.mlat_median_weeks[s[mlat], req[mlat]]
    z = j.streams["request_latency"].standard_normal(n)
    service = median * np.exp(p["latency_sigma"] * z)
    if matched is not None:
        service = np.where(matched & ~db, service * p["db_request_speedup"], service)
    slow = legal.suspended[s, req] & ~po  # a production order goes to a provider instead
    service = np.where(slow, service * p["suspension_delay"], service)
    # transmission: central authority to central authority (letters: the diplomatic
    # channel), faster where both transmit electronically; an EIO-like order in a week
    queued = mlat | letters
    tx = np.where(letters, p["letters_transmission_weeks"], p["transmission_weeks"])
    tx = np.where(
        legal.e_transmission[s] & legal.e_transmission[req], tx * p["e_transmission_factor"], tx
    )
    tx = np.where(queued, tx, np.where(eio, 1.0, 0.0))
    service = np.ceil(service).astype(np.int64)
    service[db] = legal.db_lag[s[db], req[db]]
    arrive = t + np.ceil(tx).astype(np.int64)
    due = np.where(queued, authorities.QUEUED, arrive + service)
    trust = j.coop.trust[s, req]
    success = np.array([
        p["domestic_success"], 0.0, p["jit_success"], 0.0, p["letters_success"],
        p["eio_success"], p["production_order_success"],
    ])[channel] * np.where(dom | po, 1.0, trust)  # fmt: skip
    success[db] = legal.db_coverage[s[db], req[db]] * trust[db]
    success[mlat] = legal.mlat_success[s[mlat], req[mlat]] * trust[mlat]
    return {
        "channel": channel,
        "due": due,
        "requested": req,
        "success": success,
        "sent": np.full(n, t),
        "offence": offence,
        "queued": queued.astype(np.int64),
        "arrive": arrive,
        "service": service,
        "waited": np.zeros(n, dtype=np.int64),
        "coercive": (kind[0] < p["coercive_share"]).astype(np.int64),
    }


def open_cases(j: Justice, org, seized_state, from_state, t: int) -> None:
    """Open cases from this tick's seizures; arrest and try the couriers caught."""
    p, w, m, rec = j.params, j.world, j.mem, j.rec
    if not len(org):
        return
    rng = j.streams["case_open"]
    want = rng.random(len(org)) < p["case_probability"]
    open_now = np.bincount(j.cases.state, minlength=w.n_states)
    staff = np.floor(w.investigators * j.enf.investigators_mult).astype(np.int64)
    staff -= int(p["jit_investigators"]) * j.coop.legal.jit_teams  # seconded to joint teams
    free = np.maximum(staff - open_now, 0)
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
    got = courier >= 0  # one draw per case, caught or not: the stream keeps its place
    u, caught = rng.random(len(courier))[got], courier[got]
    rec.count("arrests", len(caught))
    chance = X.conviction_chance(j, np.full(len(caught), EVIDENCE_SEIZURE), s[got])  # caught there
    convicted = caught[u < chance]
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
        org=o, state=s, deadline=np.full(len(o), t + int(p["case_deadline"])), target=target,
        evidence=np.full(len(o), EVIDENCE_SEIZURE), **plan,
    )  # fmt: skip


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
    """Answer due requests, arrest and try (or seek the extradition of) members, climb."""
    c, p, m, w, rec = j.cases, j.params, j.mem, j.world, j.rec
    if not len(c) or not ((c.due <= t) | (c.deadline <= t)).any():
        return  # nothing is due this week
    rng = j.streams["evidence"]
    legal = j.coop.legal
    # 1. expiry
    expired = t >= c.deadline
    rec.count("cases_expired", int(expired.sum()))
    rec.log_requests(c, expired & (c.channel != DOMESTIC), EXPIRED, t)
    # 2. requests due now; dual criminality (by conduct) only for a coercive measure
    # requested by MLAT or letters rogatory
    due = ~expired & (c.due <= t)
    formal = (c.channel == MLAT) | (c.channel == LETTERS)
    both = legal.covers[c.requested, c.offence] & legal.covers[c.state, c.offence]
    dual_fail = due & formal & (c.coercive == 1) & ~both
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
    gained = np.where(c.channel == JIT, EVIDENCE_JIT, EVIDENCE_ANSWER)
    c.evidence = np.where(answered & ~identified, c.evidence + gained, c.evidence)
    ok = answered & ~identified & (m.status[c.target] == M.ACTIVE)
    # 3. the state where he lives acts on the evidence (integrity): at home he is
    # arrested and tried; abroad, once found (a fugitive only by a red notice), his
    # extradition is requested
    home = m.state[c.target] == c.state
    acts = ok & (rng.random(len(c)) < integrity[m.state[c.target]])
    here = np.flatnonzero(acts & home)
    rec.count("arrests", len(here))
    chance = X.conviction_chance(j, c.evidence[here], c.state[here])
    X.convict(j, c.target[here[rng.random(len(here)) < chance]], t)
    seek = acts & ~home & M.found(m, legal, c.target, c.state)
    seek &= ~X.pending(j.extraditions, c.target)
    away = np.flatnonzero(seek)
    away = away[np.unique(c.target[away], return_index=True)[1]]  # one request per member
    X.lodge(j, c.target[away], c.state[away], c.evidence[away], t)
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
