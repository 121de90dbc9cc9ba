"""Enforcement: agencies spread effort over their locations, inspect arrivals, seize, learn.

A load is inspected where it arrives at the end of a leg: fully at a border crossing,
a port, an airport or a market and on sea, river and air legs (patrolled waters and
airspace); lightly on a land leg to an inland hub (``inland_inspection``). Detection
depends on the mode and on the load's size, and an agency's effort at a place is
shared among what arrives there, so more traffic lowers each load's risk (enforcement
swamping, Kleiman 1993). Agencies also raid the stockpiles waiting at sources.

All states are handled at once with numpy group operations over locations; there is
no Python loop per state, location or shipment inside the tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import agreements, intel, supply
from sim.members import access

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import Cooperation
    from sim.members import Members
    from sim.records import Recorder
    from sim.rng import Streams
    from sim.routes import Movement, Shipments
    from sim.supply import Sources
    from sim.world import World


class Enforcement:
    """Every agency's state: this week's effective strength, beliefs and effort.

    Attributes:
        capacity_mult, detection_mult, integrity_mult: (S,) this week's policy multipliers.
        investigators_mult, courts_mult, authority_mult: (S,) this week's multipliers on
            the justice side: investigators free for cases, the courts' conviction
            chance (capped at 1), and the central authority's capacity (sim.justice).
        built: (len(MULTIPLIERS), S) this week's capacity-building gain per multiplier
            (rows in ``MULTIPLIERS`` order) and state, combined over the programmes
            with diminishing returns (:class:`sim.policies.CapacityBuilding`).
        capacity, detection, integrity: (S,) effective values (base x multipliers).
        belief: (locations,) each agency's learned hit rate per location.
        effort: (locations,) inspection effort placed this week.
        value_through: (S,) value of the goods arriving in each state, smoothed (bribes).
    """

    #: the policy multipliers, reset to 1 every week (the rows of ``built``)
    MULTIPLIERS = (
        "capacity_mult",
        "detection_mult",
        "integrity_mult",
        "investigators_mult",
        "courts_mult",
        "authority_mult",
    )

    def __init__(self, world: World):
        n = world.n_states
        self.capacity_mult, self.detection_mult, self.integrity_mult = (np.ones(n) for _ in "abc")
        self.investigators_mult, self.courts_mult, self.authority_mult = (np.ones(n) for _ in "abc")
        self.built = np.zeros((len(self.MULTIPLIERS), n))
        self.capacity, self.detection, self.integrity = (
            world.capacity,
            world.detection,
            world.integrity,
        )
        self.belief = np.full(world.n_locations, 0.5)
        self.effort = np.zeros(world.n_locations)
        self.value_through = np.zeros(n)

    def reset(self) -> None:
        """Set every policy multiplier back to 1 (before this week's policies act)."""
        self.capacity_mult[:] = self.detection_mult[:] = self.integrity_mult[:] = 1.0
        self.investigators_mult[:] = self.courts_mult[:] = self.authority_mult[:] = 1.0
        self.built[:] = 0.0

    def derive(self, world: World) -> None:
        """This week's effective capacity, detection and integrity (integrity capped at 1).

        Integrity answers the money moving through a state: with pressure = the value
        moved through it (smoothed) over the mean of the states that see any, and
        ``b`` = ``bribe_sensitivity``, the scenario's integrity is scaled by
        (1 + b) / (1 + b x pressure): a state at the mean keeps its stated integrity,
        a busier one loses some (bribes grow with the value moved), a quieter one gains.
        """
        self.capacity = world.capacity * self.capacity_mult
        self.detection = world.detection * self.detection_mult
        v = self.value_through
        used = v > 0
        pressure = v / v[used].mean() if used.any() else np.ones_like(v)
        b = world.params["bribe_sensitivity"]
        bribes = (1.0 + b) / (1.0 + b * np.where(used, pressure, 1.0))
        self.integrity = np.minimum(world.integrity * self.integrity_mult * bribes, 1.0)


@dataclass
class Inspections:
    """What happened this week to every load that arrived somewhere (phase 5), one entry each.

    Attributes:
        idx: their rows in the Shipments arrays.
        org, path, leg, loc, state: owner, path id, the leg just completed, where it
            arrived, that location's state.
        units: quantity (integers); ``qty``: the same as floats.
        seized: seized on arrival; ``arrived``: not seized and at its market.
        unit_value: value per unit where it is, from source to market price.
        raided: (locations,) units seized from the stockpiles waiting at sources.
        ident: the identifier each load carries (:mod:`sim.intel`).
    """

    idx: np.ndarray
    org: np.ndarray
    path: np.ndarray
    leg: np.ndarray
    loc: np.ndarray
    state: np.ndarray
    units: np.ndarray
    qty: np.ndarray
    seized: np.ndarray
    arrived: np.ndarray
    unit_value: np.ndarray
    raided: np.ndarray
    ident: np.ndarray


def _group_share(weights: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Normalise ``weights`` within each group; uniform inside groups that sum to zero."""
    tot = np.bincount(group, weights=weights, minlength=n_groups)
    cnt = np.bincount(group, minlength=n_groups).astype(float)
    uniform = 1.0 / np.maximum(cnt[group], 1.0)
    safe = np.where(tot[group] > 0, tot[group], 1.0)
    return np.where(tot[group] > 0, weights / safe, uniform)


def allocate_effort(enf: Enforcement, world: World, rng) -> np.ndarray:
    """Effort per location: learned hit rates, plus a share ``exploration`` at random.

    effort[l] = capacity[s] * ((1 - x_s) * belief[l] / sum_s belief + x_s * u[l] / sum_s u),
    with u ~ U(0, 1) from the ``agency_explore`` stream (``rng``).
    """
    w = world
    ls = w.loc_state
    u = rng.random(w.n_locations)
    learned = _group_share(enf.belief, ls, w.n_states)
    explore = _group_share(u, ls, w.n_states)
    x = w.exploration[ls]
    return enf.capacity[ls] * ((1.0 - x) * learned + x * explore)


def seizure_probability(
    enf: Enforcement, world: World, params: dict, moved: Movement, org, units, size0, own, intel
) -> np.ndarray:
    """P(seized) of each arriving load: integrity x (1 - exp(-rate)).

    rate = detection x effort x inspection(leg) x mode(leg) x (units / size0)^size_elasticity
           x intel x freelance x swamping,

    where swamping = k / (k + n): ``n`` loads arrive at a place that can give ``k`` loads
    full attention a week, ``k = c x e0`` with ``c`` = ``inspections_per_effort`` and
    ``e0`` the place's base effort (its state's base capacity over its locations: the
    posts and lanes it has). Effort this week scales the intensity linearly; traffic
    dilutes it (Kleiman 1993), so seizures never grow faster than effort;
    ``freelance`` = ``freelance_exposure`` where the owner has no broker of its own in
    that state (``own``: (orgs, states)); ``intel``: (loads,) database multiplier
    where the inspecting state holds a live record of the load's identifier.
    """
    w, loc, leg = world, moved.loc, moved.leg
    st = w.loc_state[loc]
    e = enf.effort[loc]
    n_here = np.bincount(loc, minlength=w.n_locations)[loc]
    k = params["inspections_per_effort"] * base_effort(w)[loc]
    swamp = k / np.maximum(k + n_here, 1e-12)
    size = (units / size0[org]) ** params["size_elasticity"]
    rate = enf.detection[st] * e * w.leg_inspect[leg] * w.leg_detect[leg] * size * swamp
    rate = rate * np.where(own[org, st], 1.0, params["freelance_exposure"])
    if intel is not None:
        rate = rate * intel
    return enf.integrity[st] * (1.0 - np.exp(-rate))


def learn(enf: Enforcement, world: World, seized_loc_counts: np.ndarray) -> None:
    """Agency belief per location: p <- (1 - d) p + d * h, NarcoLogic's update.

    NarcoLogic (monthly ticks, a few movements per node) uses h = 1[seizure]. A week
    here can bring many shipments through one place, so h is the location's seizures
    relative to the state's busiest location this week: effort follows the traffic,
    and an agency re-targets its most successful sites first.
    """
    w = world
    d = w.agency_learning_rate[w.loc_state]
    top = np.zeros(w.n_states)
    np.maximum.at(top, w.loc_state, seized_loc_counts)
    hit = seized_loc_counts / np.maximum(top[w.loc_state], 1.0)
    enf.belief = (1.0 - d) * enf.belief + d * hit


def interdict(
    enf: Enforcement,
    coop: Cooperation,
    world: World,
    params: dict,
    ship: Shipments,
    moved: Movement,
    mem: Members,
    sources: Sources,
    size0: np.ndarray,
    streams: Streams,
    rec: Recorder,
    t: int,
) -> Inspections:
    """Phase 5: place effort, inspect every arriving load, raid the source stockpiles.

    Joint teams pool effort on their shared borders (``legal.jit_effort``); a shared
    database raises detection of loads whose identifier the inspecting state holds on
    record (``intel``, :mod:`sim.intel`).
    """
    enf.effort = allocate_effort(enf, world, streams["agency_explore"]) * coop.legal.jit_effort
    i = moved.idx
    org, units, ident = ship.org[i], ship.qty[i], ship.ident[i]
    state = world.loc_state[moved.loc]
    boost = intel.multiplier(coop.records, coop.legal, state, org, ident)
    own = access(mem, world.n_states) | world_home_ground(world)
    p = seizure_probability(enf, world, params, moved, org, units, size0, own, boost)
    seized = streams["detection"].random(len(i)) < p
    if boost is not None:
        rec.count("db_hits", int((boost[seized] > 1).sum()))
    value = np.bincount(state, weights=units * moved.unit_value, minlength=world.n_states)
    enf.value_through = 0.9 * enf.value_through + 0.1 * value
    raided = supply.raid(
        sources, world, enf.effort, enf.integrity, enf.detection, streams["stockpile"]
    )
    return Inspections(
        idx=i,
        org=org,
        path=ship.path[i],
        leg=moved.leg,
        loc=moved.loc,
        state=state,
        units=units,
        qty=units.astype(float),
        seized=seized,
        arrived=~seized & moved.at_end,
        unit_value=moved.unit_value,
        raided=raided,
        ident=ident,
    )


def base_effort(world: World) -> np.ndarray:
    """(locations,) each place's base effort: its state's base capacity over its locations."""
    e0 = getattr(world, "_base_effort", None)
    if e0 is None:
        n_loc = np.bincount(world.loc_state, minlength=world.n_states).clip(min=1)
        e0 = world._base_effort = (world.capacity / n_loc)[world.loc_state]
    return e0


def world_home_ground(world: World) -> np.ndarray:
    """(orgs, states): each organisation's source and market states, its own ground."""
    home = getattr(world, "_home_ground", None)
    if home is None:
        home = np.zeros((len(world.orgs), world.n_states), dtype=bool)
        for o, spec in enumerate(world.orgs):
            home[o, world.loc_state[spec["sources"] + spec["markets"]]] = True
        world._home_ground = home
    return home


def learn_with_partners(
    enf: Enforcement, coop: Cooperation, world: World, week, t: int, streams: Streams
) -> None:
    """Phase 8: partners' records arrive (some leak), then agencies learn where to look.

    Agencies learn from this week's own seizures and the places on partners' seized
    loads whose lag has elapsed.
    """
    seized_locs = np.bincount(week.loc[week.seized], minlength=world.n_locations)
    seized_locs += week.raided > 0
    hits = agreements.deliver(coop, world, enf.integrity, world.params, t, streams["leaks"])
    learn(enf, world, seized_locs + hits)
