"""Agreements between states as matrices: MLATs, extradition, databases, joint teams, laws, trust.

:class:`LegalState` is rebuilt from the agreements and policies in force whenever
that set changes (a few times per run). Shared databases also act every tick: a
member's seizure records (the identifiers of the seized load, :mod:`sim.intel`, and
the places on its path) reach partners after the database's lag; partners detect
loads whose identifier they hold on record more often, and re-target from partners'
seizures (docs/ODD.md 7.11).

:class:`Cooperation` holds what changes during a run: the instruments in force, trust
between every pair of states, and the database records on their way to partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim import intel

if TYPE_CHECKING:  # pragma: no cover
    from sim.policies import Policy
    from sim.world import World


@dataclass
class Database:
    """A shared database: members, lag (ticks), coverage, intel, each member's willingness.

    ``notices``: it also carries INTERPOL red notices (members find and arrest each
    other's fugitives).
    """

    name: str
    members: set[int]
    lag: int = 1
    coverage: float = 0.8
    intel: float = 2.0
    willingness: dict[int, float] = field(default_factory=dict)
    notices: bool = False


@dataclass
class LegalState:
    """Pairwise instruments in force (indices are state indices).

    Attributes:
        mlat_median_weeks: (S, S) median MLAT latency in weeks, 0 where no treaty.
        mlat_success: (S, S) chance a request under the treaty is answered.
        extradition: (S, S) extradition treaty in force.
        jit: (S, S) both states in an active joint investigation team.
        db_lag: (S, S) lag of the fastest database both belong to, -1 if none.
        db_coverage: (S, S) that database's coverage.
        laws: (S, offences) which state criminalises which offence.
        trust_floor: (S, S) minimum trust kept up by liaison officers.
        db_willing: (S,) share of its records each state is willing to enter.
        withhold: (S, S) row does not share its records with column (a condition).
        suspended: (S, S) cooperation between the pair is suspended (a political shock).
        vetted: (S,) share of received records handled by a vetted unit (no leaks).
        notices: (S, S) both states act on red notices of a database they share.
        eio: (S, S) an EIO-like order (deadline-bound, judicial authority to judicial
            authority) is in force between the pair.
        production: (S, S) production orders for stored data go straight to providers.
        surrender: (S, S) a surrender arrangement (European Arrest Warrant-like) replaces
            treaty extradition between the pair.
        nationals: (S,) the state extradites its own nationals (its law, as harmonised).
        basis: (S,) the state takes the drug and organised-crime conventions as the legal
            basis for extradition where no treaty exists (Vienna 1988 Art. 6(3), UNTOC
            Art. 16(4)).
        controlled: (S, S) share of detected loads followed into the partner instead of
            seized (controlled deliveries).
        e_transmission: (S,) the state's central authority transmits electronically.
        jit_teams: (S,) joint teams the state takes part in (each costs investigators).
        penalty: (S, offences) maximum penalty in years (0: not an offence there).
        covers: (S, offences) the state criminalises the conduct charged as the offence,
            under any label (dual criminality by conduct; ``World.conduct``);
            ``conduct_penalty`` the heaviest penalty it carries there.
    """

    mlat_median_weeks: np.ndarray
    mlat_success: np.ndarray
    extradition: np.ndarray
    jit: np.ndarray
    db_lag: np.ndarray
    db_coverage: np.ndarray
    laws: np.ndarray
    trust_floor: np.ndarray
    databases: dict[str, Database] = field(default_factory=dict)
    jit_effort: np.ndarray | None = None
    db_intel: np.ndarray | None = None
    db_willing: np.ndarray | None = None
    withhold: np.ndarray | None = None
    suspended: np.ndarray | None = None
    vetted: np.ndarray | None = None
    notices: np.ndarray | None = None
    eio: np.ndarray | None = None
    production: np.ndarray | None = None
    surrender: np.ndarray | None = None
    e_transmission: np.ndarray | None = None
    jit_teams: np.ndarray | None = None
    penalty: np.ndarray | None = None
    covers: np.ndarray | None = None
    conduct_penalty: np.ndarray | None = None
    controlled: np.ndarray | None = None
    nationals: np.ndarray | None = None
    basis: np.ndarray | None = None

    @classmethod
    def empty(
        cls, n: int, laws: np.ndarray, penalty: np.ndarray | None = None, nationals=None
    ) -> LegalState:
        """No agreement at all; laws (their penalties, who extradites nationals) as given."""
        z = np.zeros((n, n))
        return cls(
            z.copy(),
            z.copy(),
            z.astype(bool),
            z.astype(bool),
            np.full((n, n), -1, dtype=np.int64),
            z.copy(),
            laws.copy(),
            z.copy(),
            withhold=z.astype(bool),
            suspended=z.astype(bool),
            vetted=np.zeros(n),
            eio=z.astype(bool),
            production=z.astype(bool),
            surrender=z.astype(bool),
            controlled=z.copy(),
            e_transmission=np.zeros(n, dtype=bool),
            jit_teams=np.zeros(n, dtype=np.int64),
            penalty=np.where(laws, 10.0, 0.0) if penalty is None else penalty.copy(),
            nationals=np.ones(n, dtype=bool) if nationals is None else np.array(nationals),
            basis=np.zeros(n, dtype=bool),
        )

    def pair(self, a: int, b: int, attr: str, value) -> None:
        """Set a symmetric pair entry."""
        arr = getattr(self, attr)
        arr[a, b] = arr[b, a] = value

    def finish(self, world) -> None:
        """Derive the database pair matrices, JIT effort pooling and conduct coverage."""
        # the heaviest penalty under which each state punishes each conduct
        held = np.where(self.laws, self.penalty, 0.0)
        self.conduct_penalty = (held[:, None, :] * world.conduct[None]).max(axis=-1)
        self.covers = self.conduct_penalty > 0
        self.db_intel = np.ones(world.n_states)
        self.db_willing = np.ones(world.n_states)
        self.notices = np.zeros((world.n_states, world.n_states), dtype=bool)
        for db in self.databases.values():
            if db.notices:
                mem = np.array(sorted(db.members), dtype=np.int64)
                self.notices[np.ix_(mem, mem)] = True
            for a in db.members:
                self.db_intel[a] = max(self.db_intel[a], db.intel)
                self.db_willing[a] = min(self.db_willing[a], db.willingness.get(a, 1.0))
            mem = sorted(db.members)
            for a in mem:
                for b in mem:
                    # a member's own records count too: "flagged by any member's seizure"
                    if self.db_lag[a, b] < 0 or db.lag < self.db_lag[a, b]:
                        self.db_lag[a, b] = db.lag
                        self.db_coverage[a, b] = db.coverage
        # JIT members pool effort on the legs crossing their shared borders: the
        # locations at either end of such legs get extra effort (jit_effort_boost).
        fs, ts = world.loc_state[world.leg_from], world.loc_state[world.leg_to]
        shared = self.jit[fs, ts] & (fs != ts)
        boost = np.ones(world.n_locations)
        boost[world.leg_from[shared]] = boost[world.leg_to[shared]] = world.params[
            "jit_effort_boost"
        ]
        self.jit_effort = boost


class Cooperation:
    """The state of cooperation between states during a run.

    Attributes:
        agreements: the scenario's agreements in force from the start (as policies).
        trust0, trust: (S, S) trust at the start and now.
        legal: the :class:`LegalState` of the instruments in force.
        records: the identifiers on record (:class:`sim.intel.Records`).
        pending_hits: places on seized loads' paths travelling to partners (their lag).
    """

    def __init__(self, world: World, agreements: list[Policy]):
        self.agreements = agreements
        self.trust0 = world.trust0
        self.trust = world.trust0.copy()
        self.legal: LegalState = LegalState.empty(
            world.n_states, world.laws0, world.penalty0, world.extradites_nationals
        )
        self._key: tuple | None = None
        self.records = intel.Records(world, world.params)
        self.pending_hits: list = []


def refresh(coop: Cooperation, policies: list[Policy], world: World, t: int) -> None:
    """Phase 1: rebuild the legal state when the set of instruments in force changes."""
    key = tuple(p.active(t) for p in coop.agreements + policies)
    if key != coop._key:
        coop._key = key
        coop.legal = rebuild(world, coop.agreements + policies, t)


def rebuild(world: World, instruments: list[Policy], t: int) -> LegalState:
    """The legal state implied by every agreement and policy active at ``t``."""
    w = world
    legal = LegalState.empty(w.n_states, w.laws0, w.penalty0, w.extradites_nationals)
    active = [p for p in instruments if p.active(t)]
    # databases must exist before states join them
    active.sort(key=lambda p: p.type != "create_database")
    for p in active:
        p.legal(w, legal)
    legal.finish(w)
    return legal


def share_seizures(
    coop: Cooperation, world: World, org, slot, seized_state, nodes, t: int, rng
) -> None:
    """Enter this tick's seizures into shared databases, for each partner after its lag.

    Args:
        coop: the cooperation state.
        world: the world.
        org: organisation of each seized load.
        slot: identifier each seized load carried.
        seized_state: state that seized each load.
        nodes: (n, width+1) locations of each seized load's path, -1 padded.
        t: this tick.
        rng: the ``database`` stream.
    """
    legal = coop.legal
    if not legal.databases or not len(org):
        coop.records.contributed = 0
        return
    entered = intel.enter(coop.records, coop, seized_state, org, slot, t, rng)
    # targeting: the partner's own locations on the seized shipment's path, in the same
    # records (what was entered for that partner)
    lag = legal.db_lag[seized_state]
    shares = entered
    st = np.where(nodes >= 0, world.loc_state[np.maximum(nodes, 0)], 0)
    ok = (nodes >= 0) & (st != seized_state[:, None]) & np.take_along_axis(shares, st, axis=1)
    r, c = np.nonzero(ok)
    coop.pending_hits.append((t + lag[r, st[r, c]], nodes[r, c]))


def deliver(coop: Cooperation, world: World, integrity, params: dict, t: int, rng) -> np.ndarray:
    """Records and targeting hits whose lag has elapsed; returns partner hits per location.

    Identifier records reach partners (some leak; identifiers turn over:
    :func:`sim.intel.deliver`); places on partners' seized loads feed agency learning.
    """
    intel.deliver(coop.records, coop, integrity, params, t, rng)
    hits = np.zeros(world.n_locations)
    keep = []
    for when, locs in coop.pending_hits:
        due = when <= t
        hits += np.bincount(locs[due], minlength=len(hits))
        if (~due).any():
            keep.append((when[~due], locs[~due]))
    coop.pending_hits = keep
    return hits


def update_trust(coop: Cooperation, params: dict, a: np.ndarray, b: np.ndarray, refused=None):
    """Trust rises with answered requests and live records, falls with refusals and shocks.

    Each answered request (pairs ``a``-``b``) moves trust a step ``trust_gain`` toward 1,
    each live record received a fifth of a step; each refused request (``refused``:
    pairs) and every week of a suspension between a pair (``trust_shock``) lower it;
    leaks lower it where they happen (:func:`sim.intel.deliver`). Trust decays toward
    its start and is kept above the floors of liaison officers.
    """
    n = len(coop.trust)
    p = params
    coop.trust = coop.trust0 + (coop.trust - coop.trust0) * (1.0 - p["trust_decay"])
    steps = np.zeros((n, n))
    if len(a):
        steps += np.bincount(a * n + b, minlength=n * n).reshape(n, n)
    steps += 0.2 * coop.records.useful
    steps = steps + steps.T
    coop.trust += (1.0 - coop.trust) * (1.0 - (1.0 - p["trust_gain"]) ** steps)
    if refused is not None and len(refused[0]):
        drop = np.bincount(refused[0] * n + refused[1], minlength=n * n).reshape(n, n)
        coop.trust *= (1.0 - p["trust_gain"]) ** (drop + drop.T)
    coop.trust -= p["trust_shock"] * coop.legal.suspended
    np.maximum(coop.trust, coop.legal.trust_floor, out=coop.trust)
    np.clip(coop.trust, 0.0, 1.0, out=coop.trust)
