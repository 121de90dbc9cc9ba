"""Enforcement: agencies spread effort over their locations, detect and seize, and learn.

All states are handled at once with numpy group operations over locations; there is
no Python loop per state, location or shipment inside the tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import agreements

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import Cooperation
    from sim.records import Recorder
    from sim.rng import Streams
    from sim.routes import Movement, Shipments
    from sim.world import World


class Enforcement:
    """Every agency's state: this week's effective strength, beliefs and effort.

    Attributes:
        capacity_mult, detection_mult, integrity_mult: (S,) this week's policy multipliers.
        capacity, detection, integrity: (S,) effective values (base x multipliers).
        belief: (locations,) each agency's learned hit rate per location.
        effort: (locations,) inspection effort placed this week.
    """

    def __init__(self, world: World):
        n = world.n_states
        self.capacity_mult, self.detection_mult, self.integrity_mult = (np.ones(n) for _ in "abc")
        self.capacity, self.detection, self.integrity = (
            world.capacity,
            world.detection,
            world.integrity,
        )
        self.belief = np.full(world.n_locations, 0.5)
        self.effort = np.zeros(world.n_locations)

    def reset(self) -> None:
        """Set every policy multiplier back to 1 (before this week's policies act)."""
        self.capacity_mult[:] = self.detection_mult[:] = self.integrity_mult[:] = 1.0

    def derive(self, world: World) -> None:
        """This week's effective capacity, detection and integrity (integrity capped at 1)."""
        self.capacity = world.capacity * self.capacity_mult
        self.detection = world.detection * self.detection_mult
        self.integrity = np.minimum(world.integrity * self.integrity_mult, 1.0)


@dataclass
class Inspections:
    """What happened to every shipment in flight this week (phase 5), one entry each.

    Attributes:
        org, path, leg, loc, state: owner, path id, the leg just travelled, where it
            arrived, that location's state.
        units: quantity (integers); ``qty``: the same as floats.
        seized: seized on arrival; ``arrived``: not seized and at its market.
        unit_value: value per unit where it is, from source to market price.
    """

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
    enf: Enforcement, world: World, loc: np.ndarray, org: np.ndarray, intel=None
) -> np.ndarray:
    """P(seized) = integrity x (1 - exp(-detection x effort x intel)) where each shipment is.

    The chance is computed once per location (and organisation, when a shared database
    gives ``intel``: a (states, orgs) multiplier) and gathered per shipment.
    """
    ls = world.loc_state
    if intel is None:
        per_loc = enf.integrity[ls] * (1.0 - np.exp(-enf.detection[ls] * enf.effort))
        return per_loc[loc]
    rate = (enf.detection[ls] * enf.effort)[:, None] * intel[ls]
    per_loc_org = enf.integrity[ls][:, None] * (1.0 - np.exp(-rate))
    return per_loc_org[loc, org]


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
    streams: Streams,
    rec: Recorder,
    t: int,
) -> Inspections:
    """Phase 5: place effort, then seize each arriving shipment with its probability.

    Joint teams pool effort on their shared borders (``legal.jit_effort``); a shared
    database raises detection of the organisations it has flagged (``intel``).
    """
    enf.effort = allocate_effort(enf, world, streams["agency_explore"]) * coop.legal.jit_effort
    intel = agreements.intel(coop, params, t)
    p = seizure_probability(enf, world, moved.loc, ship.org, intel)
    seized = streams["detection"].random(len(ship)) < p
    state = world.loc_state[moved.loc]
    if intel is not None:
        rec.count("db_hits", int((intel[state[seized], ship.org[seized]] > 1).sum()))
    return Inspections(
        org=ship.org,
        path=ship.path,
        leg=moved.leg,
        loc=moved.loc,
        state=state,
        units=ship.qty,
        qty=ship.qty.astype(float),
        seized=seized,
        arrived=~seized & moved.at_end,
        unit_value=moved.unit_value,
    )


def learn_with_partners(enf: Enforcement, coop: Cooperation, world: World, week, t: int) -> None:
    """Phase 8: learn from this week's own seizures and partners' records arriving now."""
    seized_locs = np.bincount(week.loc[week.seized], minlength=world.n_locations)
    learn(enf, world, seized_locs + agreements.deliver(coop, world, t))
