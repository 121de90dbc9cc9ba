"""Traffickers: organisations, shipments in flight, route choice and adaptation.

Shipments are a struct of numpy arrays (:class:`Shipments`); paths live in an
append-only :class:`PathTable`, so a shipment keeps its path even after its
organisation's territory changes. Route choice is a logit over the organisation's
K cheapest candidate paths (generalised cost = transport cost x risk premium +
risk aversion x believed path risk x value). Adaptation is NarcoLogic's
expand / consolidate rule (Magliocca et al., PNAS 2019, SI), re-implemented from the
paper's description.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import mesa
import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, yen

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel


class PathTable:
    """Append-only table of paths: padded location and leg index arrays.

    Attributes:
        nodes: (P, width+1) location indices, -1 padded.
        legs: (P, width) leg indices, -1 padded.
        length: (P,) number of legs of each path.
    """

    def __init__(self, width: int):
        self.width = max(int(width), 1)
        self.nodes = np.full((16, self.width + 1), -1, dtype=np.int64)
        self.legs = np.full((16, self.width), -1, dtype=np.int64)
        self.length = np.zeros(16, dtype=np.int64)
        self.n = 0
        self._ids: dict[tuple[int, ...], int] = {}

    def add(self, nodes: list[int], legs: list[int]) -> int:
        """The id of a path (given by its nodes and legs), adding it if new."""
        key = tuple(nodes)
        pid = self._ids.get(key)
        if pid is not None:
            return pid
        if self.n == len(self.length):
            self.nodes = np.vstack([self.nodes, np.full_like(self.nodes, -1)])
            self.legs = np.vstack([self.legs, np.full_like(self.legs, -1)])
            self.length = np.concatenate([self.length, np.zeros_like(self.length)])
        pid = self.n
        self.nodes[pid, : len(nodes)] = nodes
        self.legs[pid, : len(legs)] = legs
        self.length[pid] = len(legs)
        self._ids[key] = pid
        self.n += 1
        return pid


class Shipments:
    """Shipments in flight as parallel arrays (no Python object per shipment).

    Attributes:
        org: owning organisation index.
        qty: units (integers, so conservation holds exactly).
        path: path id in the PathTable.
        pos: legs traversed so far (the shipment is at ``nodes[path, pos]``).
        depart: tick of departure.
    """

    FIELDS = ("org", "qty", "path", "pos", "depart")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.qty)

    def add(self, org: np.ndarray, qty: np.ndarray, path: np.ndarray, tick: int) -> None:
        """Append new shipments at their sources (pos 0)."""
        n = len(qty)
        new = {
            "org": org,
            "qty": qty,
            "path": path,
            "pos": np.zeros(n, np.int64),
            "depart": np.full(n, tick, np.int64),
        }
        for f in self.FIELDS:
            setattr(self, f, np.concatenate([getattr(self, f), new[f].astype(np.int64)]))

    def keep(self, mask: np.ndarray) -> None:
        """Drop every shipment where ``mask`` is False."""
        for f in self.FIELDS:
            setattr(self, f, getattr(self, f)[mask])


def split_quantity(total: int, size: float) -> np.ndarray:
    """Split ``total`` integer units into near-equal integer shipments of about ``size``."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    n = max(1, int(np.ceil(total / max(size, 1.0))))
    base, rem = divmod(total, n)
    return base + (np.arange(n) < rem).astype(np.int64)


class Organisation(mesa.Agent):
    """A trafficking organisation: territory, candidate paths, shipment size, adaptation.

    Beliefs (risk per leg, risk premium) are rows of the model's (orgs x legs) arrays.

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
        self.dirty = True  # candidates need a refresh (territory or broker access changed)
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
        return m.world.leg_cost * m.risk_premium[o] + self.spec["risk_aversion"] * m.risk[o] * value

    def refresh_candidates(self) -> None:
        """Recompute the K cheapest paths inside the territory from each source to each market."""
        m = self.model
        w = m.world
        k = int(m.params["k_paths"])
        weights = self.leg_weights()
        n = w.n_locations
        # a route *through* a state needs an active broker there (sim.members); the
        # organisation's source and market states are its own ground
        from sim.members import access

        ok = access(m)[self.index]
        ok[w.loc_state[self.sources]] = ok[w.loc_state[self.markets]] = True
        usable = self.territory & ok[w.loc_state[w.leg_from]] & ok[w.loc_state[w.leg_to]]
        terr = np.flatnonzero(usable)
        self.dirty = False
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
        transport = np.where(valid, m.world.leg_cost[li] * m.risk_premium[o, li], 0.0).sum(1)
        survive = np.where(valid, 1.0 - m.risk[o, li], 1.0).prod(1)
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
        from sim.members import ACTIVE

        m = self.model
        if not m.org_alive[self.index] or m.members.status[m.leader_of[self.index]] != ACTIVE:
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
        from sim.members import access, has_brokers

        weights = self.leg_weights()
        # states where its brokers were arrested are closed until it recruits again
        closed = has_brokers(self.model)[self.index] & ~access(self.model)[self.index]
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
            from sim.members import add_broker

            m = self.model
            posts = has_brokers(m)[self.index]
            for s in np.unique(w.loc_state[np.concatenate([w.leg_from[best], w.leg_to[best]])]):
                if not posts[s]:
                    add_broker(m, m.members, self.index, int(s))

    def _consolidate(self, share: float) -> None:
        """Prune the riskiest territory legs, keeping the lowest-risk path to each market."""
        w = self.model.world
        risk = self.model.risk[self.index]
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
