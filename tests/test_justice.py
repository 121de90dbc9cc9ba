"""The legal-cooperation layer, one mechanism at a time.

Each test builds a small variant of the toy corridor (or works on a freshly set-up
model) so that exactly one mechanism decides the outcome: dual criminality, shared
databases, case deadlines, safe havens, recruitment, succession and dormancy, own
brokers versus freelancers, the legal policies and trust. Seeds are fixed; statistical
statements use several seeds or effects large enough not to be flaky.
"""

from __future__ import annotations

import copy
from functools import cache

import numpy as np
import pytest

from sim import agreements, justice
from sim import extradition as X
from sim import members as M
from sim.model import TraffickingModel
from sim.policies import REGISTRY, from_dict
from sim.scenario import Scenario, load_scenario, validate
from sim.scenario_schema import ScenarioError

SEEDS = (1, 2, 3)


# ------------------------------------------------------------------------- helpers


def arrest(m, idx, t):
    """Arrest members of model ``m`` (recruitment lags from its own stream)."""
    M.arrest(m.members, idx, t, m.params, m.streams["recruitment"])


def relocate(m, target, pursuer):
    M.relocate(
        m.members, m.legal, m.world, m.cases, target, pursuer, m.params, m.streams["relocation"]
    )


def surrenders(m, member, to_state):
    offence = M.offence_of(m.members, m.world, member)
    return M.surrenders(m.members, m.legal, m.world, member, to_state, offence)


def scenario(overrides=(), policies=(), agreements_=None, edit=None, base="toy_corridor"):
    """A validated variant of a shipped scenario: overrides, extra policies, agreements."""
    sc = load_scenario(base, list(overrides))
    data = copy.deepcopy(sc.data)
    if policies:
        data["policies"] = [*data.get("policies", []), *map(dict, policies)]
    if agreements_ is not None:
        data["agreements"] = list(agreements_)
    if edit is not None:
        edit(data)
    validate(data, sc.path)
    return Scenario(f"{sc.name}-test", sc.path, data)


def model(sc, seed=0, ticks=None) -> TraffickingModel:
    return TraffickingModel(sc, seed=seed, ticks=ticks)


@cache
def toy_run(seed: int, key: str = "toy") -> TraffickingModel:
    """Full runs shared between tests (read-only)."""
    variants = {
        "toy": lambda: load_scenario("toy_corridor"),
        "mlat": lambda: load_scenario("toy_corridor_mlat"),
        "harmonize": lambda: scenario(
            policies=[{"type": "harmonize", "states": ["AND"], "offences": ["conspiracy"]}]
        ),
        "database": lambda: scenario(
            policies=[
                {
                    "type": "create_database",
                    "name": "I24",
                    "members": ["MKT", "NOR"],
                    "lag": 3,
                    "coverage": 1.0,
                }
            ]
        ),
    }
    return model(variants[key](), seed=seed).run()


def rows(m: TraffickingModel, **match) -> list[dict]:
    """Request records whose fields equal ``match`` (values may be tuples of options)."""
    out = []
    for r in m.records()["requests"]:
        ok = all(
            r[k] in v if isinstance(v, tuple | set | list) else r[k] == v for k, v in match.items()
        )
        if ok:
            out.append(r)
    return out


def sidx(m: TraffickingModel, sid: str) -> int:
    return m.world.state_index[sid]


def org_index(m: TraffickingModel, oid: str) -> int:
    return next(o.index for o in m.orgs if o.org_id == oid)


def brokers(m: TraffickingModel, o: int, state: int | None = None, active=True) -> np.ndarray:
    mem = m.members
    mask = (mem.org == o) & (mem.role == M.BROKER)
    if state is not None:
        mask &= mem.state == state
    if active:
        mask &= mem.status == M.ACTIVE
    return np.flatnonzero(mask)


def add_case(m: TraffickingModel, *, org, state, target, requested, channel, offence, t, **kw):
    """Append one hand-made open case with a pending request due at ``t``."""

    def one(v, dt=np.int64):
        return np.array([v], dtype=dt)

    m.cases.extend(
        org=one(org),
        state=one(state),
        deadline=one(kw.get("deadline", t + 100)),
        target=one(target),
        requested=one(requested),
        channel=one(channel),
        due=one(kw.get("due", t)),
        sent=one(kw.get("sent", t)),
        offence=one(offence),
        success=one(kw.get("success", 1.0), float),
    )


def new_shipment_states(m: TraffickingModel, org: int, tick: int) -> set[int]:
    """States on the paths of ``org``'s shipments that departed at ``tick`` (still in flight)."""
    sel = (m.shipments.org == org) & (m.shipments.depart == tick)
    nodes = m.paths.nodes[m.shipments.path[sel]]
    return set(m.world.loc_state[nodes[nodes >= 0]].tolist())


# ------------------------------------------------------------ 1. dual criminality
def test_dual_criminality_refusals_in_a_run_and_harmonisation_closes_the_gap():
    # Andea criminalises trafficking but not conspiracy; leaders live in Andea, so a
    # formal request about a leader (conspiracy) to Andea must be refused.
    dual_total = 0
    for seed in SEEDS:
        m = toy_run(seed)
        w = m.world
        dual = rows(m, outcome="dual_criminality")
        dual_total += len(rows(m, outcome="dual_criminality", to="AND", offence="conspiracy"))
        # every refusal is a formal request to a state that lacks the offence
        for r in dual:
            assert r["channel"] in ("mlat", "letters_rogatory")
            off = w.offence_index[r["offence"]]
            both = w.laws0[w.state_index[r["to"]], off] and w.laws0[w.state_index[r["from"]], off]
            assert not both  # dual criminality: one of the two states lacks the offence
        assert m.series["requests_failed_dual_criminality"].sum() == len(dual)
        # ... and no request is refused where the offence is criminalised
        assert not rows(m, outcome="dual_criminality", offence="trafficking")
    assert dual_total >= 3

    requests_to_and = 0
    for seed in SEEDS:
        h = toy_run(seed, "harmonize")
        assert h.legal.laws[sidx(h, "AND"), h.world.leader_offence]
        # refusals remain only where the requesting state itself lacks conspiracy
        for r in rows(h, to="AND", offence="conspiracy", outcome="dual_criminality"):
            assert not h.legal.laws[sidx(h, r["from"]), h.world.leader_offence]
        lawful = [
            r
            for r in rows(h, to="AND", offence="conspiracy")
            if h.legal.laws[sidx(h, r["from"]), h.world.leader_offence]
        ]
        assert not [r for r in lawful if r["outcome"] == "dual_criminality"]
        # the requests still happen; they are now answered, fail or expire on their merits
        requests_to_and += len(rows(h, to="AND", offence="conspiracy"))
    assert requests_to_and >= 3


def test_dual_criminality_on_a_hand_made_case():
    sc = load_scenario("toy_corridor")
    m = model(sc)
    red = org_index(m, "red")
    leader = m.members.leader_of[red]
    AND, MKT = sidx(m, "AND"), sidx(m, "MKT")
    assert m.members.state[leader] == AND
    kw = dict(org=red, state=MKT, target=leader, requested=AND, offence=m.world.leader_offence, t=0)

    # letters rogatory about conspiracy to Andea: refused, case closed, counted
    add_case(m, channel=justice.LETTERS, **kw)
    justice.advance_cases(m.justice, m.enforcement.integrity, 0)
    r = m.request_table()
    assert r["outcome"].tolist() == [justice.DUAL]
    assert len(m.cases) == 0
    assert m.recorder.counts["requests_failed_dual_criminality"] == 1

    # an MLAT is refused too; an informal channel (shared database) is not
    m = model(sc)
    add_case(m, channel=justice.MLAT, **kw)
    add_case(m, channel=justice.DATABASE, **kw)
    justice.advance_cases(m.justice, m.enforcement.integrity, 0)
    r = m.request_table()
    assert r["outcome"][r["channel"] == justice.MLAT].tolist() == [justice.DUAL]
    assert r["outcome"][r["channel"] == justice.DATABASE].tolist() == [justice.OK]

    # after Andea legislates, the same letters rogatory are answered (success = 1)
    sc_h = scenario(policies=[{"type": "harmonize", "states": ["AND"], "offences": ["conspiracy"]}])
    m = model(sc_h)
    add_case(m, channel=justice.LETTERS, **kw)
    justice.advance_cases(m.justice, m.enforcement.integrity, 0)
    assert m.request_table()["outcome"].tolist() == [justice.OK]
    assert m.recorder.counts.get("requests_failed_dual_criminality", 0) == 0


# --------------------------------------------------------------- 2. shared database
def test_database_identification_latency_equals_lag():
    """A lookup answers after the database's lag; intelligence is not evidence, so every
    lookup (answered or not) is followed by a formal request for the same member:
    ``db_request_speedup`` x the channel's latency after a match, unscaled after a miss.
    With ``latency_sigma`` ~ 0 letters rogatory take 80.5 weeks (81), 41 after a match.
    """
    lag = 3
    letters = 80.5
    speedup = None
    seen = {"matched": 0, "missed": 0}
    for seed in (1, 2):
        sc = scenario(
            ["latency_sigma=1e-6", f"letters_rogatory_median_weeks={letters}",
             "authority_capacity=1000"],
            policies=[
                {"type": "create_database", "name": "I24", "members": ["MKT", "NOR"],
                 "lag": lag, "coverage": 1.0}
            ],
        )  # fmt: skip
        m = model(sc, seed=seed).run()
        speedup = m.params["db_request_speedup"]
        tx = int(np.ceil(m.params["letters_transmission_weeks"]))  # no queue: ample capacity
        fast, slow = tx + int(np.ceil(letters * speedup)), tx + int(np.ceil(letters))
        assert fast < slow
        db = rows(m, channel="database")
        answered = [r for r in db if r["outcome"] == "answered"]
        assert answered, "no database identification"
        for r in db:
            assert {r["from"], r["to"]} == {"MKT", "NOR"}
            if r["outcome"] != "expired":
                assert r["latency_weeks"] == lag
        # between the partners the database is tried first: a formal request may only
        # follow a lookup for the same pair in the same week, faster after a match
        pair = rows(m, **{"from": ("MKT", "NOR"), "to": ("MKT", "NOR")})
        matched = {(r["from"], r["to"], r["answered"]) for r in answered}
        missed = {(r["from"], r["to"], r["answered"]) for r in db if r["outcome"] == "failed"}
        for r in pair:
            if r["channel"] == "database":
                continue
            assert r["channel"] == "letters_rogatory"
            key = (r["from"], r["to"], r["sent"])
            assert key in matched | missed
            if r["outcome"] == "expired":
                continue
            allowed = ({fast} if key in matched else set()) | ({slow} if key in missed else set())
            assert r["latency_weeks"] in allowed
            seen["matched"] += r["latency_weeks"] == fast
            seen["missed"] += r["latency_weeks"] == slow
        # every formal request follows its own lookup (checked above), so lookups are at
        # least half the pair's requests (exactly half when each led to a logged request)
        assert sum(r["channel"] == "database" for r in pair) >= len(pair) / 2
        assert m.series["db_identifications"].sum() == len(answered) > 0
        # a database is never used between states outside it
        assert not [r for r in db if r["to"] not in ("MKT", "NOR")]
    assert seen["matched"] > 0 and seen["missed"] > 0
    assert speedup < 1

    # the same on a plan: a matched and an unmatched follow-up request (database tried)
    m = model(sc)
    red = org_index(m, "red")
    MKT, NOR = sidx(m, "MKT"), sidx(m, "NOR")
    b = brokers(m, red, NOR)[:2]
    plan = justice.plan_requests(
        m.justice, np.array([MKT, MKT]), b, m.world.org_offence[[red, red]], 7,
        db_tried=np.ones(2, bool), matched=np.array([True, False]),
    )  # fmt: skip
    assert plan["channel"].tolist() == [justice.LETTERS, justice.LETTERS]
    # letters rogatory wait in the requested central authority's queue: they arrive after
    # the diplomatic transmission, then take their (targeted or full) execution time
    assert plan["queued"].tolist() == [1, 1] and plan["arrive"].tolist() == [7 + tx, 7 + tx]
    assert (plan["service"] + tx).tolist() == [fast, slow]
    # and a lookup itself, matched or not, is not an arrest: the member stays at liberty
    add_case(
        m, org=red, state=MKT, target=b[0], requested=NOR, channel=justice.DATABASE,
        offence=m.world.org_offence[red], t=7,
    )  # fmt: skip
    justice.advance_cases(m.justice, np.ones(m.world.n_states), 7)
    assert m.members.status[b[0]] == M.ACTIVE
    assert m.recorder.counts.get("arrests", 0) == 0
    assert m.recorder.counts["db_identifications"] == 1
    assert m.cases.channel.tolist() == [justice.LETTERS]
    assert m.cases.queued.tolist() == [1] and (m.cases.service + tx).tolist() == [fast]

    # without the database the same pair uses letters rogatory (toy) or the MLAT
    for key, channel in (("toy", "letters_rogatory"), ("mlat", "mlat")):
        m = toy_run(1, key)
        pair = rows(m, **{"from": "MKT", "to": "NOR"})
        assert pair and {r["channel"] for r in pair} == {channel}
        assert m.series["db_identifications"].sum() == 0


def test_database_channel_planned_for_partners_only():
    sc = scenario(
        policies=[
            {"type": "create_database", "name": "I24", "members": ["MKT", "NOR"], "lag": 5},
            {"type": "add_mlat", "between": ["MKT", "NOR"]},  # the database still comes first
        ]
    )
    m = model(sc)
    red = org_index(m, "red")
    MKT, NOR, AND = sidx(m, "MKT"), sidx(m, "NOR"), sidx(m, "AND")
    b_nor, b_and = brokers(m, red, NOR)[0], brokers(m, red, AND)[0]
    off = m.world.org_offence[[red, red]]
    plan = justice.plan_requests(m.justice, np.array([MKT, MKT]), np.array([b_nor, b_and]), off, 7)
    assert plan["channel"].tolist() == [justice.DATABASE, justice.LETTERS]
    assert plan["due"][0] == 7 + 5
    assert plan["success"][0] == pytest.approx(m.params["db_coverage"] * m.trust[MKT, NOR])
    assert plan["requested"].tolist() == [NOR, AND]


# ----------------------------------------------------------------- 3. case deadline
def test_cases_expire_at_a_short_deadline():
    stats = {}
    for deadline in (5, 104, 1000):
        opened = expired = 0
        for seed in (1, 2):
            # no corrupt officer drops cases (case_drop_rate=0): a dropped case is logged
            # as expired too, whatever the deadline, and this test is about expiry
            sc = scenario([f"case_deadline={deadline}", "case_drop_rate=0"], agreements_=[])
            m = model(sc, seed=seed).run()
            assert m.series["cases_dropped"].sum() == 0
            opened += m.series["cases_opened"].sum()
            expired += m.series["cases_expired"].sum()
            exp_rows = rows(m, outcome="expired")
            for r in exp_rows:
                assert r["latency_weeks"] <= deadline
            if deadline == 5:
                assert exp_rows
                # letters rogatory (median 80 weeks) can never come back within 5 weeks
                assert not rows(m, channel="letters_rogatory", outcome=("answered", "failed"))
            if deadline == 1000:  # longer than the run: nothing can expire
                assert not exp_rows
        stats[deadline] = (opened, expired)
    (o5, e5), (o104, e104), (_, e1000) = stats[5], stats[104], stats[1000]
    assert e5 > 0 and e1000 == 0
    assert e5 / o5 > 0.8  # almost every case expires
    assert e104 / o104 < 0.5 * (e5 / o5)  # far fewer at the default deadline


# --------------------------------------------------------------------- 4. safe haven
def haven_setup(extra_overrides=(), agreements_=None):
    sc = scenario(["relocation_probability=1.0", *extra_overrides], agreements_=agreements_)
    m = model(sc)
    red = org_index(m, "red")
    return m, red, m.members.leader_of[red]


def test_leader_relocates_to_a_safe_haven():
    m, red, leader = haven_setup()
    AND, NOR, MKT = sidx(m, "AND"), sidx(m, "NOR"), sidx(m, "MKT")
    acc = M.access(m.members, m.world.n_states)[red]
    assert acc[AND] and acc[NOR] and acc[MKT]  # brokers in Andea, Nordia and Marketia
    # put the leader in Nordia: Nordia has an extradition treaty with Marketia,
    # criminalises conspiracy and extradites -> Marketia could obtain him
    m.members.state[leader] = NOR
    pursuer = np.array([MKT])
    assert surrenders(m, leader, pursuer).all()
    # with a case from Marketia open he is not (yet) a safe-haven leader
    add_case(
        m,
        org=red,
        state=MKT,
        target=leader,
        requested=NOR,
        channel=justice.LETTERS,
        offence=m.world.leader_offence,
        t=0,
        due=50,
    )
    assert M.safe_haven_leaders(m.members, m.legal, m.world, m.cases) == 0

    relocate(m, np.array([leader]), pursuer)
    # Andea has no treaty with Marketia (and lacks conspiracy): the only haven
    assert m.members.state[leader] == AND
    assert not surrenders(m, leader, pursuer).any()
    assert M.safe_haven_leaders(m.members, m.legal, m.world, m.cases) == 1
    # with no case open nobody pursues him: he is no longer counted
    m.cases.keep(np.zeros(len(m.cases), dtype=bool))
    assert M.safe_haven_leaders(m.members, m.legal, m.world, m.cases) == 0


def test_leader_stays_without_relocation_or_without_a_haven():
    m, red, leader = haven_setup(["relocation_probability=0.0"])
    NOR, MKT = sidx(m, "NOR"), sidx(m, "MKT")
    m.members.state[leader] = NOR
    relocate(m, np.array([leader]), np.array([MKT]))
    assert m.members.state[leader] == NOR  # never moves

    m, red, leader = haven_setup()
    NOR, MKT, AND = sidx(m, "NOR"), sidx(m, "MKT"), sidx(m, "AND")
    m.members.state[leader] = NOR
    arrest(m, brokers(m, red, AND), 0)  # Andea's brokers gone: no haven left
    relocate(m, np.array([leader]), np.array([MKT]))
    assert m.members.state[leader] == NOR
    assert surrenders(m, leader, np.array([MKT])).all()


#: INTERPOL among all six toy states, carrying red notices (so a fugitive can be found).
INTERPOL = {
    "type": "database",
    "name": "interpol",
    "members": ["AND", "MID", "WES", "EAS", "NOR", "MKT"],
    "red_notices": True,
}


@pytest.mark.parametrize("national, haven", [("EAS", True), ("AND", False)])
def test_nationals_rule_makes_a_haven(national, haven):
    # Eastland criminalises conspiracy and has a treaty with Marketia, but does not
    # extradite its own nationals: a haven for an Eastland national only (red notices
    # everywhere, so fleeing alone hides nobody).
    m, red, leader = haven_setup(
        ['states.EAS.laws=["trafficking", "conspiracy"]'],
        agreements_=[
            {"type": "extradition", "between": ["NOR", "MKT"]},
            {"type": "extradition", "between": ["EAS", "MKT"]},
            INTERPOL,
        ],
    )
    AND, NOR, MKT, EAS = (sidx(m, s) for s in ("AND", "NOR", "MKT", "EAS"))
    M.add_broker(m.members, red, EAS, m.params)
    arrest(m, brokers(m, red, AND), 0)
    m.members.state[leader] = NOR
    m.members.nationality[leader] = sidx(m, national)
    relocate(m, np.array([leader]), np.array([MKT]))
    if haven:
        assert m.members.state[leader] == EAS
        assert not surrenders(m, leader, np.array([MKT])).any()
    else:
        assert m.members.state[leader] == NOR
        m.members.state[leader] = EAS  # Eastland would surrender a foreigner
        assert surrenders(m, leader, np.array([MKT])).all()


def _fugitive_in_eastland(notices: bool):
    """Red's leader fled from Nordia to Eastland, which would surrender him to Marketia."""
    m, red, leader = haven_setup(
        ['states.EAS.laws=["trafficking", "conspiracy"]'],
        agreements_=[
            {"type": "extradition", "between": ["NOR", "MKT"]},
            {"type": "extradition", "between": ["EAS", "MKT"]},
            *([INTERPOL] if notices else []),
        ],
    )
    AND, NOR, MKT, EAS = (sidx(m, s) for s in ("AND", "NOR", "MKT", "EAS"))
    M.add_broker(m.members, red, EAS, m.params)
    arrest(m, brokers(m, red, AND), 0)  # Andea (no treaty) is no haven any more
    m.members.state[leader] = NOR
    m.members.nationality[leader] = AND  # Eastland surrenders a foreigner
    relocate(m, np.array([leader]), np.array([MKT]))
    return m, red, leader, MKT, EAS


def test_without_red_notices_a_fugitive_abroad_is_never_found():
    m, red, leader, MKT, EAS = _fugitive_in_eastland(notices=False)
    # Eastland would surrender him, but nobody can find a fugitive there without a notice
    assert m.members.state[leader] == EAS and m.members.fugitive[leader] == 1
    assert surrenders(m, leader, np.array([MKT])).all()
    off = m.world.leader_offence
    assert not M.obtainable(m.members, m.legal, m.world, leader, np.array([MKT]), off).any()
    add_case(
        m, org=red, state=MKT, target=leader, requested=EAS, channel=justice.LETTERS,
        offence=off, t=0,
    )  # fmt: skip
    assert M.safe_haven_leaders(m.members, m.legal, m.world, m.cases) == 1
    justice.advance_cases(m.justice, np.ones(m.world.n_states), 0)
    assert m.members.status[leader] == M.ACTIVE
    assert m.recorder.counts.get("notice_arrests", 0) == 0


def test_a_red_notice_finds_the_fugitive_and_he_is_surrendered():
    m, red, leader, MKT, EAS = _fugitive_in_eastland(notices=True)
    # with notices Eastland is no haven for him: he stays in Nordia, who surrenders him
    assert m.members.state[leader] != EAS
    assert m.legal.notices[MKT, EAS] and m.legal.notices[EAS, MKT]
    # moved there anyway (he fled before), the notice finds him and Eastland surrenders him
    m.members.state[leader], m.members.fugitive[leader] = EAS, 1
    off = m.world.leader_offence
    assert M.obtainable(m.members, m.legal, m.world, leader, np.array([MKT]), off).all()
    add_case(
        m, org=red, state=MKT, target=leader, requested=EAS, channel=justice.LETTERS,
        offence=off, t=0,
    )  # fmt: skip
    assert M.safe_haven_leaders(m.members, m.legal, m.world, m.cases) == 0
    justice.advance_cases(m.justice, np.ones(m.world.n_states), 0)
    arrested = m.recorder.counts.get("arrests", 0)
    assert arrested == 1 and m.recorder.counts["extraditions_requested"] == 1
    assert m.recorder.counts["notice_arrests"] == 1
    # the proceedings end with his surrender
    ex = m.justice.extraditions
    assert list(ex.member) == [leader] and ex.outcome[0] == X.SURRENDERED
    X.conclude(m.justice, int(ex.due[0]))
    assert m.recorder.counts["extraditions"] == 1 and not len(ex)
    # ... subject to Eastland's extradition rules: a national of Eastland is kept
    m, red, leader, MKT, EAS = _fugitive_in_eastland(notices=True)
    m.members.state[leader], m.members.fugitive[leader] = EAS, 1
    m.members.nationality[leader] = EAS
    assert not M.obtainable(m.members, m.legal, m.world, leader, np.array([MKT]), off).any()


def test_a_successor_leader_is_no_fugitive():
    m, red, leader, MKT, EAS = _fugitive_in_eastland(notices=False)
    assert m.members.fugitive[leader] == 1
    arrest(m, np.array([leader]), 0)
    for t in range(1, 200):
        M.recruit(m.members, t, m.params, m.streams["recruitment"])
        if m.members.status[leader] == M.ACTIVE:
            break
    assert m.members.status[leader] == M.ACTIVE and m.members.fugitive[leader] == 0


# -------------------------------------------------- 5. recruitment and succession
NO_CASES = ["case_probability=0"]


def test_vacancies_refill_on_schedule():
    m = model(scenario([*NO_CASES, "recruit_weeks_broker=6", "recruit_weeks_courier=3"]))
    for _ in range(3):
        m.step()
    t = m.tick
    blue, NOR = org_index(m, "blue"), sidx(m, "NOR")
    mem = m.members
    b = brokers(m, blue, NOR)
    couriers = np.flatnonzero(np.isin(mem.boss, b))
    idx = np.concatenate([b, couriers])
    assert len(b) == 2 and len(couriers) == 6
    arrest(m, idx, t)
    assert (mem.status[idx] == M.VACANT).all()
    assert (mem.refill_at[idx] > t).all()
    assert (mem.status[mem.org == blue].sum()) == len(idx)  # nobody else
    due = mem.refill_at[idx].copy()
    while m.tick <= due.max():
        m.step()
        # recruit() at tick T refills exactly the slots due by T
        done = m.tick - 1
        np.testing.assert_array_equal(mem.status[idx] == M.ACTIVE, due <= done)
        assert m.conserved
    assert (mem.status[idx] == M.ACTIVE).all()
    assert (mem.state[b] == NOR).all() and (mem.nationality[b] == NOR).all()


def test_arrested_leader_is_succeeded_by_a_broker():
    """Without an active deputy a broker succeeds the leader, twice as slowly; meanwhile
    the leaderless organisation keeps shipping on its routes but does not adapt."""
    sc = scenario([*NO_CASES, "leader_succession_weeks=4", "recruit_weeks_broker=100000"])
    m = model(sc, ticks=200)
    for _ in range(2):
        m.step()
    red, AND = org_index(m, "red"), sidx(m, "AND")
    mem = m.members
    leader = m.members.leader_of[red]
    deputy = mem.deputy_of[red]
    t = m.tick
    # the deputy is one of red's brokers at home: with those gone, the heir lives abroad
    assert deputy in brokers(m, red, AND)
    arrest(m, brokers(m, red, AND), t)
    assert mem.status[deputy] == M.VACANT
    # no active deputy: the succession lag is exponential with twice the mean
    rec = m.streams["recruitment"]
    expected = t + 1 + int(np.floor(copy.deepcopy(rec).exponential(2 * 4.0)))
    arrest(m, np.array([leader]), t)
    assert mem.status[leader] == M.VACANT and mem.refill_at[leader] == expected
    heir = brokers(m, red)[0]  # the first active broker is promoted
    heir_state, heir_nat = mem.state[heir], mem.nationality[heir]
    assert heir_state != AND and mem.state[leader] == AND
    org = m.orgs[red]
    territory, size = org.territory.copy(), org.shipment_size
    leaderless = 0
    while mem.status[leader] != M.ACTIVE:
        m.step()
        if mem.status[leader] != M.ACTIVE:
            leaderless += 1
            # leaderless: red still ships (its brokers work) but does not adapt
            assert m.members.alive[red]
            assert (m.shipments.org[m.shipments.depart == m.tick - 1] == red).any()
            np.testing.assert_array_equal(org.territory, territory)
            assert org.shipment_size == size
        assert m.conserved
        assert m.tick < 200
    assert leaderless >= int(m.params["adapt_period"])  # long enough to have adapted
    promoted = m.tick - 1
    assert promoted == expected
    assert mem.state[leader] == heir_state and mem.nationality[leader] == heir_nat
    assert mem.status[heir] == M.VACANT and mem.refill_at[heir] > promoted
    # another active broker is the new deputy
    assert mem.deputy_of[red] in brokers(m, red) and mem.deputy_of[red] != heir
    assert m.members.alive[red]
    m.step()
    assert (m.shipments.org[m.shipments.depart == m.tick - 1] == red).any()
    assert m.conserved


def test_arrested_leader_is_succeeded_by_his_deputy():
    """An active deputy succeeds the leader, at the plain succession lag."""
    sc = scenario([*NO_CASES, "leader_succession_weeks=4", "recruit_weeks_broker=100000"])
    m = model(sc, ticks=200)
    for _ in range(2):
        m.step()
    red = org_index(m, "red")
    mem = m.members
    leader, deputy = mem.leader_of[red], mem.deputy_of[red]
    assert mem.role[deputy] == M.BROKER and mem.status[deputy] == M.ACTIVE
    assert deputy != brokers(m, red)[-1]  # not trivially the last broker either
    # the deputy is tied to the leader in the member network
    a, b = mem.edges()
    assert ((a == deputy) & (b == leader)).any() or ((a == leader) & (b == deputy)).any()
    t = m.tick
    expected = t + 1 + int(np.floor(copy.deepcopy(m.streams["recruitment"]).exponential(4.0)))
    arrest(m, np.array([leader]), t)
    assert mem.refill_at[leader] == expected
    dep_state = mem.state[deputy]
    while mem.status[leader] != M.ACTIVE:
        m.step()
        assert m.tick < 200
    assert m.tick - 1 == expected
    assert mem.state[leader] == dep_state
    assert mem.status[deputy] == M.VACANT  # his broker post waits for a recruit
    assert mem.deputy_of[red] != deputy and mem.status[mem.deputy_of[red]] == M.ACTIVE


def test_organisation_without_leader_or_brokers_is_dormant_then_replaced():
    """No active leader or broker: dormant (ships nothing, its orders go to the rival);
    after ``entry_weeks`` of dormancy a new organisation enters in its place."""
    sc = scenario(
        [*NO_CASES, "recruit_weeks_broker=100000", "leader_succession_weeks=100000",
         "entry_weeks=6"]
    )  # fmt: skip
    m = model(sc, ticks=60)
    for _ in range(3):
        m.step()
    red, blue = org_index(m, "red"), org_index(m, "blue")
    mem = m.members
    core = np.flatnonzero((mem.org == red) & (mem.role != M.COURIER))
    start = m.tick
    arrest(m, core, start)
    M.update_dormancy(mem, start, m.params)
    assert not mem.alive[red] and mem.alive[blue]
    assert mem.dormant_since[red] == start and mem.dormant_since[blue] == -1
    blue_before = m.series["produced"][:start].mean() / 2  # blue's half, roughly
    blue_now = []
    while m.tick < start + 6:
        m.step()
        new = m.shipments.depart == m.tick - 1
        assert not (m.shipments.org[new] == red).any()  # dormant: nothing leaves
        blue_now.append(int(m.shipments.qty[new & (m.shipments.org == blue)].sum()))
        assert not mem.alive[red] and mem.entries == 0
        assert (mem.status[core] == M.VACANT).all()
        assert m.conserved
    assert m.series["orgs_active"][start : m.tick].max() == 1
    assert np.mean(blue_now) > 1.2 * blue_before  # red's orders went to blue
    m.step()  # week start + 6: a new organisation enters
    t = m.tick - 1
    assert t - start == m.params["entry_weeks"]
    assert mem.alive[red] and mem.entries == 1 and mem.entered == 1
    assert m.series["entries"][t] == 1 and m.series["orgs_active"][t] == 2
    assert (mem.status[mem.org == red] == M.ACTIVE).all()  # every slot filled
    assert mem.dormant_since[red] == -1
    assert mem.status[mem.deputy_of[red]] == M.ACTIVE
    m.step()
    assert mem.entered == 0 and mem.entries == 1
    assert (m.shipments.org[m.shipments.depart == m.tick - 1] == red).any()
    assert m.conserved


def test_dormant_organisation_recruits_and_revives_without_entry():
    """Vacancies of a dormant organisation keep refilling; it revives before entry."""
    sc = scenario([*NO_CASES, "recruit_weeks_broker=2", "leader_succession_weeks=2"])
    m = model(sc, ticks=80)
    for _ in range(3):
        m.step()
    red = org_index(m, "red")
    mem = m.members
    core = np.flatnonzero((mem.org == red) & (mem.role != M.COURIER))
    start = m.tick
    arrest(m, core, start)
    M.update_dormancy(mem, start, m.params)
    assert not mem.alive[red]
    while not mem.alive[red]:
        m.step()
        assert m.tick - start < m.params["entry_weeks"]
    assert mem.entries == 0 and m.series["entries"][: m.tick].sum() == 0
    assert mem.dormant_since[red] == -1
    revived = m.tick - 1
    assert m.series["orgs_active"][start:revived].max() == 1
    # a recruit refilled a broker post: that is what revived it
    assert ((mem.org == red) & (mem.role == M.BROKER) & (mem.status == M.ACTIVE)).any()
    for _ in range(3):
        m.step()
    assert (m.shipments.org[m.shipments.depart >= revived] == red).any()
    assert m.conserved


# ------------------------------------------------ 6. own brokers and freelancers
def test_state_without_brokers_is_crossed_by_freelancers_at_a_markup():
    """Brokers are not gates: without its own brokers in Nordia red keeps crossing it,
    paying freight x (1 + freelance_markup) on legs into Nordia, and its loads there
    are detected ``freelance_exposure`` times as often (docs/ODD.md 7.1)."""
    sc = scenario([*NO_CASES, "recruit_weeks_broker=100000"])
    m = model(sc, seed=4, ticks=80)
    for _ in range(3):
        m.step()
    red, blue = org_index(m, "red"), org_index(m, "blue")
    NOR = sidx(m, "NOR")
    w, p = m.world, m.params
    org = m.orgs[red]
    into_nor = w.leg_state == NOR
    base = w.leg_cost * p["freight_share"]
    assert into_nor.any() and org.own_legs()[into_nor].all()
    before = org.freight()
    markup = 1 + p["freelance_markup"]
    np.testing.assert_allclose(before, base * np.where(org.own_legs(), 1.0, markup))
    blue_before = m.orgs[blue].freight()
    assert NOR in new_shipment_states(m, red, m.tick - 1)  # red crosses Nordia ...
    m.members.posts_changed[red] = False
    arrest(m, brokers(m, red, NOR), m.tick)
    assert not M.access(m.members, w.n_states)[red, NOR]
    assert m.members.posts_changed[red]  # it will refresh its candidate paths
    assert not org.own_legs()[into_nor].any()
    after = org.freight()
    np.testing.assert_allclose(after[into_nor], base[into_nor] * markup)
    np.testing.assert_allclose(after[~into_nor], before[~into_nor])  # nothing else changes
    np.testing.assert_allclose(m.orgs[blue].freight(), blue_before)  # blue's brokers intact
    crossed = weeks = 0
    while m.tick < m.ticks:
        m.step()
        t = m.tick - 1
        assert not M.access(m.members, w.n_states)[red, NOR]  # the vacancy lasts
        assert not m.members.posts_changed[red]  # refreshed with the dearer freight
        np.testing.assert_allclose(org._freight, org.freight())
        assert m.members.alive[red]
        weeks += 1
        crossed += NOR in new_shipment_states(m, red, t)  # ... with freelancers
        assert m.conserved
    assert crossed > weeks // 2, "red should keep crossing Nordia with freelancers"
    assert m.stock < m.series["produced"][-1]  # goods do not pile up at the source
    # an arriving load in Nordia: the freelance exposure multiplies the detection rate
    from sim.enforcement import seizure_probability
    from sim.routes import Movement

    leg = np.flatnonzero(into_nor)
    moved = Movement(
        idx=np.arange(len(leg)), leg=leg, loc=w.leg_to[leg],
        at_end=np.zeros(len(leg), bool), unit_value=np.ones(len(leg)),
    )  # fmt: skip
    m.enforcement.effort[:] = 5.0
    reds = np.full(len(leg), red)
    units = np.full(len(leg), 100)
    own = M.access(m.members, w.n_states)
    got = seizure_probability(m.enforcement, w, p, moved, reds, units, m.size0, own, None)
    own[red, NOR] = True
    mine = seizure_probability(m.enforcement, w, p, moved, reds, units, m.size0, own, None)
    integ = m.enforcement.integrity[NOR]
    rate_own = -np.log1p(-mine / integ)
    rate_free = -np.log1p(-got / integ)
    assert (mine > 0).all() and (got > mine).all()
    np.testing.assert_allclose(rate_free, p["freelance_exposure"] * rate_own, rtol=1e-9)


def test_remove_members_takes_broker_access_on_its_start_tick():
    """Arresting red's brokers at tick 3 makes it hire freelancers from that very tick:
    its candidate paths are refreshed with the markup before the week's shipments leave."""
    sc = scenario(
        NO_CASES,
        policies=[
            {
                "type": "remove_members",
                "strategy": "role",
                "role": "broker",
                "organization": "red",
                "share": 1.0,
                "start": 3,
            }
        ],
    )
    m = model(sc, seed=0, ticks=6)
    red, NOR = org_index(m, "red"), sidx(m, "NOR")
    w, p = m.world, m.params
    org = m.orgs[red]
    base = w.leg_cost * p["freight_share"]
    home = np.isin(w.leg_state, w.loc_state[org.sources + org.markets])
    for _ in range(3):
        m.step()
    assert M.access(m.members, w.n_states)[red, NOR]
    markup = 1 + p["freelance_markup"]
    assert org.own_legs()[w.leg_state == NOR].all()
    np.testing.assert_allclose(org._freight, base * np.where(org.own_legs(), 1.0, markup))
    m.step()  # tick 3: the policy acts in phase 2, supply refreshes in phase 3
    assert not M.access(m.members, w.n_states)[red].any()
    assert m.members.alive[red]  # its leader is at liberty: not dormant
    own = org.own_legs()
    np.testing.assert_array_equal(own, home)  # only its source and market states are its own
    np.testing.assert_allclose(org._freight, base * np.where(home, 1.0, markup))
    assert NOR in new_shipment_states(m, red, 3)  # freelancers carry red's loads on


# --------------------------------------------------------------------- 7. policies
@pytest.mark.parametrize(
    "spec",
    [
        {"type": "add_mlat", "between": ["MKT", "NOR"]},
        {"type": "extradition_treaty", "between": ["WES", "NOR"]},
        {"type": "create_database", "name": "X", "members": ["MKT", "NOR"]},
        {"type": "join_database", "name": "X", "states": ["WES"]},
        {"type": "harmonize", "states": ["AND"], "offences": ["conspiracy"]},
        {"type": "joint_team", "states": ["MKT", "NOR"]},
        {"type": "liaison_officers", "between": ["MKT", "NOR"], "trust_gain": 0.1},
        {"type": "remove_members", "strategy": "degree", "count": 2},
    ],
)
def test_registry_builds_legal_policies(spec):
    p = from_dict({**spec, "start": 2})
    assert isinstance(p, REGISTRY[spec["type"]])
    assert p.start == 2 and not p.active(1) and p.active(2)
    assert from_dict(p.to_dict()) == p


def arrested_at(strategy_spec, start=2, seed=0):
    sc = scenario(NO_CASES, policies=[{"type": "remove_members", "start": start, **strategy_spec}])
    m = model(sc, seed=seed, ticks=start + 2)
    for _ in range(start):
        m.step()
    before = m.members.status.copy()
    mem = m.members
    a, b = mem.edges()  # the whole member network: boss lines and the extra ties
    ties = np.bincount(np.concatenate([a, b]), minlength=len(mem))
    m.step()
    idx = np.flatnonzero((before == M.ACTIVE) & (m.members.status == M.VACANT))
    return m, idx, before, ties


@pytest.mark.parametrize("strategy", ["random", "degree", "betweenness", "role"])
def test_remove_members_strategies(strategy):
    start, n = 2, 5
    spec = {"strategy": strategy, "count": n}
    if strategy == "role":
        spec.update(role="courier", organization="blue")
    m, idx, before, ties = arrested_at(spec, start)
    mem = m.members
    assert len(idx) == n
    assert m.series["arrests"][start] == n
    assert m.series["arrests"][:start].sum() == 0
    assert (mem.refill_at[idx] > start).all()
    if strategy == "degree":  # the most connected members first
        others = np.setdiff1d(np.flatnonzero(before == M.ACTIVE), idx)
        assert ties[idx].min() >= ties[others].max()
        assert (mem.role[idx] != M.COURIER).all()
    if strategy == "betweenness":  # couriers are leaves: no betweenness
        assert (mem.role[idx] != M.COURIER).all()
    if strategy == "role":
        assert (mem.role[idx] == M.COURIER).all()
        assert (mem.org[idx] == org_index(m, "blue")).all()


def test_remove_members_share():
    m, idx, before, _ = arrested_at({"strategy": "random", "share": 0.5})
    assert len(idx) == round(0.5 * (before == M.ACTIVE).sum())


def test_liaison_officers_raise_the_trust_floor():
    gain = 0.2
    sc = scenario(
        NO_CASES,
        policies=[
            {
                "type": "liaison_officers",
                "between": ["MKT", "NOR"],
                "trust_gain": gain,
                "start": 0,
                "end": 10,
            }
        ],
    )
    m = model(sc, ticks=40)
    a, b = sidx(m, "MKT"), sidx(m, "NOR")
    t0 = m.cooperation.trust0[a, b]
    for _ in range(10):
        m.step()
        assert m.trust[a, b] >= t0 + gain - 1e-12 and m.trust[b, a] == m.trust[a, b]
    others = np.ones_like(m.trust, dtype=bool)
    others[a, b] = others[b, a] = False
    np.testing.assert_array_equal(m.trust[others], m.cooperation.trust0[others])
    for _ in range(20):  # officers recalled: trust drifts back down
        m.step()
    assert t0 < m.trust[a, b] < t0 + gain


def test_joint_team_gives_fast_jit_requests():
    sc = scenario(
        ["latency_sigma=0.2"], policies=[{"type": "joint_team", "states": ["MKT", "NOR"]}]
    )
    n_jit = 0
    for seed in (1, 2):
        m = model(sc, seed=seed).run()
        jit = rows(m, channel="jit")
        n_jit += len([r for r in jit if r["outcome"] == "answered"])
        for r in jit:
            assert {r["from"], r["to"]} == {"MKT", "NOR"}
            if r["outcome"] != "expired":
                assert 1 <= r["latency_weeks"] <= 4
        pair = rows(m, **{"from": ("MKT", "NOR"), "to": ("MKT", "NOR")})
        assert {r["channel"] for r in pair} == {"jit"}
        assert m.legal.jit[sidx(m, "MKT"), sidx(m, "NOR")]
        assert not m.legal.jit[sidx(m, "MKT"), sidx(m, "AND")]
    assert n_jit >= 5
    # for comparison, letters rogatory between the same pair take months
    letters = [r for r in rows(toy_run(1), channel="letters_rogatory") if r["outcome"] != "expired"]
    assert np.median([r["latency_weeks"] for r in letters]) > 20


def test_extradition_treaty_makes_a_member_extraditable():
    sc = scenario(
        NO_CASES, policies=[{"type": "extradition_treaty", "between": ["WES", "NOR"], "start": 3}]
    )
    m = model(sc, ticks=6)
    red, WES, NOR = org_index(m, "red"), sidx(m, "WES"), sidx(m, "NOR")
    b = brokers(m, red, NOR)[:1]
    off = m.world.org_offence[red]
    assert not M.surrenders(m.members, m.legal, m.world, b, WES, off).any()
    assert not surrenders(m, int(b[0]), np.array([WES])).any()
    for _ in range(3):
        m.step()
        assert not M.surrenders(m.members, m.legal, m.world, b, WES, off).any()
    m.step()  # tick 3: the treaty is in force
    assert M.surrenders(m.members, m.legal, m.world, b, WES, off).all()
    assert surrenders(m, int(b[0]), np.array([WES])).all()
    # red's leader lives in Andea: no treaty with Westland, and no conspiracy law
    leader = m.members.leader_of[red]
    assert not M.surrenders(
        m.members, m.legal, m.world, np.array([leader]), WES, m.world.leader_offence
    ).any()


def test_an_extradition_convention_covers_every_pair_of_its_parties():
    """`parties` (a convention such as Montevideo 1933) covers each pair, and only those."""
    conv = {"type": "extradition_treaty", "parties": ["WES", "NOR", "MKT"]}
    m = model(scenario(NO_CASES, policies=[conv]), ticks=2)
    m.step()
    x = m.legal.extradition
    i = {s: sidx(m, s) for s in ("WES", "NOR", "MKT", "AND")}
    for a, b in (("WES", "NOR"), ("WES", "MKT"), ("NOR", "MKT")):
        assert x[i[a], i[b]] and x[i[b], i[a]]
    assert not x[i["AND"]].any() and not x[:, i["AND"]].any()
    with pytest.raises(ScenarioError, match="between|parties"):
        scenario(policies=[{"type": "extradition_treaty", "start": 0}])


def test_add_mlat_gives_mlat_channel():
    sc = load_scenario("toy_corridor_mlat")
    m = model(sc)
    red, MKT, NOR = org_index(m, "red"), sidx(m, "MKT"), sidx(m, "NOR")
    b = brokers(m, red, NOR)[:1]
    plan = justice.plan_requests(m.justice, np.array([MKT]), b, m.world.org_offence[[red]], 0)
    assert plan["channel"].tolist() == [justice.MLAT]
    assert plan["success"][0] == pytest.approx(m.params["mlat_success"] * m.trust[MKT, NOR])
    # the toy without the treaty: letters rogatory
    plain = model(load_scenario("toy_corridor"))
    plan = justice.plan_requests(plain.justice, np.array([MKT]), b, m.world.org_offence[[red]], 0)
    assert plan["channel"].tolist() == [justice.LETTERS]

    run = toy_run(1, "mlat")
    pair = rows(run, **{"from": ("MKT", "NOR"), "to": ("MKT", "NOR")})
    assert pair and {r["channel"] for r in pair} == {"mlat"}
    others = rows(run, channel=("mlat",))
    assert all({r["from"], r["to"]} == {"MKT", "NOR"} for r in others)


# ------------------------------------------------------------------------- 8. trust
def test_trust_grows_with_answers_and_decays_to_its_start():
    m = model(load_scenario("toy_corridor"))
    p = m.params
    a, b = sidx(m, "MKT"), sidx(m, "NOR")
    t0 = m.cooperation.trust0[a, b]
    agreements.update_trust(m.cooperation, m.params, np.array([a]), np.array([b]))
    assert m.trust[a, b] == m.trust[b, a] == pytest.approx(t0 + (1 - t0) * p["trust_gain"])
    two = m.trust.copy()
    agreements.update_trust(
        m.cooperation, m.params, np.array([a, b]), np.array([b, a])
    )  # two answers at once
    assert m.trust[a, b] > two[a, b]
    excess = m.trust[a, b] - t0
    empty = np.zeros(0, dtype=np.int64)
    prev = m.trust[a, b]
    for _ in range(300):
        agreements.update_trust(m.cooperation, m.params, empty, empty)
        assert t0 < m.trust[a, b] < prev
        prev = m.trust[a, b]
    assert m.trust[a, b] - t0 == pytest.approx(excess * (1 - p["trust_decay"]) ** 300)
    mask = np.ones_like(m.trust, dtype=bool)
    mask[a, b] = mask[b, a] = False
    np.testing.assert_array_equal(m.trust[mask], m.cooperation.trust0[mask])


def test_trust_in_a_run_follows_answered_requests():
    """Trust replayed by hand, week by week, from the run's own requests and records.

    Each week trust decays toward its start, then every answered request between a
    pair is a step ``trust_gain`` toward 1 and every live record received a fifth of a
    step; every failed or refused formal request (JIT, MLAT, letters rogatory: not a
    database lookup) multiplies it by (1 - trust_gain). Leaks are
    switched off (``leak_rate=0``) and nothing is suspended, so nothing else moves it.
    """
    sc = scenario(
        ["leak_rate=0"],
        policies=[
            {"type": "create_database", "name": "I24", "members": ["MKT", "NOR"],
             "lag": 3, "coverage": 1.0}
        ],
    )  # fmt: skip
    m = model(sc, seed=1, ticks=120)
    p, w, n = m.params, m.world, m.world.n_states
    want = m.cooperation.trust0.copy()
    useful = 0.0
    for t in range(120):
        m.step()
        reqs = m.request_table()
        now = reqs["answered"] == t
        gain = np.zeros((n, n))
        ok = now & (reqs["outcome"] == justice.OK)
        np.add.at(gain, (reqs["from"][ok], reqs["to"][ok]), 1.0)
        gain += 0.2 * m.cooperation.records.useful
        gain += gain.T
        refused = np.zeros((n, n))
        no = now & np.isin(reqs["outcome"], [justice.FAILED, justice.DUAL])
        no &= reqs["channel"] >= justice.JIT  # a lookup that finds nothing refuses nothing
        np.add.at(refused, (reqs["from"][no], reqs["to"][no]), 1.0)
        refused += refused.T
        t0 = m.cooperation.trust0
        want = t0 + (want - t0) * (1 - p["trust_decay"])
        want += (1 - want) * (1 - (1 - p["trust_gain"]) ** gain)
        want *= (1 - p["trust_gain"]) ** refused
        want = np.clip(np.maximum(want, m.legal.trust_floor), 0, 1)
        np.testing.assert_allclose(m.trust, want, rtol=1e-12, atol=1e-12)
        useful += m.cooperation.records.useful.sum()
    assert useful > 0  # records did move trust
    answered = {(r["from"], r["to"]) for r in rows(m, outcome="answered")}
    refused = {
        (r["from"], r["to"])
        for r in rows(m, outcome=("failed", "dual_criminality"))
        if r["channel"] != "database"
    }
    pairs = {frozenset(x) for x in answered | refused}
    assert frozenset(("MKT", "NOR")) in pairs and refused
    # pairs that never exchanged a request keep their starting trust
    for i, si in enumerate(w.state_ids):
        for j, sj in enumerate(w.state_ids):
            if i != j and frozenset((si, sj)) not in pairs and {si, sj} != {"MKT", "NOR"}:
                assert m.trust[i, j] == m.cooperation.trust0[i, j]
    assert (m.trust != m.cooperation.trust0).any()


def test_trust_decays_in_a_run_without_cooperation():
    m = model(scenario(NO_CASES), ticks=60)
    a, b = sidx(m, "MKT"), sidx(m, "NOR")
    t0 = m.cooperation.trust0[a, b]
    m.trust[a, b] = m.trust[b, a] = 0.95
    prev = 0.95
    for _ in range(60):
        m.step()
        assert t0 < m.trust[a, b] < prev
        prev = m.trust[a, b]
    decay = m.params["trust_decay"]
    assert m.trust[a, b] - t0 == pytest.approx((0.95 - t0) * (1 - decay) ** 60)
    assert len(m.request_table()["sent"]) == 0


def test_a_study_writes_every_extradition_and_each_request_s_queue(tmp_path):
    """``extraditions.parquet`` holds every decided extradition request with its outcome
    and duration; ``requests.parquet`` the weeks each request waited in a queue."""
    import pandas as pd

    from sim import run_study

    out = tmp_path / "s"
    run_study("toy_corridor", 2, seed=3, ticks=200, workers=1, out=out)
    ex = pd.read_parquet(out / "extraditions.parquet")
    assert len(ex) > 0
    assert set(ex["outcome"]) <= set(X.OUTCOMES) and "surrendered" in set(ex["outcome"])
    assert (ex["weeks"] == ex["decided_at"] - ex["requested_at"]).all()
    assert (ex.loc[ex["outcome"] == "no_treaty", "weeks"] == 0).all()
    decided = ex[ex["outcome"] != "no_treaty"]
    assert (decided["weeks"] > 0).all()  # proceedings take time
    assert (ex.loc[ex["prosecuted_at_home"], "outcome"] == "national").all()
    req = pd.read_parquet(out / "requests.parquet")
    queued = req["channel"].isin(["mlat", "letters_rogatory"])
    assert (req.loc[~queued, "queue_weeks"] == 0).all()
    assert (req["queue_weeks"] <= req["latency_weeks"]).all()
    assert {"coercive", "queue_weeks"} <= set(req.columns)
