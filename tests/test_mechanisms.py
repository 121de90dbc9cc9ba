"""One behavioural test per mechanism, each able to fail for the reason it exists.

Each test names the deliberate bug it guards against (and was checked to catch): an
MLAT whose latency ignores the treaty, integrity dropped from the seizure probability
where a database is in force, the extradition check ignoring the nationals rule, and
conservation broken while goods wait in stock. Everything works on small variants of
the shipped scenarios with fixed seeds.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim import agreements, intel, justice
from sim import extradition as X
from sim import members as M
from sim.enforcement import seizure_probability
from sim.model import TraffickingModel
from sim.scenario import Scenario, load_scenario

# ------------------------------------------------------------------------- helpers


def variant(overrides=(), policies=(), agreements_=None, base="toy_corridor") -> Scenario:
    """A shipped scenario with ``--set`` overrides, extra policies and/or agreements."""
    sc = load_scenario(base, list(overrides))
    data = copy.deepcopy(sc.data)
    data["policies"] = [*data.get("policies", []), *map(dict, policies)]
    if agreements_ is not None:
        data["agreements"] = [dict(a) for a in agreements_]
    return Scenario(f"{sc.name}-variant", sc.path, data, [])


def sidx(m: TraffickingModel, sid: str) -> int:
    return m.world.state_index[sid]


def org_index(m: TraffickingModel, oid: str) -> int:
    return next(o.index for o in m.orgs if o.org_id == oid)


def brokers(m: TraffickingModel, org: int, state: int) -> np.ndarray:
    mem = m.members
    mask = (mem.org == org) & (mem.role == M.BROKER) & (mem.state == state)
    return np.flatnonzero(mask & (mem.status == M.ACTIVE))


def one(v, dtype=np.int64):
    return np.array([v], dtype=dtype)


# ------------------------------------------------------------ MLAT latency (treaty)
MLAT_POLICIES = (
    {"type": "add_mlat", "between": ["MKT", "NOR"], "mlat_median_weeks": 10.5},
    {"type": "add_mlat", "parties": ["MKT", "NOR", "WES"], "median_weeks": 20.5},
)


def test_mlat_latency_is_the_treatys_median_not_the_default():
    """Guards "an MLAT whose latency ignores the treaty".

    With ``latency_sigma`` ~ 0 a request's execution is its channel's median, rounded up
    to whole weeks. The bilateral treaty's 10.5 weeks (not the default
    ``mlat_median_weeks`` of 36) must reach the request's execution time (it is due
    that long after the requested central authority takes it up); a multilateral
    convention covers the other pairs with its own median, and where two treaties
    cover a pair the faster one applies.
    """
    m = TraffickingModel(variant(["latency_sigma=1e-6"], MLAT_POLICIES), seed=1)
    assert m.params["mlat_median_weeks"] == 36
    red = org_index(m, "red")
    MKT, NOR, WES = sidx(m, "MKT"), sidx(m, "NOR"), sidx(m, "WES")
    b_nor = brokers(m, red, NOR)[:2]
    b_wes = b_nor[1:]
    m.members.state[b_wes] = WES  # one of them now lives in Westland
    targets = np.array([b_nor[0], b_wes[0]])
    off = M.offence_of(m.members, m.world, targets)
    t = 7
    plan = justice.plan_requests(m.justice, np.array([MKT, MKT]), targets, off, t)
    assert plan["channel"].tolist() == [justice.MLAT, justice.MLAT]
    assert plan["requested"].tolist() == [NOR, WES]
    assert plan["service"].tolist() == [11, 21] and plan["queued"].tolist() == [1, 1]
    tx = int(np.ceil(m.params["transmission_weeks"]))
    assert plan["arrive"].tolist() == [t + tx, t + tx]
    assert plan["sent"].tolist() == [t, t]
    assert m.legal.mlat_median_weeks[MKT, NOR] == m.legal.mlat_median_weeks[NOR, MKT] == 10.5
    assert m.legal.mlat_median_weeks[MKT, WES] == m.legal.mlat_median_weeks[WES, NOR] == 20.5
    weeks = m.legal.mlat_median_weeks
    assert weeks[MKT, MKT] == 0 and weeks[MKT, sidx(m, "EAS")] == 0
    trust = m.trust[MKT, [NOR, WES]]
    np.testing.assert_allclose(plan["success"], m.params["mlat_success"] * trust)


def test_mlat_requests_in_a_run_take_the_treatys_latency():
    """Guards "an MLAT whose latency ignores the treaty", end to end in a run."""
    sc = variant(["latency_sigma=1e-6"], MLAT_POLICIES[:1])
    latencies = []
    for seed in (1, 2):
        m = TraffickingModel(sc, seed=seed).run()
        tx = int(np.ceil(m.params["transmission_weeks"]))
        for r in m.records()["requests"]:
            if r["channel"] == "mlat":
                assert {r["from"], r["to"]} == {"MKT", "NOR"}
                if r["outcome"] != "expired":
                    # transmission, the wait at the central authority, then the treaty's
                    latencies.append(r["latency_weeks"] - r["queue_weeks"] - tx)
    assert len(latencies) >= 5
    assert set(latencies) == {11}


# ------------------------------------------------- seizure probability and integrity
def _enforcement_by_hand(m: TraffickingModel, seed: int):
    """Random effective integrity (< 1), detection and effort; random arriving loads."""
    from sim.routes import Movement

    rng = np.random.default_rng(seed)
    w, enf = m.world, m.enforcement
    enf.integrity = rng.uniform(0.3, 0.9, w.n_states)
    enf.detection = rng.uniform(0.02, 0.3, w.n_states)
    enf.effort = rng.uniform(0.0, 15.0, w.n_locations)
    n = 200
    leg = rng.integers(0, w.n_legs, n)
    moved = Movement(
        idx=np.arange(n), leg=leg, loc=w.leg_to[leg], at_end=np.zeros(n, bool),
        unit_value=np.ones(n),
    )  # fmt: skip
    org = rng.integers(0, len(w.orgs), n)
    units = rng.integers(10, 300, n)
    own = rng.random((len(w.orgs), w.n_states)) < 0.5
    # per load: the database's intel where the inspecting state holds a live record
    intel = np.where(rng.random(n) < 0.5, 2.5, 1.0)
    return enf, moved, org, units, own, intel


@pytest.mark.parametrize("seed", [0, 1])
def test_seizure_probability_keeps_integrity_with_and_without_a_database(seed):
    """Guards "integrity dropped from the seizure probability where a database is in force".

    P(seized) = integrity x (1 - exp(-rate)), with rate = detection x effort x the leg's
    inspection intensity and mode x (units / size0)^size_elasticity x freelance
    exposure x swamping (k / (k + n), k fixed by the place's base effort) x intel,
    computed by hand per arriving load, with no database
    (no intel) and with one (an intel multiplier per load: the database's intel where
    the inspecting state holds a live record of the load's identifier), for integrity
    below 1: integrity caps P in both cases.
    """
    m = TraffickingModel(load_scenario("toy_corridor"), seed=0, ticks=1)
    w, p = m.world, m.params
    enf, moved, org, units, own, intel = _enforcement_by_hand(m, seed)
    loc, leg = moved.loc, moved.leg
    s = w.loc_state[loc]
    e = enf.effort[loc]
    n_here = np.array([(loc == x).sum() for x in loc])  # loads arriving at the same place
    # a place can give k loads full attention: k = c x its base effort (its state's base
    # capacity over its locations), whatever effort is placed there this week
    n_loc = np.array([(w.loc_state == x).sum() for x in range(w.n_states)])
    k = p["inspections_per_effort"] * (w.capacity / n_loc)[s]
    swamping = k / (k + n_here)
    size = (units / m.size0[org]) ** p["size_elasticity"]
    freelance = np.where(own[org, s], 1.0, p["freelance_exposure"])
    rate = enf.detection[s] * e * w.leg_inspect[leg] * w.leg_detect[leg] * size * swamping
    rate = rate * freelance
    assert (enf.integrity < 1).all() and (rate > 0).any()
    assert (freelance > 1).any() and (freelance == 1).any()

    def prob(intel_):
        return seizure_probability(enf, w, p, moved, org, units, m.size0, own, intel_)

    no_db = enf.integrity[s] * (1.0 - np.exp(-rate))
    np.testing.assert_allclose(prob(None), no_db, rtol=1e-12)
    assert (prob(None) <= enf.integrity[s]).all()

    flagged = intel
    assert len(flagged) == len(org)
    assert (flagged > 1).any() and (flagged == 1).any()
    with_db = enf.integrity[s] * (1.0 - np.exp(-rate * flagged))
    got = prob(intel)
    np.testing.assert_allclose(got, with_db, rtol=1e-12)
    assert (got <= enf.integrity[s]).all()
    assert (got[flagged > 1] > no_db[flagged > 1])[rate[flagged > 1] > 0].all()
    # a database that flags nobody changes nothing
    np.testing.assert_allclose(prob(np.ones_like(intel)), no_db, rtol=1e-12)
    # with overwhelming detection, P approaches integrity and never exceeds it
    enf.detection = np.full(w.n_states, 1e6)
    big = prob(intel)
    hit = rate > 0
    np.testing.assert_allclose(big[hit], enf.integrity[s][hit], rtol=1e-9)
    assert (big <= enf.integrity[s]).all()


def test_database_intel_multiplies_detection_where_a_live_record_is_held():
    """Guards ``intel.multiplier``: the database's intel where the inspecting member
    state holds a live record of the load's identifier (its version is the current
    one), 1 where the record is stale, absent, or the state is no member; a leaked
    record makes the organisation replace the identifier, so the record goes stale."""
    db = {"type": "create_database", "name": "X", "members": ["MKT", "NOR"], "intel": 3.0}
    m = TraffickingModel(variant(policies=[db]), seed=0, ticks=1)
    plain = TraffickingModel(load_scenario("toy_corridor"), seed=0, ticks=1)
    zero = np.zeros(1, dtype=np.int64)
    assert intel.multiplier(plain.cooperation.records, plain.legal, zero, zero, zero) is None
    coop, rec = m.cooperation, m.cooperation.records
    red, blue = org_index(m, "red"), org_index(m, "blue")
    MKT, NOR, MID = sidx(m, "MKT"), sidx(m, "NOR"), sidx(m, "MID")
    assert rec.k >= 3
    rec.version[red, 0] = 4
    rec.known[NOR, red, 0] = 4  # live
    rec.known[MKT, red, 0] = 3  # stale: the identifier has been replaced since
    rec.known[MID, blue, 1] = rec.version[blue, 1]  # live, but Midland is no member
    # (MKT, blue, 2): no record at all
    state = np.array([NOR, MKT, MID, MKT, MKT])
    org = np.array([red, red, blue, blue, red])
    slot = np.array([0, 0, 1, 2, 1])
    got = intel.multiplier(rec, m.legal, state, org, slot)
    np.testing.assert_array_equal(got, [3.0, 1.0, 1.0, 1.0, 1.0])

    # a record reaches Marketia (integrity 0, leak_rate 1: it leaks) and Nordia
    # (integrity 1: it does not); no random turnover (identifier_weeks huge)
    p = dict(m.params, leak_rate=1.0, identifier_weeks=1e12)
    v = int(rec.version[blue, 2])
    rec.pending = [
        (np.array([5, 5]), np.array([MKT, NOR]), np.array([blue, blue]),
         np.array([2, 2]), np.array([v, v]), np.array([NOR, MKT]))
    ]  # fmt: skip
    integrity = np.ones(m.world.n_states)
    integrity[MKT] = 0.0
    t0 = coop.trust[MKT, NOR]
    intel.deliver(rec, coop, integrity, p, 5, m.streams["leaks"])
    assert rec.leaks == 1 and rec.received == 2
    assert rec.known[MKT, blue, 2] == rec.known[NOR, blue, 2] == v  # both arrived
    assert rec.version[blue, 2] == v + 1  # the leak replaced the identifier
    assert coop.trust[MKT, NOR] == coop.trust[NOR, MKT] == pytest.approx(t0 - p["trust_loss_leak"])
    got = intel.multiplier(
        rec, m.legal, np.array([MKT, NOR]), np.array([blue, blue]), np.array([2, 2])
    )
    np.testing.assert_array_equal(got, [1.0, 1.0])  # both records are stale now
    assert not rec.pending


# ------------------------------------------------------ extradition and nationals
def _nationals_world(overrides=()):
    """Treaties NOR-MKT and EAS-MKT; Eastland criminalises trafficking, not conspiracy."""
    sc = variant(
        overrides,
        agreements_=[
            {"type": "extradition", "between": ["NOR", "MKT"]},
            {"type": "extradition", "between": ["EAS", "MKT"]},
        ],
    )
    m = TraffickingModel(sc, seed=0, ticks=1)
    red = org_index(m, "red")
    return m, red, brokers(m, red, sidx(m, "NOR"))[:2]


def test_extradition_keeps_nationals_where_the_state_does_not_extradite_them():
    """Guards "the extradition check ignoring the nationals rule" (``members.surrenders``).

    Eastland does not extradite its nationals. With a treaty with Marketia and the
    offence (trafficking) criminalised in both, Eastland keeps an Eastland national
    and surrenders a foreigner; a state that extradites nationals surrenders both.
    """
    m, red, (b, c) = _nationals_world()
    w, mem, legal = m.world, m.members, m.legal
    EAS, MKT, MID, NOR, WES = (sidx(m, s) for s in ("EAS", "MKT", "MID", "NOR", "WES"))
    assert not w.extradites_nationals[EAS] and w.extradites_nationals[NOR]
    trafficking = w.org_offence[red]
    assert legal.laws[EAS, trafficking] and legal.laws[MKT, trafficking]
    assert legal.extradition[MKT, EAS] and legal.extradition[EAS, MKT]

    def surrenders(member, to):
        return bool(M.surrenders(mem, legal, w, member, to, M.offence_of(mem, w, member)))

    mem.state[[b, c]] = EAS
    mem.nationality[b], mem.nationality[c] = EAS, MID
    assert M.offence_of(mem, w, b) == trafficking
    assert not surrenders(b, MKT)  # Eastland keeps its national
    assert surrenders(c, MKT)  # ... and surrenders a foreigner
    assert surrenders(b, EAS)  # at home he is simply arrested
    # a national of a state that extradites nationals is surrendered
    mem.state[b], mem.nationality[b] = NOR, NOR
    assert surrenders(b, MKT)
    # no treaty (Eastland-Westland): nobody is surrendered, national or not
    mem.state[b] = EAS
    assert not surrenders(c, WES)
    # vectorised: one member against several requesting states
    got = M.surrenders(mem, legal, w, c, np.array([MKT, WES, EAS]), trafficking)
    assert got.tolist() == [True, False, True]
    # dual criminality: Eastland lacks conspiracy, so not even a foreign leader goes
    leader = mem.leader_of[red]
    mem.state[leader], mem.nationality[leader] = EAS, MID
    assert M.offence_of(mem, w, leader) == w.leader_offence
    assert not legal.laws[EAS, w.leader_offence]
    assert not surrenders(leader, MKT)
    mem.state[leader] = NOR  # Nordia criminalises conspiracy and has the treaty
    assert surrenders(leader, MKT)


def test_nationals_rule_follows_the_scenario():
    """Guards the nationals rule's input: a national is surrendered once his state
    extradites nationals (the scenario's ``extradites_nationals``)."""
    m, red, (b, _) = _nationals_world(["states.EAS.extradites_nationals=true"])
    EAS, MKT = sidx(m, "EAS"), sidx(m, "MKT")
    m.members.state[b] = m.members.nationality[b] = EAS
    off = M.offence_of(m.members, m.world, b)
    assert M.surrenders(m.members, m.legal, m.world, b, MKT, off)


@pytest.mark.parametrize("aut_dedere", [True, False])
def test_justice_arrests_the_foreigner_and_not_the_national_abroad(aut_dedere):
    """Guards the nationals rule where justice uses it: an answered request about a
    member living in Eastland leads to an extradition request; Eastland surrenders him
    only if he is not an Eastland national, and prosecutes the national itself only if
    it is bound by aut dedere aut judicare."""
    over = ["conviction_probability=1.0", "evidence_scale=0.001", "political_refusal=0"]
    m, red, (b, c) = _nationals_world([*over, f"states.EAS.aut_dedere={str(aut_dedere).lower()}"])
    mem = m.members
    EAS, MKT, MID = sidx(m, "EAS"), sidx(m, "MKT"), sidx(m, "MID")
    mem.state[[b, c]] = EAS
    mem.nationality[b], mem.nationality[c] = EAS, MID
    off = int(m.world.org_offence[red])
    for target in (b, c):
        m.cases.extend(
            org=one(red),
            state=one(MKT),
            deadline=one(100),
            target=one(target),
            requested=one(EAS),
            channel=one(justice.LETTERS),
            due=one(0),
            sent=one(0),
            offence=one(off),
            success=one(1.0, float),
        )
    justice.advance_cases(m.justice, np.ones(m.world.n_states), 0)
    r = m.request_table()
    assert r["outcome"].tolist() == [justice.OK, justice.OK]  # both answered
    counts = m.recorder.counts
    assert counts["arrests"] == counts["extraditions_requested"] == 2  # both arrested
    ex = m.justice.extraditions
    outcome = dict(zip(ex.member.tolist(), ex.outcome.tolist()))
    assert outcome == {b: X.NATIONAL, c: X.SURRENDERED}
    # remand: the foreigner, to be surrendered, is held and leaves his post at once; the
    # national is held only if Eastland will try him itself, else he is released
    assert mem.status[c] == M.VACANT
    assert mem.status[b] == (M.VACANT if aut_dedere else M.ACTIVE)
    assert counts.get("convictions", 0) == 0  # nobody tried yet
    X.conclude(m.justice, int(ex.due.max()))
    assert counts["extraditions"] == 1 and counts["extraditions_refused"] == 1
    # the foreigner is convicted where he was surrendered; the national at home, or never
    assert counts["prosecuted_at_home"] == counts["convicted_at_home"] == int(aut_dedere)
    assert counts["convictions"] == 1 + int(aut_dedere)


# ----------------------------------------------------------------- conservation
def _check_conservation(m: TraffickingModel, ticks: int, from_tick: int = 0) -> int:
    """Step ``m``; return the ticks at which stock, in flight and arrests are all non-zero.

    Conservation is asserted at every tick, and the exact totals against the weekly
    series of produced, delivered and seized quantities.
    """
    busy = 0
    for t in range(ticks):
        m.step()
        assert m.total_produced == (m.total_delivered + m.total_seized + m.in_flight + m.stock), t
        assert m.conserved
        arrested = m.series["arrests"][: t + 1].sum()
        vacant = int((m.members.status == M.VACANT).sum())
        if t >= from_tick and m.stock > 0 and m.in_flight > 0 and arrested > 0 and vacant > 0:
            busy += 1
    assert m.series["produced"].sum() == m.total_produced > 0
    assert m.series["delivered"].sum() == m.total_delivered > 0
    assert m.series["seized"].sum() == m.total_seized > 0
    return busy


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_conservation_while_goods_wait_in_stock(seed):
    """Guards conservation with every term non-zero.

    produced = delivered + seized + in flight + stock, at every tick.

    Release capacity is tight (``capacity_headroom`` 0.6 of base production), so part of
    what the sources make to order waits in their stockpiles (``sources.stock``), and
    Andea's agency raids them (seized includes the raids). Red's leader is arrested at
    week 10 and not succeeded: red keeps shipping (only adaptation stops), and members
    are in custody at every checked tick.
    """
    arrest_leader = {
        "type": "remove_members",
        "strategy": "role",
        "role": "leader",
        "organisation": "red",
        "count": 1,
        "start": 10,
    }
    sc = variant(["leader_succession_weeks=100000", "capacity_headroom=0.6",
                  "states.AND.capacity=5"], [arrest_leader])  # fmt: skip
    m = TraffickingModel(sc, seed=seed, ticks=80)
    assert _check_conservation(m, 80, from_tick=10) == 70  # every tick from 10 on
    red = org_index(m, "red")
    src = m.orgs[red].sources[0]
    assert m.stock == int(m.sources.stock.sum()) == int(m.sources.stock[src]) > 0
    assert m.members.status[m.members.leader_of[red]] == M.VACANT
    # leaderless red still ships
    assert (m.shipments.org[m.shipments.depart >= 70] == red).any()
    # stockpile raids at the source are part of the seized total
    AND = sidx(m, "AND")
    assert m.state_seized[:, AND].sum() > 0
    assert m.series["seized"].sum() == m.total_seized


def test_conservation_when_routes_close_and_goods_pile_up():
    """Guards conservation when brokers are arrested so routes close, and in a regional
    scenario that holds stock."""
    brokers_out = {
        "type": "remove_members",
        "strategy": "role",
        "role": "broker",
        "organisation": "red",
        "share": 1.0,
        "start": 10,
    }
    m = TraffickingModel(variant(["recruit_weeks_broker=100000"], [brokers_out]), seed=1, ticks=60)
    assert _check_conservation(m, 60, from_tick=10) >= 5  # until red finds new routes
    m = TraffickingModel(load_scenario("central_america_cocaine"), seed=1, ticks=100)
    assert _check_conservation(m, 100) >= 40


# ------------------------------------------------------------------- policies
def test_capacity_building_ramps_capacity_detection_and_integrity():
    """Guards capacity_building: each multiplier ramps linearly to its factor from
    ``start``, programmes on one state and target combine with diminishing returns
    (gain = (sum of gain ** 2) ** 0.5, BUILD_RETURNS = 0.5; see
    tests/test_capacity_building.py), surges multiply, integrity is capped at 1.

    Integrity also answers bribes: the scenario's integrity is scaled by
    (1 + b) / (1 + b x pressure), pressure = value moved through the state (smoothed,
    ``value_through`` before the week) over the mean of the states that see any."""
    cb = {
        "type": "capacity_building",
        "state": "MID",
        "capacity": 3.0,
        "detection": 2.0,
        "integrity": 1.5,
        "ramp_weeks": 4,
        "start": 2,
    }
    second = {"type": "capacity_building", "state": "MID", "detection": 1.5, "ramp_weeks": 1}
    surge = {"type": "surge", "state": "MID", "factor": 2.0}
    m = TraffickingModel(variant(policies=[cb, second, surge]), seed=0, ticks=8)
    w, enf = m.world, m.enforcement
    MID = sidx(m, "MID")
    others = np.arange(w.n_states) != MID
    b = m.params["bribe_sensitivity"]
    assert b > 0
    bribed = False
    for t in range(8):
        v = enf.value_through.copy()  # what derive reads this week (set by last week's loads)
        used = v > 0
        pressure = np.where(used, v / v[used].mean(), 1.0) if used.any() else np.ones_like(v)
        bribes = (1 + b) / (1 + b * pressure)
        bribed |= bool((np.abs(bribes - 1) > 1e-3).any())
        m.step()
        frac = 0.0 if t < 2 else min(1.0, (t - 1) / 4)
        assert enf.capacity[MID] == pytest.approx(w.capacity[MID] * 2.0 * (1 + 2.0 * frac))
        combined = 1 + np.hypot(1.0 * frac, 0.5)  # the second programme: 0.5, from week 0
        assert enf.detection[MID] == pytest.approx(w.detection[MID] * combined)
        want = min(w.integrity[MID] * (1 + 0.5 * frac) * bribes[MID], 1.0)
        assert enf.integrity[MID] == pytest.approx(want)
        np.testing.assert_array_equal(enf.capacity[others], w.capacity[others])
        np.testing.assert_array_equal(enf.detection[others], w.detection[others])
        np.testing.assert_allclose(
            enf.integrity[others], np.minimum(w.integrity * bribes, 1.0)[others], rtol=1e-12
        )
    assert bribed  # the bribe factor was not 1 in some week: the check above has teeth
    # the cap: the programme and the bribe factor together would exceed 1
    assert w.integrity[MID] < 1 < w.integrity[MID] * 1.5 * bribes[MID]
    assert enf.integrity[MID] == 1.0


def test_databases_merge_by_name_and_states_join_them():
    """Guards database policies: a second ``create_database`` of the same name adds
    members (first lag kept); ``join_database`` adds states to a database in force and
    ignores one that is not."""
    pols = [
        {
            "type": "create_database",
            "name": "X",
            "members": ["MKT", "NOR"],
            "lag": 3,
            "coverage": 0.3,
            "intel": 4.0,
        },
        {"type": "create_database", "name": "X", "members": ["WES"], "lag": 9, "start": 5},
        {"type": "create_database", "name": "Z", "members": ["MID", "AND"], "start": 7},
        {"type": "join_database", "name": "X", "states": ["EAS"], "start": 6},
        {"type": "join_database", "name": "Y", "states": ["MID"]},
    ]
    m = TraffickingModel(variant(policies=pols), seed=0, ticks=1)
    MKT, NOR, WES, EAS, MID = (sidx(m, s) for s in ("MKT", "NOR", "WES", "EAS", "MID"))
    members = {}
    for t in (0, 5, 6):
        legal = agreements.rebuild(m.world, m.policies, t)
        assert set(legal.databases) == {"X"}
        x = legal.databases["X"]
        members[t] = x.members
        assert (x.lag, x.coverage, x.intel) == (3, 0.3, 4.0)  # the first creation's
    assert members == {0: {MKT, NOR}, 5: {MKT, NOR, WES}, 6: {MKT, NOR, WES, EAS}}
    assert legal.db_lag[WES, MKT] == legal.db_lag[EAS, NOR] == legal.db_lag[MKT, MKT] == 3
    assert legal.db_coverage[WES, MKT] == 0.3 and legal.db_intel[EAS] == 4.0
    assert legal.db_lag[MID, MKT] == legal.db_lag[MKT, MID] == -1
    assert legal.db_intel[MID] == 1.0
    # a database created without lag, coverage or intel takes the parameters
    p, AND = m.params, sidx(m, "AND")
    z = agreements.rebuild(m.world, m.policies, 7)
    assert (z.databases["Z"].lag, z.databases["Z"].coverage, z.databases["Z"].intel) == (
        int(p["db_lag"]),
        p["db_coverage"],
        p["db_intel_boost"],
    )
    assert z.db_lag[MID, AND] == int(p["db_lag"]) and z.db_coverage[AND, MID] == p["db_coverage"]


def test_liaison_officers_floor_is_capped_at_full_trust():
    """Guards liaison_officers: the floor is the starting trust plus the gain, capped at 1."""
    pols = [
        {"type": "liaison_officers", "between": ["MKT", "NOR"], "trust_gain": 0.1},
        {"type": "liaison_officers", "between": ["MKT", "WES"], "trust_gain": 1.0},
    ]
    m = TraffickingModel(variant(policies=pols), seed=0, ticks=1)
    MKT, NOR, WES = sidx(m, "MKT"), sidx(m, "NOR"), sidx(m, "WES")
    floor, t0 = m.legal.trust_floor, m.cooperation.trust0
    assert floor[MKT, NOR] == floor[NOR, MKT] == pytest.approx(t0[MKT, NOR] + 0.1)
    assert floor[MKT, WES] == floor[WES, MKT] == 1.0
    assert floor[NOR, WES] == 0.0


def test_policy_describe_reads_like_the_table_row():
    """Guards the one-line policy description used in tables (empty fields left out)."""
    from sim.policies import from_dict

    surge = from_dict({"type": "surge", "state": "MID", "factor": 2.0, "start": 104, "cost": 2e6})
    assert surge.describe() == "surge(state=MID, factor=2.0) from week 104, 2,000,000 USD/yr"
    mlat = from_dict({"type": "add_mlat", "between": ["MKT", "NOR"], "start": 3, "end": 9})
    assert mlat.describe() == "add_mlat(between=['MKT', 'NOR']) from week 3 to 9, 0 USD/yr"


def test_remove_members_selection_by_betweenness_share_and_count():
    """Guards ``network.select``: betweenness picks the most central members of the whole
    member network (boss lines plus the extra ties, checked with networkx); degree counts
    ties in that network; a share of 0, or neither share nor count, arrests nobody; count
    is capped at the pool; organisation and role filter it."""
    import networkx as nx

    from sim.network import select

    m = TraffickingModel(load_scenario("toy_corridor"), seed=0, ticks=1)
    mem = m.members
    rng = np.random.default_rng(0)
    a, b = mem.edges()
    assert len(mem.tie_a) > 0  # the network is not the boss tree alone
    g = nx.Graph()
    g.add_edges_from(zip(a.tolist(), b.tolist()))
    bc = nx.betweenness_centrality(g)
    picked = select(mem, "betweenness", None, 2, rng)
    assert len(picked) == 2
    rest = [bc[i] for i in range(len(mem)) if i not in picked]
    assert min(bc[int(i)] for i in picked) > max(rest)
    assert mem.leader_of[0] in picked or mem.leader_of[1] in picked
    multi = nx.MultiGraph()  # every tie counts, a pair tied twice counts twice
    multi.add_edges_from(zip(a.tolist(), b.tolist()))
    deg = dict(multi.degree())
    top = select(mem, "degree", None, 3, rng)
    assert min(deg[int(i)] for i in top) >= max(deg[i] for i in range(len(mem)) if i not in top)
    assert len(select(mem, "random", 0.0, None, rng)) == 0
    assert len(select(mem, "random", None, None, rng)) == 0
    assert len(select(mem, "random", 0.5, None, rng)) == round(0.5 * len(mem))
    assert len(select(mem, "random", None, 10 * len(mem), rng)) == len(mem)
    red = org_index(m, "red")
    couriers = np.flatnonzero((mem.org == red) & (mem.role == M.COURIER))
    sel = select(mem, "role", None, 1000, rng, org=red, role=M.COURIER)
    assert sorted(sel.tolist()) == couriers.tolist()


# ------------------------------------------- shared records: who gives, who withholds
DB_ALL = {
    "type": "create_database",
    "name": "X",
    "members": ["MID", "WES", "EAS", "NOR", "MKT"],
    "lag": 1,
    "coverage": 1.0,
}


def _entered(m: TraffickingModel, prev: np.ndarray) -> np.ndarray:
    """(S, S) records each member entered for each partner in the week just stepped.

    ``given`` is discounted once a week (phase 8) before this week's entries (phase 9).
    """
    keep = 1.0 - 1.0 / m.params["reciprocity_weeks"]
    return m.cooperation.records.given - prev * keep


def test_a_member_with_willingness_0_receives_records_but_gives_none():
    """Guards ``join_database(willingness=0)``: a free rider enters no records (for
    partners or itself) but still receives theirs, and partners' willingness toward it
    falls (reciprocity). The same run with willingness 1 shows it does seize and give."""
    given = {}
    for will in (0.0, 1.0):
        db = dict(DB_ALL, members=["MID", "WES", "NOR", "MKT"])
        join = {"type": "join_database", "name": "X", "states": ["EAS"], "willingness": will}
        m = TraffickingModel(variant(policies=[db, join]), seed=0, ticks=40).run()
        rec, EAS = m.cooperation.records, sidx(m, "EAS")
        assert m.legal.db_willing[EAS] == will and m.legal.db_lag[EAS, sidx(m, "NOR")] == 1
        given[will] = rec.given[EAS].sum()
        assert rec.given[:, EAS].sum() > 0  # partners give to it
        assert (rec.known[EAS] >= 0).any()  # and it receives
        if will == 0.0:
            partners = [sidx(m, s) for s in ("MID", "WES", "NOR", "MKT")]
            assert (rec.willing[partners, EAS] < 1).any()
            assert rec.willing[partners, EAS].mean() < rec.willing[EAS, partners].mean()
    assert given[0.0] == 0 and given[1.0] > 0


def test_sharing_condition_withholds_records_from_the_listed_partners():
    """Guards ``sharing_condition``: the withholding state enters no records for the
    listed partners, still gives to the others, and still receives from everyone."""
    cond = {"type": "sharing_condition", "state": "NOR", "partners": ["MKT", "EAS"]}
    m = TraffickingModel(variant(policies=[DB_ALL, cond]), seed=0, ticks=40).run()
    given = m.cooperation.records.given
    NOR, MKT, EAS, MID, WES = (sidx(m, s) for s in ("NOR", "MKT", "EAS", "MID", "WES"))
    assert m.legal.withhold[NOR, MKT] and not m.legal.withhold[MKT, NOR]
    assert given[NOR, MKT] == given[NOR, EAS] == 0
    assert given[NOR, MID] > 0 and given[NOR, WES] > 0
    assert given[MKT, NOR] > 0 and given[EAS, NOR] > 0


def test_suspended_cooperation_stops_records_slows_requests_and_costs_trust():
    """Guards ``suspend_cooperation``: while in force no records cross the pair (either
    way), formal requests between them take ``suspension_delay`` times longer and
    trust between them falls; afterwards records flow again."""
    start, end = 5, 25
    sus = {"type": "suspend_cooperation", "between": ["MKT", "NOR"], "start": start, "end": end}
    fixed = ["latency_sigma=1e-6", "letters_rogatory_median_weeks=80.5"]  # no rounding ties
    sc = variant(fixed, policies=[DB_ALL, sus])
    m = TraffickingModel(sc, seed=0, ticks=45)
    control = TraffickingModel(variant(fixed, policies=[DB_ALL]), seed=0)
    MKT, NOR, EAS = sidx(m, "MKT"), sidx(m, "NOR"), sidx(m, "EAS")
    during = after = others = 0.0
    for t in range(45):
        prev = m.cooperation.records.given.copy()
        m.step()
        control.step()
        new = _entered(m, prev)
        pair = new[MKT, NOR] + new[NOR, MKT]
        if start <= t < end:
            assert m.legal.suspended[MKT, NOR] and m.legal.suspended[NOR, MKT]
            during += abs(pair)
            others += new[NOR, EAS] + new[MKT, EAS]
        elif t >= end:
            after += pair
        if t == end - 1:
            t0 = m.cooperation.trust0[MKT, NOR]
            assert m.trust[MKT, NOR] < t0 - 0.1
            assert m.trust[MKT, NOR] < control.trust[MKT, NOR] - 0.1
    assert during == pytest.approx(0.0, abs=1e-9)
    assert others > 0 and after > 0
    assert not m.legal.suspended.any()
    # formal requests (the database already tried): letters rogatory, x suspension_delay
    p = m.params
    fresh = TraffickingModel(sc, seed=0)
    red = org_index(fresh, "red")
    targets = np.array([brokers(fresh, red, NOR)[0], brokers(fresh, red, sidx(fresh, "AND"))[0]])
    off = M.offence_of(fresh.members, fresh.world, targets)
    weeks = p["letters_rogatory_median_weeks"]
    for t, factor in ((start + 3, p["suspension_delay"]), (end + 3, 1.0)):
        agreements.refresh(fresh.cooperation, fresh.policies, fresh.world, t)
        plan = justice.plan_requests(
            fresh.justice, np.array([MKT, MKT]), targets, off, t, db_tried=np.ones(2, bool)
        )
        assert plan["channel"].tolist() == [justice.LETTERS, justice.LETTERS]
        # the execution time, once the requested central authority takes them up
        assert plan["service"].tolist() == [np.ceil(weeks * factor), np.ceil(weeks)]
        # no database lookup across a suspended pair either
        first = justice.plan_requests(fresh.justice, np.array([MKT]), targets[:1], off[:1], t)
        want = justice.LETTERS if factor > 1 else justice.DATABASE
        assert first["channel"].tolist() == [want]
    assert p["suspension_delay"] > 1


def test_vetted_unit_handling_every_record_stops_leaks_there():
    """Guards ``vetted_unit(records_share=1)``: records received in that state never
    leak; elsewhere they do (per record, then over a run)."""
    vet = {"type": "vetted_unit", "state": "NOR", "integrity": 1.0, "records_share": 1.0}
    m = TraffickingModel(variant(policies=[DB_ALL, vet]), seed=0, ticks=1)
    MKT, NOR = sidx(m, "MKT"), sidx(m, "NOR")
    blue, red = org_index(m, "blue"), org_index(m, "red")
    rec = m.cooperation.records
    assert m.legal.vetted[NOR] == 1.0 and m.legal.vetted[MKT] == 0.0
    # every identifier of blue reaches Marketia, every identifier of red Nordia; both
    # agencies are wholly corrupt (integrity 0) and leak_rate is 1
    k = rec.k
    to = np.repeat([MKT, NOR], k)
    rec.pending = [
        (np.zeros(2 * k, np.int64), to, np.where(to == MKT, blue, red), np.tile(np.arange(k), 2),
         np.zeros(2 * k, np.int64), np.where(to == MKT, NOR, MKT))
    ]  # fmt: skip
    p = dict(m.params, leak_rate=1.0, identifier_weeks=1e12)
    intel.deliver(rec, m.cooperation, np.zeros(m.world.n_states), p, 0, m.streams["leaks"])
    assert rec.received == 2 * k
    assert rec.leaks == k  # every record to Marketia leaked, none to Nordia
    assert (rec.version[blue] == 1).all() and (rec.version[red] == 0).all()
    # over a run: with vetted units in both members of a two-state database, no leaks
    db = dict(DB_ALL, members=["MKT", "NOR"])
    leaks = {}
    for share in (0.0, 1.0):
        vets = [dict(vet, state=s, records_share=share) for s in ("MKT", "NOR")]
        run = TraffickingModel(variant(["leak_rate=1.0"], [db, *vets]), seed=0, ticks=60).run()
        leaks[share] = run.series["leaks"].sum()
    assert leaks[1.0] == 0 and leaks[0.0] > 0


def test_corrupt_officers_drop_cases_only_with_a_drop_rate():
    """Guards ``drop_cases``: with ``case_drop_rate`` = 0 no case is dropped however
    low integrity is; with a very low integrity and a rate of 0.5 some are."""
    dropped, opened = {}, {}
    for rate in (0.0, 0.5):
        m = TraffickingModel(variant([f"case_drop_rate={rate}"]), seed=1, ticks=60)
        m.world.integrity[:] = 0.05
        m.run()
        dropped[rate] = m.series["cases_dropped"].sum()
        opened[rate] = m.series["cases_opened"].sum()
    assert opened[0.0] > 0 and dropped[0.0] == 0
    assert opened[0.5] > 0 and dropped[0.5] > 0
