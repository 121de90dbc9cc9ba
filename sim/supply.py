"""Supply: production to order at the sources, release capped by capacity, stockpiles.

Producers sell at the source price to the organisations able to move the goods
(production costs are a small share of the retail price, Caulkins & Reuter 2010, so
supply at the source follows orders). Each week (phase 3):

1. every organisation orders its share of its markets' demand, grossed up for its
   recent losses (:meth:`sim.markets.Markets.orders`); the orders of a dormant
   organisation go to its competitors in those markets;
2. each source produces the orders placed there, less what already waits unsold in
   its stockpile; with the stockpile this is what is available;
3. each organisation takes its order plus its share of the stockpile, up to its
   release capacity: ``capacity_headroom x`` its base production x (f + (1 - f) x the
   share of its couriers with an active broker), f = ``freelance_capacity``, while it
   is not dormant and has an open route (freelancers carry the share f). What a
   crippled organisation cannot take goes to its competitors at that source, up to
   their spare capacity; what no one can take waits in the source's stockpile, where
   agencies can raid it (phase 5);
4. what each organisation takes leaves in integer shipments of its current size, each
   on a path drawn by the logit over its candidates (stream ``route_choice``) and
   carrying one of its identifiers (stream ``identifiers``, :mod:`sim.intel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import network
from sim.routes import split_quantity

if TYPE_CHECKING:  # pragma: no cover
    from sim.markets import Markets
    from sim.members import Members
    from sim.routes import PathTable, Shipments
    from sim.traffickers import Organisation
    from sim.world import World


class Sources:
    """What waits at each source location, and what left this week.

    Attributes:
        stock: (locations,) integer units waiting in each source's stockpile.
        shipped: units released from the sources this week.
    """

    def __init__(self, world: World):
        self.stock = np.zeros(world.n_locations, dtype=np.int64)
        self.shipped = 0


def produce(
    src: Sources,
    markets: Markets,
    orgs: list[Organisation],
    mem: Members,
    ship: Shipments,
    paths: PathTable,
    world: World,
    params: dict,
    t: int,
    rng,
    ident_rng=None,
    n_ident: int = 1,
) -> int:
    """Phase 3: orders, production, release up to capacity, shipments; return units produced.

    Organisations whose broker posts changed refresh their candidate paths first.
    """
    for o in mem.entered_orgs:  # new organisations entered in dormant ones' place
        orgs[o].restart()
    for org in orgs:
        if mem.posts_changed[org.index]:
            org.refresh_candidates()
    growth = (1.0 + params["production_growth"]) ** (t / 52.0)
    order = markets.orders(mem.alive, growth)
    strength = network.strength(mem)
    headroom, free = params["capacity_headroom"], params["freelance_capacity"]
    # per (organisation, source): orders and capacities (a loop over organisations)
    want: dict[int, list[tuple[int, float, float]]] = {}
    for org in orgs:
        o = org.index
        total_base = max(float(sum(org.production)), 1e-12)
        for s, base in zip(org.sources, org.production):
            q = order[o] * base / total_base
            open_route = mem.alive[o] and len(org.candidates.get(s, ()))
            own = free + (1.0 - free) * strength[o]
            cap = headroom * base * growth * own if open_route else 0.0
            want.setdefault(s, []).append((o, q if open_route else 0.0, cap))
    produced = 0
    orgs_, qtys, chosen = [], [], []
    src.shipped = 0
    for s, rows in want.items():  # a loop over sources
        ordered = np.array([r[1] for r in rows])
        # producers make what is ordered, less what already waits unsold at the source
        made = max(int(round(ordered.sum())) - int(src.stock[s]), 0)
        produced += made
        available = int(src.stock[s]) + made
        share = ordered / ordered.sum() if ordered.sum() > 0 else np.zeros(len(rows))
        desired = share * available
        cap = np.array([r[2] for r in rows])
        take = np.floor(np.minimum(desired, cap)).astype(np.int64)
        # what a crippled organisation cannot move is sold to its competitors at this
        # source, in proportion to their spare capacity; the rest waits in the stockpile
        left = available - int(take.sum())
        spare = np.maximum(np.floor(cap) - take, 0)
        if left > 0 and spare.sum() > 0:
            extra = np.floor(np.minimum(spare, left * spare / spare.sum())).astype(np.int64)
            take += extra
        src.stock[s] = available - int(take.sum())
        for (o, _, _), n in zip(rows, take):
            if n <= 0:
                continue
            org = orgs[o]
            q = split_quantity(int(n), org.shipment_size)
            pth = org.choose_paths(s, len(q), rng)
            chosen.append(pth)
            qtys.append(q)
            orgs_.append(np.full(len(q), o))
            org.period_shipped += float(q.sum()) * world.price[org.markets].mean()
            src.shipped += int(n)
    if qtys:
        path = np.concatenate(chosen)
        weeks = world.leg_weeks[paths.legs[path, 0]]
        ident = (
            ident_rng.integers(0, n_ident, len(path))
            if ident_rng is not None
            else np.zeros(len(path))
        )
        ship.add(np.concatenate(orgs_), np.concatenate(qtys), path, t, weeks, ident)
    return produced


def raid(src: Sources, world: World, effort, integrity, detection, rng) -> np.ndarray:
    """Phase 5 (stockpiles): each source's agency may seize part of what waits there.

    Each unit waiting at a source is found with the chance an arriving load would have
    there, ``integrity x (1 - exp(-detection x effort))`` (stream ``stockpile``).
    Returns (locations,) units seized.
    """
    where = np.flatnonzero(src.stock > 0)
    seized = np.zeros(world.n_locations, dtype=np.int64)
    u = rng.random(len(where))  # one draw per source, so the stream's use is stable
    if not len(where):
        return seized
    st = world.loc_state[where]
    p = integrity[st] * (1.0 - np.exp(-detection[st] * effort[where]))
    seized[where] = np.floor(src.stock[where] * p + u).astype(np.int64)
    seized[where] = np.minimum(seized[where], src.stock[where])
    src.stock -= seized
    return seized
