"""Members of trafficking organisations: leaders, brokers and couriers as arrays.

The network is not a tree. Each member has a boss (courier -> broker -> leader, the line
cases climb), and the members are also tied: brokers to other brokers of their
organisation, some couriers to a second organisation's broker in their state, and one
broker per organisation is the deputy, tied to the leader. An organisation's own
brokers give it capacity and cheaper, safer crossings in a state; where it has none it
hires freelance transporters (docs/ODD.md 7.1). Its release capacity follows its
couriers who still have an active broker to work for. Arrested members leave a vacancy
that recruitment refills after a role-dependent lag, and posts opened in a new state
are recruited by the same rule. The deputy succeeds an arrested leader; without one,
a broker does, later. An organisation with no active leader or broker is dormant, not
dead: its vacancies still refill, and if it stays dormant ``entry_weeks`` a new
organisation enters its markets in its place. Everything inside the tick is an array
operation; Python loops run over organisations only (a handful).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import network
from sim.roles import ACTIVE, BROKER, COURIER, LEADER, ROLES, VACANT

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import LegalState
    from sim.rng import Streams
    from sim.world import World

__all__ = ["ACTIVE", "BROKER", "COURIER", "LEADER", "ROLES", "VACANT"]


class Members:
    """Every member slot of every organisation, as parallel arrays, and the organisations' state.

    Attributes:
        org, role, state: organisation, role and current state of each slot.
        nationality: the state a member is a national of (extradition of nationals).
        fugitive: 1 for a leader who fled his pursuers to another state (found there
            only through an INTERPOL red notice), else 0.
        boss: slot of the member above (courier -> broker -> leader), -1 for leaders.
        status: ACTIVE, or VACANT after an arrest until ``refill_at``.
        refill_at: tick at which a vacant slot is filled by a recruit.
        leader_of: (orgs,) the leader's slot of each organisation.
        deputy_of: (orgs,) the deputy's slot (a broker), -1 where there is none.
        alive: (orgs,) organisations not dormant (an active leader or broker).
        dormant_since: (orgs,) week the organisation went dormant, -1 when it is not.
        entries: new organisations that entered in place of dormant ones, so far;
            ``entered``: how many this week, ``entered_orgs``: which (their routes,
            beliefs and load size start again from the organisation's prior).
        tie_a, tie_b: the member network's extra ties (broker-broker, shared couriers,
            deputy-leader), besides each member's ``boss``.
        posts_changed: (orgs,) broker posts changed since the organisation last
            refreshed its candidate routes.
    """

    FIELDS = ("org", "role", "state", "nationality", "boss", "status", "refill_at", "fugitive")

    def __init__(self, n_orgs: int):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))
        self.leader_of = np.full(n_orgs, -1, dtype=np.int64)
        self.deputy_of = np.full(n_orgs, -1, dtype=np.int64)
        self.alive = np.ones(n_orgs, dtype=bool)
        self.dormant_since = np.full(n_orgs, -1, dtype=np.int64)
        self.entries = 0
        self.entered = 0
        self.entered_orgs = np.zeros(0, dtype=np.int64)
        self.tie_a = np.zeros(0, dtype=np.int64)
        self.tie_b = np.zeros(0, dtype=np.int64)
        self.posts_changed = np.ones(n_orgs, dtype=bool)

    def __len__(self) -> int:
        return len(self.org)

    @property
    def n_orgs(self) -> int:
        """Number of organisations."""
        return len(self.leader_of)

    def add(
        self,
        org: int,
        role: int,
        state: int,
        boss: int,
        nationality: int | None = None,
        refill_at: int = -1,
    ):
        """Append one member slot (vacant until ``refill_at`` if given); return its index."""
        vals = {
            "org": org,
            "role": role,
            "state": state,
            "boss": boss,
            "status": ACTIVE if refill_at < 0 else VACANT,
            "nationality": state if nationality is None else nationality,
            "refill_at": refill_at,
            "fugitive": 0,
        }
        for f in self.FIELDS:
            setattr(self, f, np.append(getattr(self, f), vals[f]))
        return len(self.org) - 1

    @property
    def active(self) -> np.ndarray:
        """Mask of active slots."""
        return self.status == ACTIVE

    def tie(self, a, b) -> None:
        """Add undirected ties between member slots ``a`` and ``b`` (arrays or ints)."""
        self.tie_a = np.append(self.tie_a, np.asarray(a, dtype=np.int64))
        self.tie_b = np.append(self.tie_b, np.asarray(b, dtype=np.int64))

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Every tie of the network: boss lines plus the extra ties, as two arrays."""
        below = np.flatnonzero(self.boss >= 0)
        return (
            np.concatenate([below, self.tie_a]),
            np.concatenate([self.boss[below], self.tie_b]),
        )


def setup_members(world: World, territories: list[np.ndarray], params: dict, rng) -> Members:
    """Members at set-up: a leader, brokers in every state of the territory, couriers, ties.

    One leader per organisation lives in its home state; ``brokers_per_state`` brokers
    in every state its territory (a leg mask per organisation) touches, each with
    ``couriers_per_broker`` couriers. Then the network's extra ties are drawn (stream
    ``network``): each broker to ``broker_ties`` other brokers of its organisation; a
    share ``shared_couriers`` of couriers to another organisation's broker in their
    state; each organisation's first broker is its deputy, tied to the leader.
    """
    mem = Members(len(world.orgs))
    for o, spec in enumerate(world.orgs):
        mem.leader_of[o] = mem.add(o, LEADER, spec["home"], -1)
        for s in territory_states(world, territories[o], spec["sources"]):
            add_broker(mem, o, int(s), params)
    network.draw_ties(mem, params, rng)
    return mem


def territory_states(world: World, territory: np.ndarray, sources) -> np.ndarray:
    """States touched by an organisation's territory (legs' ends) and its sources."""
    w = world
    locs = np.concatenate([w.leg_from[territory], w.leg_to[territory], sources])
    return np.unique(w.loc_state[locs])


def add_broker(mem: Members, o: int, s: int, params: dict, due=None) -> None:
    """Open ``brokers_per_state`` broker posts (each with couriers) for org ``o`` in state ``s``.

    At set-up the posts are filled (``due`` None); on expansion they are vacancies,
    filled at the weeks ``due`` gives per post (the one recruitment rule, :func:`arrest`).
    """
    for k in range(int(params["brokers_per_state"])):
        at = -1 if due is None else int(due[k])
        b = mem.add(o, BROKER, s, int(mem.leader_of[o]), refill_at=at)
        for _ in range(int(params["couriers_per_broker"])):
            mem.add(o, COURIER, s, b, refill_at=at)


def recruit_lag(params: dict, role: int, n: int, t: int, rng) -> np.ndarray:
    """Weeks at which ``n`` posts of ``role`` vacated (or opened) at ``t`` are filled."""
    mean = (
        params["leader_succession_weeks"],
        params["recruit_weeks_broker"],
        params["recruit_weeks_courier"],
    )[role]
    return t + 1 + np.floor(rng.exponential(mean, n)).astype(np.int64)


def _broker_count(mem: Members, mask: np.ndarray, n_states: int) -> np.ndarray:
    key = mem.org[mask] * n_states + mem.state[mask]
    return np.bincount(key, minlength=mem.n_orgs * n_states).reshape(mem.n_orgs, n_states)


def access(mem: Members, n_states: int) -> np.ndarray:
    """(orgs, states): whether each organisation has an active broker in each state."""
    return _broker_count(mem, (mem.role == BROKER) & (mem.status == ACTIVE), n_states) > 0


def has_brokers(mem: Members, n_states: int) -> np.ndarray:
    """(orgs, states): whether an organisation has broker posts (filled or vacant) there."""
    return _broker_count(mem, mem.role == BROKER, n_states) > 0


def pick(mem: Members, role: int, group: np.ndarray, key: np.ndarray, rng) -> np.ndarray:
    """A random active member of ``role`` per requested key (-1 where there is none).

    ``group`` maps every member slot to its key (e.g. org x state for brokers, boss for
    couriers); ``key`` lists the keys to draw for.
    """
    cand = np.flatnonzero((mem.role == role) & (mem.status == ACTIVE))
    u = rng.random(len(key))
    if not len(cand):
        return np.full(len(key), -1, dtype=np.int64)
    cand = cand[np.argsort(group[cand], kind="stable")]
    keys = group[cand]
    lo = np.searchsorted(keys, key, "left")
    hi = np.searchsorted(keys, key, "right")
    k = lo + np.floor(u * (hi - lo)).astype(np.int64)
    return np.where(hi > lo, cand[np.minimum(k, len(cand) - 1)], -1)


def arrest(mem: Members, idx: np.ndarray, t: int, params: dict, rng) -> None:
    """Remove members: their slots fall vacant until recruitment refills them.

    Lags are exponential with role-dependent means (``recruit_weeks_*``), drawn from the
    ``recruitment`` stream (``rng``); a leader's slot is refilled by succession, twice
    as slowly when the organisation has no active deputy.
    """
    idx = np.unique(idx[idx >= 0])
    idx = idx[mem.status[idx] == ACTIVE]
    if not len(idx):
        return
    p = params
    means = np.array(
        [p["leader_succession_weeks"], p["recruit_weeks_broker"], p["recruit_weeks_courier"]]
    )[mem.role[idx]]
    lead = mem.role[idx] == LEADER
    if lead.any():
        dep = mem.deputy_of[mem.org[idx]]
        no_deputy = (dep < 0) | (mem.status[np.maximum(dep, 0)] != ACTIVE) | np.isin(dep, idx)
        means = np.where(lead & no_deputy, 2.0 * means, means)
    lag = rng.exponential(means)
    mem.status[idx] = VACANT
    mem.refill_at[idx] = t + 1 + np.floor(lag).astype(np.int64)
    _touch(mem, idx)


def _touch(mem: Members, idx: np.ndarray) -> None:
    """Organisations whose broker posts changed must refresh their candidate routes."""
    mem.posts_changed[mem.org[idx[mem.role[idx] == BROKER]]] = True


def renew(mem: Members, t: int, params: dict, streams: Streams) -> None:
    """Phase 0: refill the vacancies that are due, then mark dormant organisations."""
    recruit(mem, t, params, streams["recruitment"])
    update_dormancy(mem, t, params)


def recruit(mem: Members, t: int, params: dict, rng) -> None:
    """Refill vacancies that are due, dormant organisations included.

    A successor leader is the deputy if he is at liberty, else the first active broker,
    and lives where that broker lived; the broker's own slot then waits for a recruit
    and another active broker becomes deputy.
    """
    m = mem
    due = (m.status == VACANT) & (m.refill_at <= t)
    if not due.any():
        return
    leaders = np.flatnonzero(due & (m.role == LEADER))
    others = np.flatnonzero(due & (m.role != LEADER))
    m.status[others] = ACTIVE
    m.nationality[others] = m.state[others]  # a recruit is a local
    for i in leaders:  # one per organisation: a loop over organisations
        o = m.org[i]
        brokers = np.flatnonzero((m.org == o) & (m.role == BROKER) & (m.status == ACTIVE))
        if len(brokers):
            d = m.deputy_of[o]
            b = d if d >= 0 and m.status[d] == ACTIVE else brokers[0]
            m.state[i], m.nationality[i] = m.state[b], m.nationality[b]
            m.fugitive[i] = 0
            m.status[i] = ACTIVE
            arrest(m, np.array([b]), t, params, rng)  # the promoted broker's post falls vacant
            rest = brokers[brokers != b]
            m.deputy_of[o] = rest[0] if len(rest) else -1
        else:
            m.refill_at[i] = t + 1
    _touch(m, np.flatnonzero(due))


def update_dormancy(mem: Members, t: int, params: dict) -> None:
    """Mark organisations with no active leader or broker dormant; replace long-dormant ones.

    An organisation dormant for ``entry_weeks`` is replaced: a new organisation enters
    its markets with members of its own (every vacant slot filled by a local recruit,
    the old ties kept as the new group's), and it counts in ``entries``.
    """
    core = (mem.role != COURIER) & (mem.status == ACTIVE)
    alive = np.bincount(mem.org[core], minlength=mem.n_orgs) > 0
    went = ~alive & (mem.dormant_since < 0)
    mem.dormant_since[went] = t
    mem.dormant_since[alive] = -1
    enter = ~alive & (mem.dormant_since >= 0) & (t - mem.dormant_since >= params["entry_weeks"])
    mem.entered = int(enter.sum())
    mem.entered_orgs = np.flatnonzero(enter)
    for o in np.flatnonzero(enter):  # rare: a loop over organisations
        slots = np.flatnonzero((mem.org == o) & (mem.status == VACANT))
        mem.status[slots] = ACTIVE
        mem.nationality[slots] = mem.state[slots]
        mem.fugitive[slots] = 0
        mem.refill_at[slots] = -1
        brokers = np.flatnonzero((mem.org == o) & (mem.role == BROKER))
        mem.deputy_of[o] = brokers[0] if len(brokers) else -1
        mem.dormant_since[o] = -1
        mem.posts_changed[o] = True
        mem.entries += 1
        alive[o] = True
    mem.alive = alive


def offence_of(mem: Members, world: World, member) -> np.ndarray:
    """The offence each member is pursued for: conspiracy for leaders, else the commodity's."""
    return np.where(
        mem.role[member] == LEADER, world.leader_offence, world.org_offence[mem.org[member]]
    )


def surrenders(mem: Members, legal: LegalState, world: World, member, to_state, offence):
    """Whether the state where each member lives would surrender him to ``to_state``.

    The extradition rule (its procedure is :mod:`sim.extradition`): a member in the
    requesting state is simply arrested; under a surrender arrangement he is
    surrendered; otherwise the two states need an extradition treaty, both must punish
    the conduct with at least ``extradition_min_penalty_years`` (dual criminality by
    conduct), and a state that does not extradite its nationals keeps them. Arguments
    broadcast (one member against many states, or one state per member).
    """
    x = mem.state[member]
    nationals_ok = legal.nationals[x] | (mem.nationality[member] != x)
    floor = world.params["extradition_min_penalty_years"]
    both = (legal.conduct_penalty[x, offence] >= floor) & (
        legal.conduct_penalty[to_state, offence] >= floor
    )
    treaty = (legal.extradition[to_state, x] | legal.basis[x]) & both & nationals_ok
    return (to_state == x) | legal.surrender[to_state, x] | treaty


def found(mem: Members, legal: LegalState, member, to_state):
    """Whether ``to_state`` can find each member: where he lives, or by a red notice.

    A member who has not fled is found where he lives. A fugitive leader abroad is found
    only by an INTERPOL red notice: both states take part in a database that carries
    notices (``red_notices``), and the state he fled to arrests him on the notice.
    """
    x = mem.state[member]
    return (mem.fugitive[member] == 0) | (x == to_state) | legal.notices[to_state, x]


def obtainable(mem: Members, legal: LegalState, world: World, member, to_state, offence):
    """Whether ``to_state`` could obtain each member: find him, then have him surrendered."""
    found_him = found(mem, legal, member, to_state)
    return found_him & surrenders(mem, legal, world, member, to_state, offence)


def relocate(
    mem: Members, legal: LegalState, world: World, cases, target, pursuer, params: dict, rng
) -> None:
    """Leaders targeted by a case may flee to a safe haven (stream ``relocation``).

    A safe haven is a state where the organisation has a broker and from which no state
    pursuing his organisation could obtain the leader (:func:`obtainable`): it would not
    surrender him, or a fugitive there is beyond the reach of his pursuers' red notices.
    """
    m = mem
    lead = np.flatnonzero(m.role[target] == LEADER)
    if not len(lead):
        return
    move = lead[rng.random(len(lead)) < params["relocation_probability"]]
    acc = access(m, world.n_states)
    off = world.leader_offence
    for i in np.unique(target[move]):  # one leader per organisation: a loop over orgs
        pursuers = np.unique(
            np.append(pursuer[move][target[move] == i], cases.state[cases.org == m.org[i]])
        )
        if not obtainable(m, legal, world, i, pursuers, off).any():
            continue  # already safe where he is
        home, fled = m.state[i], m.fugitive[i]
        havens = []
        for x in np.flatnonzero(acc[m.org[i]]):
            m.state[i], m.fugitive[i] = x, fled | (x != home)
            if not obtainable(m, legal, world, i, pursuers, off).any():
                havens.append(x)
        m.state[i] = rng.choice(havens) if havens else home
        m.fugitive[i] = fled | (m.state[i] != home)


def safe_haven_leaders(mem: Members, legal: LegalState, world: World, cases) -> int:
    """Active leaders whom no state pursuing their organisation could obtain (find and get)."""
    n = 0
    if not len(cases):
        return 0
    for o in np.flatnonzero(mem.alive):  # a loop over organisations
        i = mem.leader_of[o]
        pursuers = np.unique(cases.state[cases.org == o])
        if (
            mem.status[i] == ACTIVE
            and len(pursuers)
            and not obtainable(mem, legal, world, i, pursuers, world.leader_offence).any()
        ):
            n += 1
    return n
