"""Traffickers: organisations, their beliefs, production, route choice and adaptation.

Route choice is a logit over the organisation's K cheapest candidate paths
(generalised cost = transport cost x risk premium + risk aversion x believed path
risk x value). Beliefs are exponentially weighted Beta-Bernoulli counts per
(organisation, leg). Adaptation is NarcoLogic's expand / consolidate rule (Magliocca et
al., PNAS 2019, SI), re-implemented from the paper's description.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import mesa
import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, yen

from sim.members import ACTIVE, access, add_broker, has_brokers
from sim.routes import split_quantity

if TYPE_CHECKING:  # pragma: no cover
    from sim.enforcement import Inspections
    from sim.members import Members
    from sim.model import TraffickingModel
    from sim.routes import Shipments
    from sim.world import World


class Beliefs:
    """Every organisation's beliefs about every leg, as (orgs, legs) arrays.

    Exponentially weighted Beta-Bernoulli counts around a prior whose mean is the leg's
    a-priori seizure chance (NarcoLogic SI), and the risk premium on transport cost.

    Attributes:
        prior_a, prior_b: the Beta prior (``prior_strength`` pseudo-shipments).
        risk_used, risk_seized: discounted counts of shipments over and seized on a leg.
        risk: posterior mean seizure risk; ``risk_premium``: multiplier on leg cost.
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
        self.risk_premium = np.ones((n_org, n_leg))
        self.memory = 1.0 - 1.0 / params["risk_memory"]
        self.premium_rate = np.array([o["risk_premium_rate"] for o in world.orgs])[:, None]


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
        self.stock: dict[int, int] = {}  # units waiting at each source for an open route
        # Start on the cheapest path (by a-priori generalised cost) to each market.
        w = model.world
        prior_w = self.leg_weights()
        for s in self.sources:
            for m in self.markets:
                nodes = nx.shortest_path(w.graph, s, m, weight=lambda a, b, d: prior_w[d["e"]])
                self.territory[[w.graph[a][b]["e"] for a, b in zip(nodes, nodes[1:])]] = True

    # ------------------------------------------------------------------ route choice
    def leg_weights(self) -> np.ndarray:
        """Generalised cost per unit and leg: cost x risk premium + risk aversion x risk x value."""
        m = self.model
        o = self.index
        value = m.world.price[self.markets].mean()
        b = m.beliefs
        return m.world.leg_cost * b.risk_premium[o] + self.spec["risk_aversion"] * b.risk[o] * value

    def refresh_candidates(self) -> None:
        """Recompute the K cheapest paths inside the territory from each source to each market."""
        m = self.model
        w = m.world
        k = int(m.params["k_paths"])
        weights = self.leg_weights()
        n = w.n_locations
        # a route *through* a state needs an active broker there (sim.members); the
        # organisation's source and market states are its own ground
        ok = access(m.members, w.n_states)[self.index]
        ok[w.loc_state[self.sources]] = ok[w.loc_state[self.markets]] = True
        usable = self.territory & ok[w.loc_state[w.leg_from]] & ok[w.loc_state[w.leg_to]]
        terr = np.flatnonzero(usable)
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
        transport = np.where(valid, m.world.leg_cost[li] * b.risk_premium[o, li], 0.0).sum(1)
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

        Only a leader decides: a leaderless or dismantled organisation keeps its routes.
        """
        mem = self.model.members
        if not mem.alive[self.index] or mem.status[mem.leader_of[self.index]] != ACTIVE:
            self.period_loss = self.period_shipped = 0.0
            return
        tol = self.spec["loss_tolerance"] * self.period_shipped
        loss = self.period_loss
        if any(self.stock.values()):
            # goods are stuck at a source: no route is open (brokers were arrested),
            # so look for routes around the states it has lost
            self._expand()
            self.period_loss = self.period_shipped = 0.0
            self.refresh_candidates()
            return
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
        # states where its brokers were arrested are closed until it recruits again
        closed = has_brokers(mem, w.n_states)[self.index] & ~access(mem, w.n_states)[self.index]
        closed[w.loc_state[self.sources]] = closed[w.loc_state[self.markets]] = False
        open_leg = ~closed[w.loc_state[w.leg_from]] & ~closed[w.loc_state[w.leg_to]]
        n = w.n_locations
        graph = csr_matrix(
            ((weights + 1e-9)[open_leg], (w.leg_from[open_leg], w.leg_to[open_leg])), shape=(n, n)
        )
        d_src = dijkstra(graph, indices=self.sources, min_only=True)
        d_mkt = dijkstra(graph.T.tocsr(), indices=self.markets, min_only=True)
        score = d_src[w.leg_from] + weights + d_mkt[w.leg_to]
        nodes = np.zeros(n, dtype=bool)
        nodes[self.sources] = True
        nodes[w.leg_from[self.territory]] = True
        nodes[w.leg_to[self.territory]] = True
        cand = ~self.territory & (nodes[w.leg_from] | nodes[w.leg_to]) & np.isfinite(score)
        cand &= open_leg
        idx = np.flatnonzero(cand)
        if len(idx):
            best = idx[np.argsort(score[idx], kind="stable")[:n_new]]
            self.territory[best] = True
            self.expansions += len(best)
            # opening a leg into a new state means recruiting a broker there
            posts = has_brokers(mem, w.n_states)[self.index]
            for s in np.unique(w.loc_state[np.concatenate([w.leg_from[best], w.leg_to[best]])]):
                if not posts[s]:
                    add_broker(mem, self.index, int(s), self.model.params)

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


def produce(
    orgs: list[Organisation], mem: Members, ship: Shipments, price, params: dict, t: int, rng
) -> int:
    """Phase 3: refresh stale routes, then create this tick's shipments; return the quantity.

    Organisations whose broker posts changed refresh their candidate paths first. What
    an organisation cannot move (its leader is in custody and not yet succeeded, or no
    route is open because brokers are missing) waits in its stock at the source and
    leaves with the next shipments that can. Paths are drawn from ``route_choice``.
    """
    for org in orgs:
        if mem.posts_changed[org.index]:
            org.refresh_candidates()
    orgs_, qtys, paths = [], [], []
    produced = 0
    leader_free = mem.leader_free()
    growth = (1.0 + params["production_growth"]) ** (t / 52.0)
    for org in orgs:
        if not mem.alive[org.index]:
            continue
        value = price[org.markets].mean()
        for src, base in zip(org.sources, org.production):
            amount = int(round(base * growth)) if growth != 1.0 else int(base)
            produced += amount
            org.stock[src] = org.stock.get(src, 0) + amount
            if not (leader_free[org.index] and len(org.candidates.get(src, ()))):
                continue  # no leader to organise it, or no open route: it waits
            q = split_quantity(org.stock[src], org.shipment_size)
            org.stock[src] = 0
            if not len(q):
                continue
            paths.append(org.choose_paths(src, len(q), rng))
            qtys.append(q)
            orgs_.append(np.full(len(q), org.index))
            org.period_shipped += float(q.sum()) * value
    if qtys:
        ship.add(np.concatenate(orgs_), np.concatenate(qtys), np.concatenate(paths), t)
    return produced


def learn(beliefs: Beliefs, orgs: list[Organisation], params: dict, week: Inspections) -> None:
    """Phase 7: leg-risk beliefs, risk premiums and period losses from this week's shipments."""
    b = beliefs
    org, leg, qty, seized, unit_value = week.org, week.leg, week.qty, week.seized, week.unit_value
    n_org, n_leg = b.risk_used.shape
    flat = org * n_leg + leg
    used = np.bincount(flat, minlength=n_org * n_leg).reshape(n_org, n_leg)
    hits = np.bincount(flat[seized], minlength=n_org * n_leg).reshape(n_org, n_leg)
    b.risk_used = b.memory * b.risk_used + used
    b.risk_seized = b.memory * b.risk_seized + hits
    b.risk = (b.risk_seized + b.prior_a) / (b.risk_used + b.prior_a + b.prior_b)
    # Risk premium (Caulkins, Crawford & Reuter 1993, as used by NarcoLogic):
    # RP <- max((1 - d) RP + d (risk / base_risk)^2, 1)
    d = b.premium_rate
    target = (b.risk / params["base_risk"]) ** 2
    b.risk_premium = np.maximum((1.0 - d) * b.risk_premium + d * target, 1.0)
    loss = np.bincount(org[seized], weights=(qty * unit_value)[seized], minlength=n_org)
    for o in orgs:
        o.period_loss += loss[o.index]


def adapt(orgs: list[Organisation], params: dict, t: int) -> None:
    """Phase 10: every ``adapt_period`` weeks each organisation expands or consolidates."""
    if (t + 1) % int(params["adapt_period"]) == 0:
        for org in orgs:
            org.adapt()
