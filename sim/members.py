"""Members of trafficking organisations: leaders, brokers and couriers as arrays.

Ties run courier -> broker -> leader. A route through a state needs an active broker
of the organisation there (brokers are the human capital that lets an organisation
cross a jurisdiction, docs/ODD.md 7.1). Arrested members leave a vacancy that
recruitment refills after a role-dependent lag; a leader is succeeded by a broker. An
organisation with neither leader nor broker left is dismantled. Everything inside the
tick is an array operation; Python loops run over organisations only (a handful).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import LegalState
    from sim.rng import Streams
    from sim.world import World

LEADER, BROKER, COURIER = 0, 1, 2
ROLES = ("leader", "broker", "courier")
ACTIVE, VACANT = 0, 1


class Members:
    """Every member slot of every organisation, as parallel arrays, and the organisations' state.

    Attributes:
        org, role, state: organisation, role and current state of each slot.
        nationality: the state a member is a national of (extradition of nationals).
        boss: slot of the member above (courier -> broker -> leader), -1 for leaders.
        status: ACTIVE, or VACANT after an arrest until ``refill_at``.
        refill_at: tick at which a vacant slot is filled by a recruit.
        leader_of: (orgs,) the leader's slot of each organisation.
        alive: (orgs,) organisations not dismantled.
        posts_changed: (orgs,) broker posts changed since the organisation last
            refreshed its candidate routes.
    """

    FIELDS = ("org", "role", "state", "nationality", "boss", "status", "refill_at")

    def __init__(self, n_orgs: int):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))
        self.leader_of = np.full(n_orgs, -1, dtype=np.int64)
        self.alive = np.ones(n_orgs, dtype=bool)
        self.posts_changed = np.ones(n_orgs, dtype=bool)

    def __len__(self) -> int:
        return len(self.org)

    @property
    def n_orgs(self) -> int:
        """Number of organisations."""
        return len(self.leader_of)

    def add(self, org: int, role: int, state: int, boss: int, nationality: int | None = None):
        """Append one member slot; return its index (used at set-up and on expansion)."""
        vals = {
            "org": org,
            "role": role,
            "state": state,
            "boss": boss,
            "status": ACTIVE,
            "nationality": state if nationality is None else nationality,
            "refill_at": -1,
        }
        for f in self.FIELDS:
            setattr(self, f, np.append(getattr(self, f), vals[f]))
        return len(self.org) - 1

    @property
    def active(self) -> np.ndarray:
        """Mask of active slots."""
        return self.status == ACTIVE

    def leader_free(self) -> np.ndarray:
        """(orgs,) whether each organisation's leader is at liberty."""
        return self.status[self.leader_of] == ACTIVE


def setup_members(world: World, territories: list[np.ndarray], params: dict) -> Members:
    """Members at set-up: a leader, brokers in every state of the territory, couriers.

    One leader per organisation lives in its home state; ``brokers_per_state`` brokers
    in every state its territory (a leg mask per organisation) touches, each with
    ``couriers_per_broker`` couriers.
    """
    mem = Members(len(world.orgs))
    for o, spec in enumerate(world.orgs):
        mem.leader_of[o] = mem.add(o, LEADER, spec["home"], -1)
        for s in territory_states(world, territories[o], spec["sources"]):
            add_broker(mem, o, int(s), params)
    return mem


def territory_states(world: World, territory: np.ndarray, sources) -> np.ndarray:
    """States touched by an organisation's territory (legs' ends) and its sources."""
    w = world
    locs = np.concatenate([w.leg_from[territory], w.leg_to[territory], sources])
    return np.unique(w.loc_state[locs])


def add_broker(mem: Members, o: int, s: int, params: dict) -> None:
    """Recruit ``brokers_per_state`` brokers (each with couriers) for org ``o`` in state ``s``."""
    for _ in range(int(params["brokers_per_state"])):
        b = mem.add(o, BROKER, s, int(mem.leader_of[o]))
        for _ in range(int(params["couriers_per_broker"])):
            mem.add(o, COURIER, s, b)


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
    ``recruitment`` stream (``rng``); a leader's slot is refilled by succession.
    """
    idx = np.unique(idx[idx >= 0])
    idx = idx[mem.status[idx] == ACTIVE]
    if not len(idx):
        return
    p = params
    means = np.array(
        [p["leader_succession_weeks"], p["recruit_weeks_broker"], p["recruit_weeks_courier"]]
    )
    lag = rng.exponential(means[mem.role[idx]])
    mem.status[idx] = VACANT
    mem.refill_at[idx] = t + 1 + np.floor(lag).astype(np.int64)
    _touch(mem, idx)


def _touch(mem: Members, idx: np.ndarray) -> None:
    """Organisations whose broker posts changed must refresh their candidate routes."""
    mem.posts_changed[mem.org[idx[mem.role[idx] == BROKER]]] = True


def renew(mem: Members, t: int, params: dict, streams: Streams) -> None:
    """Phase 0: refill the vacancies that are due, then dismantle organisations left bare."""
    recruit(mem, t, params, streams["recruitment"])
    update_alive(mem)


def recruit(mem: Members, t: int, params: dict, rng) -> None:
    """Refill vacancies that are due, in organisations that still exist.

    A successor leader is promoted from the organisation's brokers, and lives where
    that broker lived; the broker's own slot then waits for a recruit.
    """
    m = mem
    due = (m.status == VACANT) & (m.refill_at <= t) & m.alive[m.org]
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
            b = brokers[0]
            m.state[i], m.nationality[i] = m.state[b], m.nationality[b]
            m.status[i] = ACTIVE
            arrest(m, np.array([b]), t, params, rng)  # the promoted broker's post falls vacant
        else:
            m.refill_at[i] = t + 1
    _touch(m, np.flatnonzero(due))


def update_alive(mem: Members) -> None:
    """Dismantle organisations left with neither an active leader nor an active broker."""
    core = (mem.role != COURIER) & (mem.status == ACTIVE)
    mem.alive &= np.bincount(mem.org[core], minlength=mem.n_orgs) > 0


def offence_of(mem: Members, world: World, member) -> np.ndarray:
    """The offence each member is pursued for: conspiracy for leaders, else the commodity's."""
    return np.where(
        mem.role[member] == LEADER, world.leader_offence, world.org_offence[mem.org[member]]
    )


def surrenders(mem: Members, legal: LegalState, world: World, member, to_state, offence):
    """Whether the state where each member lives would surrender him to ``to_state``.

    The one extradition rule of the model: a member in the requesting state is simply
    arrested; otherwise the two states need an extradition treaty, both must
    criminalise the offence (dual criminality), and a state that does not extradite
    its nationals keeps them. Arguments broadcast (one member against many states, or
    one state per member).
    """
    x = mem.state[member]
    nationals_ok = world.extradites_nationals[x] | (mem.nationality[member] != x)
    both = legal.laws[x, offence] & legal.laws[to_state, offence]
    return (to_state == x) | (legal.extradition[to_state, x] & both & nationals_ok)


def relocate(
    mem: Members, legal: LegalState, world: World, cases, target, pursuer, params: dict, rng
) -> None:
    """Leaders targeted by a case may move to a safe haven (stream ``relocation``).

    A safe haven is a state where the organisation has a broker and which would not
    surrender the leader to any state pursuing his organisation.
    """
    m = mem
    lead = np.flatnonzero(m.role[target] == LEADER)
    if not len(lead):
        return
    move = lead[rng.random(len(lead)) < params["relocation_probability"]]
    acc = access(m, world.n_states)
    for i in np.unique(target[move]):  # one leader per organisation: a loop over orgs
        pursuers = np.unique(
            np.append(pursuer[move][target[move] == i], cases.state[cases.org == m.org[i]])
        )
        if not surrenders(m, legal, world, i, pursuers, world.leader_offence).any():
            continue  # already safe where he is
        home = m.state[i]
        havens = []
        for x in np.flatnonzero(acc[m.org[i]]):
            m.state[i] = x
            if not surrenders(m, legal, world, i, pursuers, world.leader_offence).any():
                havens.append(x)
        m.state[i] = rng.choice(havens) if havens else home


def safe_haven_leaders(mem: Members, legal: LegalState, world: World, cases) -> int:
    """Active leaders whom no state pursuing their organisation could obtain."""
    n = 0
    if not len(cases):
        return 0
    for o in np.flatnonzero(mem.alive):  # a loop over organisations
        i = mem.leader_of[o]
        pursuers = np.unique(cases.state[cases.org == o])
        if (
            mem.status[i] == ACTIVE
            and len(pursuers)
            and not surrenders(mem, legal, world, i, pursuers, world.leader_offence).any()
        ):
            n += 1
    return n


def select(
    mem: Members,
    strategy: str,
    share: float | None,
    count: int | None,
    rng,
    org: int | None = None,
    role: int | None = None,
) -> np.ndarray:
    """Members to arrest in a targeted operation (``remove_members``, stream ``arrests``).

    Strategies: ``random``; ``degree`` (most ties: leaders and brokers with many
    couriers first); ``betweenness`` (betweenness centrality in the organisation's
    member network); ``role`` (the given role, at random).
    """
    import networkx as nx

    m = mem
    pool = np.flatnonzero(m.status == ACTIVE)
    if org is not None:
        pool = pool[m.org[pool] == org]
    if role is not None:
        pool = pool[m.role[pool] == role]
    n = count if count is not None else int(round((share or 0.0) * len(pool)))
    n = min(max(n, 0), len(pool))
    if n == 0:
        return pool[:0]
    if strategy in ("random", "role"):
        return rng.choice(pool, size=n, replace=False)
    if strategy == "degree":
        ties = np.bincount(m.boss[m.boss >= 0], minlength=len(m)) + (m.boss >= 0)
        score = ties[pool] + rng.random(len(pool)) * 1e-6  # random tie-break
    else:  # betweenness on the member network (one-off, at the policy's tick)
        g = nx.Graph()
        g.add_edges_from((int(i), int(m.boss[i])) for i in pool if m.boss[i] >= 0)
        bc = nx.betweenness_centrality(g) if g.number_of_edges() else {}
        score = np.array([bc.get(int(i), 0.0) for i in pool]) + rng.random(len(pool)) * 1e-9
    return pool[np.argsort(-score, kind="stable")[:n]]
