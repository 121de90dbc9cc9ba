"""Traffickers: organisations, their beliefs, production, route choice and adaptation.

Route choice is a logit over the organisation's K cheapest candidate paths
(generalised cost = freight, dearer where it must hire freelance transporters, + risk
aversion x believed path risk x value). Risk is counted once, as expected loss: the
risk premium of prices emerges from losses at the markets (:mod:`sim.markets`), not as
a multiplier on freight. Beliefs are exponentially weighted Beta-Bernoulli counts per
(organisation, leg). Adaptation is NarcoLogic's expand / consolidate rule (Magliocca et
al., PNAS 2019, SI), re-implemented from the paper's description; a leaderless
organisation keeps shipping on its routes and only stops adapting until succession
(Duijn, Kashirin & Sloot 2014).
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import mesa
import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, yen

from sim.members import ACTIVE, BROKER, access, add_broker, has_brokers, recruit_lag

if TYPE_CHECKING:  # pragma: no cover
    from sim.enforcement import Inspections
    from sim.model import TraffickingModel
    from sim.world import World


class Beliefs:
    """Every organisation's beliefs about every leg, as (orgs, legs) arrays.

    Exponentially weighted Beta-Bernoulli counts around a prior whose mean is the leg's
    a-priori seizure chance (NarcoLogic SI).

    Attributes:
        prior_a, prior_b: the Beta prior (``prior_strength`` pseudo-shipments).
        risk_used, risk_seized: discounted counts of shipments over and seized on a leg.
        risk: posterior mean seizure risk.
        memory: weekly discount of the counts, 1 - 1 / ``risk_memory``.
    """

    def __init__(self, world: World, params: dict):
        n_org, n_leg = len(world.orgs), world.n_legs
        prior = np.broadcast_to(world.prior_risk(), (n_org, n_leg))
        k = params["prior_strength"]
        self.prior_a, self.prior_b = k * prior, k * (1.0 - prior)
        self.risk_seized = np.zeros((n_org, n_leg))
        self.risk_used = np.zeros((n_org, n_leg))
        self.risk = self.prior_a / (self.prior_a + self.prior_b)
        self.memory = 1.0 - 1.0 / params["risk_memory"]


class Organisation(mesa.Agent):
    """A trafficking organisation: territory, candidate paths, shipment size, adaptation.

    Beliefs (risk per leg, risk premium) are rows of the model's :class:`Beliefs`.

    Args:
        model: the TraffickingModel.
        index: row of this organisation in the model's belief arrays.
        spec: the organisation's resolved parameters from the World.
    """

    def __init__(self, model: TraffickingModel, index: int, spec: dict):
        super().__init__(model)
        self.index = index
        self.org_id = spec["id"]
        self.spec = spec
        self.sources = spec["sources"]
        self.markets = spec["markets"]
        self.production = spec["production"]
        self.shipment_size = float(spec["shipment_size"])
        self.territory = np.zeros(model.world.n_legs, dtype=bool)
        self.candidates: dict[int, np.ndarray] = {}
        self.period_loss = 0.0
        self.period_shipped = 0.0
        self.expansions = 0
        # Start on the cheapest path (by a-priori generalised cost) to each market.
        w = model.world
        prior_w = self.leg_weights()
        for s in self.sources:
            for m in self.markets:
                nodes = nx.shortest_path(w.graph, s, m, weight=lambda a, b, d: prior_w[d["e"]])
                self.territory[[w.graph[a][b]["e"] for a, b in zip(nodes, nodes[1:])]] = True
        self.territory0 = self.territory.copy()

    def restart(self) -> None:
        """A new organisation enters in this one's place: prior routes, beliefs and loads."""
        o, b = self.index, self.model.beliefs
        self.territory = self.territory0.copy()
        self.shipment_size = float(self.spec["shipment_size"])
        b.risk_used[o] = b.risk_seized[o] = 0.0
        b.risk[o] = b.prior_a[o] / (b.prior_a[o] + b.prior_b[o])
        self.period_loss = self.period_shipped = 0.0

    # ------------------------------------------------------------------ route choice
    def own_legs(self) -> np.ndarray:
        """(legs,) legs into a state where the organisation has an active broker of its own.

        Elsewhere it hires freelance transporters: dearer (``freelance_markup``) and more
        exposed (``freelance_exposure``). Its source and market states are its own ground.
        """
        w = self.model.world
        if getattr(self.model, "members", None) is None:  # set-up: brokers not yet placed
            return np.ones(w.n_legs, dtype=bool)
        own = access(self.model.members, w.n_states)[self.index]
        own[w.loc_state[self.sources]] = own[w.loc_state[self.markets]] = True
        return own[w.leg_state]

    def freight(self) -> np.ndarray:
        """(legs,) freight and labour per unit on each leg, freelance markup included."""
        m = self.model
        base = m.world.leg_cost * m.params["freight_share"]
        return base * np.where(self.own_legs(), 1.0, 1.0 + m.params["freelance_markup"])

    def leg_weights(self) -> np.ndarray:
        """Generalised cost per unit and leg: freight + risk aversion x believed risk x value."""
        m = self.model
        value = m.world.price[self.markets].mean()
        return self.freight() + self.spec["risk_aversion"] * m.beliefs.risk[self.index] * value

    def refresh_candidates(self) -> None:
        """Recompute the K cheapest paths inside the territory from each source to each market.

        No state is closed: where the organisation lost its brokers the legs cost more
        (freelancers), so the cheapest paths move, but goods keep moving.
        """
        m = self.model
        w = m.world
        k = int(m.params["k_paths"])
        weights = self.leg_weights()
        self._freight = self.freight()
        n = w.n_locations
        terr = np.flatnonzero(self.territory)
        m.members.posts_changed[self.index] = False
        # a zero-cost leg must stay an edge: sparse graphs drop zero weights
        wt = np.maximum(weights[terr], 1e-12)
        g = csr_matrix((wt, (w.leg_from[terr], w.leg_to[terr])), shape=(n, n))
        for s in self.sources:
            ids = []
            for mk in self.markets:
                # Yen's K shortest simple paths (scipy >= 1.14), cheapest first
                _, pred = yen(g, s, mk, k, return_predecessors=True)
                for row in pred:
                    nodes = [mk]
                    while nodes[-1] != s:
                        nodes.append(int(row[nodes[-1]]))
                    nodes.reverse()
                    legs = [int(w.leg_index[a, b]) for a, b in pairwise(nodes)]
                    ids.append(m.paths.add(nodes, legs))
            self.candidates[s] = np.array(ids, dtype=np.int64)

    def choose_paths(self, source: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw paths for ``n`` new shipments from ``source`` by a logit over candidates."""
        cand = self.candidates[source]
        if len(cand) == 1:
            return np.repeat(cand, n)
        m = self.model
        o = self.index
        legs = m.paths.legs[cand]
        valid = legs >= 0
        li = np.where(valid, legs, 0)
        b = m.beliefs
        transport = np.where(valid, self._freight[li], 0.0).sum(1)
        survive = np.where(valid, 1.0 - b.risk[o, li], 1.0).prod(1)
        value = m.world.price[m.paths.nodes[cand, m.paths.length[cand]]]
        cost = transport + self.spec["risk_aversion"] * (1.0 - survive) * value
        # relative cost; a zero-cost cheapest path (no transport cost, no risk) is
        # treated as a tiny positive cost so the ratio stays finite
        util = -m.params["route_logit"] * (cost / max(cost.min(), 1e-9) - 1.0)
        p = np.exp(util - util.max())
        return rng.choice(cand, size=n, p=p / p.sum())

    # -------------------------------------------------------------------- adaptation
    def adapt(self) -> None:
        """NarcoLogic's rule: expand when seizure losses exceed tolerance, else consolidate.

        Only a leader decides: a leaderless or dormant organisation keeps its routes.
        """
        mem = self.model.members
        if not mem.alive[self.index] or mem.status[mem.leader_of[self.index]] != ACTIVE:
            self.period_loss = self.period_shipped = 0.0
            return
        tol = self.spec["loss_tolerance"] * self.period_shipped
        loss = self.period_loss
        if self.period_shipped <= 0:  # nothing shipped this period: nothing learnt
            self.period_loss = 0.0
            self.refresh_candidates()
            return
        if loss > tol:
            self._expand()
            floor = min(self.shipment_size, self.model.params["min_shipment_size"])
            self.shipment_size = max(floor, self.shipment_size * self.model.params["size_shrink"])
        else:
            if loss > 0:
                self._consolidate(loss / (loss + tol))
            self.shipment_size = min(
                float(self.spec["shipment_size"]),
                self.shipment_size / self.model.params["size_shrink"],
            )
        self.period_loss = self.period_shipped = 0.0
        self.refresh_candidates()

    def _expand(self) -> None:
        """Open up to expand_max legs adjacent to the territory on the best full paths."""
        w = self.model.world
        n_new = int(self.spec["expand_max"])
        if n_new <= 0:
            return
        mem = self.model.members
        weights = self.leg_weights()
        n = w.n_locations
        graph = csr_matrix((weights + 1e-9, (w.leg_from, w.leg_to)), shape=(n, n))
        d_src = dijkstra(graph, indices=self.sources, min_only=True)
        d_mkt = dijkstra(graph.T.tocsr(), indices=self.markets, min_only=True)
        score = d_src[w.leg_from] + weights + d_mkt[w.leg_to]
        nodes = np.zeros(n, dtype=bool)
        nodes[self.sources] = True
        nodes[w.leg_from[self.territory]] = True
        nodes[w.leg_to[self.territory]] = True
        cand = ~self.territory & (nodes[w.leg_from] | nodes[w.leg_to]) & np.isfinite(score)
        idx = np.flatnonzero(cand)
        if len(idx):
            best = idx[np.argsort(score[idx], kind="stable")[:n_new]]
            self.territory[best] = True
            self.expansions += len(best)
            # opening a leg into a new state means recruiting brokers there, by the same
            # rule (and lags) as refilling a vacancy; freelancers carry the loads meanwhile
            posts = has_brokers(mem, w.n_states)[self.index]
            p, t = self.model.params, self.model.tick
            rng = self.model.streams["recruitment"]
            for s in np.unique(w.loc_state[np.concatenate([w.leg_from[best], w.leg_to[best]])]):
                if not posts[s]:
                    due = recruit_lag(p, BROKER, int(p["brokers_per_state"]), t, rng)
                    add_broker(mem, self.index, int(s), p, due)

    def _consolidate(self, share: float) -> None:
        """Prune the riskiest territory legs, keeping the lowest-risk path to each market."""
        w = self.model.world
        risk = self.model.beliefs.risk[self.index]
        keep = np.zeros(w.n_legs, dtype=bool)
        g = nx.DiGraph()
        for e in np.flatnonzero(self.territory):
            g.add_edge(
                int(w.leg_from[e]),
                int(w.leg_to[e]),
                e=int(e),
                r=float(-np.log1p(-min(risk[e], 0.999999))),
            )
        for s in self.sources:
            for mk in self.markets:
                if s in g and mk in g and nx.has_path(g, s, mk):
                    nodes = nx.shortest_path(g, s, mk, weight="r")
                    keep[[g[a][b]["e"] for a, b in zip(nodes, nodes[1:])]] = True
        prunable = np.flatnonzero(self.territory & ~keep)
        n_prune = int(np.floor(share * len(prunable)))
        if n_prune > 0:
            order = prunable[np.argsort(-risk[prunable], kind="stable")]
            self.territory[order[:n_prune]] = False


def learn(beliefs: Beliefs, orgs: list[Organisation], params: dict, week: Inspections) -> None:
    """Phase 7: leg-risk beliefs and period losses from this week's arrivals."""
    b = beliefs
    org, leg, qty, seized, unit_value = week.org, week.leg, week.qty, week.seized, week.unit_value
    n_org, n_leg = b.risk_used.shape
    flat = org * n_leg + leg
    used = np.bincount(flat, minlength=n_org * n_leg).reshape(n_org, n_leg)
    hits = np.bincount(flat[seized], minlength=n_org * n_leg).reshape(n_org, n_leg)
    b.risk_used = b.memory * b.risk_used + used
    b.risk_seized = b.memory * b.risk_seized + hits
    b.risk = (b.risk_seized + b.prior_a) / (b.risk_used + b.prior_a + b.prior_b)
    loss = np.bincount(org[seized], weights=(qty * unit_value)[seized], minlength=n_org)
    for o in orgs:
        o.period_loss += loss[o.index]


def adapt(orgs: list[Organisation], params: dict, t: int) -> None:
    """Phase 10: every ``adapt_period`` weeks each organisation expands or consolidates."""
    if (t + 1) % int(params["adapt_period"]) == 0:
        for org in orgs:
            org.adapt()
