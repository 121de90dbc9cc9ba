"""The member network beyond the boss lines: ties, working strength and targeting.

Members (:mod:`sim.members`) hold the slots; this module draws the extra ties at
set-up, measures how much of an organisation still works (couriers with an active
broker), and picks members for targeted operations by their place in the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.roles import ACTIVE, BROKER, COURIER

if TYPE_CHECKING:  # pragma: no cover
    from sim.members import Members


def draw_ties(mem: Members, params: dict, rng) -> None:
    """The non-tree ties of the network at set-up (one loop over organisations)."""
    for o in range(mem.n_orgs):
        brokers = np.flatnonzero((mem.org == o) & (mem.role == BROKER))
        if not len(brokers):
            continue
        mem.deputy_of[o] = brokers[0]
        mem.tie(brokers[0], mem.leader_of[o])
        for _ in range(int(params["broker_ties"])):
            if len(brokers) > 1:
                other = rng.permutation(brokers)
                keep = other != brokers
                mem.tie(brokers[keep], other[keep])
    couriers = np.flatnonzero(mem.role == COURIER)
    shared = couriers[rng.random(len(couriers)) < params["shared_couriers"]]
    brokers = np.flatnonzero(mem.role == BROKER)
    for c in shared:  # set-up only, a few hundred members at most
        other = brokers[(mem.state[brokers] == mem.state[c]) & (mem.org[brokers] != mem.org[c])]
        if len(other):
            mem.tie(c, rng.choice(other))


def strength(mem: Members) -> np.ndarray:
    """(orgs,) share of each organisation's couriers who have an active broker to work for.

    A courier works for an organisation if he is active and tied (by his boss line or
    as a shared courier) to an active broker of it; a shared courier counts for both.
    """
    a, b = mem.edges()
    cb = np.concatenate([np.stack([a, b]), np.stack([b, a])], axis=1)
    c, k = cb[0], cb[1]
    ok = (mem.role[c] == COURIER) & (mem.role[k] == BROKER)
    c, k = c[ok], k[ok]
    working = (mem.status[c] == ACTIVE) & (mem.status[k] == ACTIVE)
    n, size = mem.n_orgs, max(len(mem), 1)
    key = np.unique(mem.org[k[working]] * size + c[working])
    works = np.bincount(key // size, minlength=n)
    # posts: every courier tied to one of its brokers, its own and shared ones alike
    posts = np.bincount(np.unique(mem.org[k] * size + c) // size, minlength=n)
    return works / np.maximum(posts, 1)


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

    Strategies: ``random``; ``degree`` (most ties in the member network: boss lines,
    broker-broker ties, shared couriers, the deputy's tie to the leader);
    ``betweenness`` (betweenness centrality in that network, among members at liberty);
    ``role`` (the given role, at random).
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
        a, b = m.edges()
        ties = np.bincount(np.concatenate([a, b]), minlength=len(m))
        score = ties[pool] + rng.random(len(pool)) * 1e-6  # random tie-break
    else:  # betweenness on the member network (one-off, at the policy's tick)
        g = nx.Graph()
        a, b = m.edges()
        live = np.isin(a, pool) & np.isin(b, pool)
        g.add_edges_from(zip(a[live].tolist(), b[live].tolist()))
        bc = nx.betweenness_centrality(g) if g.number_of_edges() else {}
        score = np.array([bc.get(int(i), 0.0) for i in pool]) + rng.random(len(pool)) * 1e-9
    return pool[np.argsort(-score, kind="stable")[:n]]
