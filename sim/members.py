"""Members of trafficking organisations: leaders, brokers and couriers as arrays.

Ties run courier -> broker -> leader. A route through a state needs an active broker
of the organisation there (brokers are the human capital that lets an organisation
cross a jurisdiction, DESIGN 3.2). Arrested members leave a vacancy that recruitment
refills after a role-dependent lag; a leader is succeeded by a broker. An
organisation with neither leader nor broker left is dismantled. Everything inside the
tick is an array operation; Python loops run over organisations only (a handful).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel

LEADER, BROKER, COURIER = 0, 1, 2
ROLES = ("leader", "broker", "courier")
ACTIVE, VACANT = 0, 1


class Members:
    """Parallel arrays, one entry per member slot.

    Attributes:
        org, role, state: organisation, role and current state of each slot.
        nationality: the state a member is a national of (extradition of nationals).
        boss: slot of the member above (courier -> broker -> leader), -1 for leaders.
        status: ACTIVE, or VACANT after an arrest until ``refill_at``.
        refill_at: tick at which a vacant slot is filled by a recruit.
    """

    FIELDS = ("org", "role", "state", "nationality", "boss", "status", "refill_at")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.org)

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


def setup_members(model: TraffickingModel) -> Members:
    """Members at set-up: a leader, brokers in every state of the territory, couriers.

    One leader per organisation lives in its home state; ``brokers_per_state`` brokers
    in every state its territory touches, each with ``couriers_per_broker`` couriers.
    """
    mem = Members()
    w = model.world
    model.leader_of = np.full(len(model.orgs), -1, dtype=np.int64)
    for org in model.orgs:
        home = w.orgs[org.index]["home"]
        model.leader_of[org.index] = mem.add(org.index, LEADER, home, -1)
        for s in territory_states(model, org):
            add_broker(model, mem, org.index, int(s))
    return mem


def territory_states(model: TraffickingModel, org) -> np.ndarray:
    """States touched by an organisation's territory (legs' ends)."""
    w = model.world
    locs = np.concatenate([w.leg_from[org.territory], w.leg_to[org.territory], org.sources])
    return np.unique(w.loc_state[locs])


def add_broker(model: TraffickingModel, mem: Members, o: int, s: int) -> None:
    """Recruit ``brokers_per_state`` brokers (each with couriers) for org ``o`` in state ``s``."""
    for _ in range(int(model.params["brokers_per_state"])):
        b = mem.add(o, BROKER, s, int(model.leader_of[o]))
        for _ in range(int(model.params["couriers_per_broker"])):
            mem.add(o, COURIER, s, b)


def _broker_count(model: TraffickingModel, mask: np.ndarray) -> np.ndarray:
    m = model.members
    n_s = model.world.n_states
    key = m.org[mask] * n_s + m.state[mask]
    return np.bincount(key, minlength=len(model.orgs) * n_s).reshape(len(model.orgs), n_s)


def access(model: TraffickingModel) -> np.ndarray:
    """(orgs, states): whether each organisation has an active broker in each state."""
    m = model.members
    return _broker_count(model, (m.role == BROKER) & (m.status == ACTIVE)) > 0


def has_brokers(model: TraffickingModel) -> np.ndarray:
    """(orgs, states): whether an organisation has broker posts (filled or vacant) there."""
    return _broker_count(model, model.members.role == BROKER) > 0


def pick(model: TraffickingModel, role: int, group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A random active member of ``role`` per requested key (-1 where there is none).

    ``group`` maps every member slot to its key (e.g. org x state for brokers, boss for
    couriers); ``key`` lists the keys to draw for.
    """
    m = model.members
    cand = np.flatnonzero((m.role == role) & (m.status == ACTIVE))
    u = model.streams["case_open"].random(len(key))
    if not len(cand):
        return np.full(len(key), -1, dtype=np.int64)
    cand = cand[np.argsort(group[cand], kind="stable")]
    keys = group[cand]
    lo = np.searchsorted(keys, key, "left")
    hi = np.searchsorted(keys, key, "right")
    k = lo + np.floor(u * (hi - lo)).astype(np.int64)
    return np.where(hi > lo, cand[np.minimum(k, len(cand) - 1)], -1)


def arrest(model: TraffickingModel, idx: np.ndarray, t: int) -> None:
    """Remove members: their slots fall vacant until recruitment refills them.

    Lags are exponential with role-dependent means (``recruit_weeks_*``), drawn from the
    ``recruitment`` stream; a leader's slot is refilled by succession from a broker.
    """
    idx = np.unique(idx[idx >= 0])
    m = model.members
    idx = idx[m.status[idx] == ACTIVE]
    if not len(idx):
        return
    p = model.params
    means = np.array(
        [p["leader_succession_weeks"], p["recruit_weeks_broker"], p["recruit_weeks_courier"]]
    )
    lag = model.streams["recruitment"].exponential(means[m.role[idx]])
    m.status[idx] = VACANT
    m.refill_at[idx] = t + 1 + np.floor(lag).astype(np.int64)
    _touch(model, idx)


def _touch(model: TraffickingModel, idx: np.ndarray) -> None:
    """Organisations whose broker posts changed must refresh their candidate routes."""
    m = model.members
    for o in np.unique(m.org[idx[m.role[idx] == BROKER]]):
        model.orgs[o].dirty = True


def recruit(model: TraffickingModel, t: int) -> None:
    """Refill vacancies that are due, in organisations that still exist.

    A successor leader is promoted from the organisation's brokers, and lives where
    that broker lived; the broker's own slot then waits for a recruit.
    """
    m = model.members
    due = (m.status == VACANT) & (m.refill_at <= t) & model.org_alive[m.org]
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
            arrest(model, np.array([b]), t)  # the promoted broker's post falls vacant
        else:
            m.refill_at[i] = t + 1
    _touch(model, np.flatnonzero(due))


def update_alive(model: TraffickingModel) -> None:
    """Dismantle organisations left with neither an active leader nor an active broker."""
    m = model.members
    core = (m.role != COURIER) & (m.status == ACTIVE)
    model.org_alive &= np.bincount(m.org[core], minlength=len(model.orgs)) > 0


def surrenders(model: TraffickingModel, member: int, to_state: np.ndarray) -> np.ndarray:
    """Whether the state where ``member`` lives would surrender him to each of ``to_state``."""
    m = model.members
    x = m.state[member]
    legal = model.legal
    nationals_ok = model.world.extradites_nationals[x] or m.nationality[member] != x
    offence = model.conspiracy if m.role[member] == LEADER else model.org_offence[m.org[member]]
    both = legal.laws[x, offence] & legal.laws[to_state, offence]
    return (to_state == x) | (legal.extradition[to_state, x] & both & nationals_ok)


def relocate(model: TraffickingModel, target: np.ndarray, pursuer: np.ndarray) -> None:
    """Leaders targeted by a case may move to a safe haven.

    A safe haven is a state where the organisation has a broker and which would not
    surrender the leader to any state pursuing his organisation.
    """
    m = model.members
    lead = np.flatnonzero(m.role[target] == LEADER)
    if not len(lead):
        return
    rng = model.streams["relocation"]
    move = lead[rng.random(len(lead)) < model.params["relocation_probability"]]
    acc = access(model)
    for i in np.unique(target[move]):  # one leader per organisation: a loop over orgs
        pursuers = np.unique(
            np.append(
                pursuer[move][target[move] == i], model.cases.state[model.cases.org == m.org[i]]
            )
        )
        if not surrenders(model, i, pursuers).any():
            continue  # already safe where he is
        home = m.state[i]
        havens = []
        for x in np.flatnonzero(acc[m.org[i]]):
            m.state[i] = x
            if not surrenders(model, i, pursuers).any():
                havens.append(x)
        m.state[i] = rng.choice(havens) if havens else home


def safe_haven_leaders(model: TraffickingModel) -> int:
    """Active leaders whom no state pursuing their organisation could obtain."""
    m = model.members
    n = 0
    if not len(model.cases):
        return 0
    for o in np.flatnonzero(model.org_alive):  # a loop over organisations
        i = model.leader_of[o]
        pursuers = np.unique(model.cases.state[model.cases.org == o])
        if m.status[i] == ACTIVE and len(pursuers) and not surrenders(model, i, pursuers).any():
            n += 1
    return n


def select(
    model: TraffickingModel,
    strategy: str,
    share: float | None,
    count: int | None,
    org: int | None = None,
    role: int | None = None,
) -> np.ndarray:
    """Members to arrest in a targeted operation (``remove_members``).

    Strategies: ``random``; ``degree`` (most ties: leaders and brokers with many
    couriers first); ``betweenness`` (betweenness centrality in the organisation's
    member network); ``role`` (the given role, at random).
    """
    import networkx as nx

    m = model.members
    pool = np.flatnonzero(m.status == ACTIVE)
    if org is not None:
        pool = pool[m.org[pool] == org]
    if role is not None:
        pool = pool[m.role[pool] == role]
    n = count if count is not None else int(round((share or 0.0) * len(pool)))
    n = min(max(n, 0), len(pool))
    if n == 0:
        return pool[:0]
    rng = model.streams["arrests"]
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
