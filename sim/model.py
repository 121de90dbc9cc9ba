"""TraffickingModel: the weekly tick of the trafficking-and-interdiction model (Mesa)."""

from __future__ import annotations

import ctypes
import ctypes.util

import mesa
import numpy as np

from sim import enforcement
from sim.metrics import REGISTRY, entropy_bits, summarize
from sim.policies import Policy, from_dict
from sim.rng import Streams
from sim.scenario import Scenario
from sim.traffickers import Organisation, PathTable, Shipments, split_quantity
from sim.world import World, build_world


def _keep_freed_heap(mib: int = 64) -> None:
    """Ask glibc malloc to keep ``mib`` MiB of freed heap at the top (``M_TOP_PAD``).

    A tick allocates a few dozen temporaries of one element per shipment; by default
    glibc returns that memory to the OS and page-faults it back in on the next tick
    (about 3,000 faults and 7 ms a tick at 100k shipments). A no-op off glibc.
    """
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-2, mib << 20)
    except (OSError, AttributeError):
        pass


_keep_freed_heap()  # at import, so forkserver workers (preloading sim.model) inherit it


class TraffickingModel(mesa.Model):
    """Organisations move illicit goods over a network of states; agencies interdict.

    One tick is one week. Each ``step`` runs, in this order (the ODD "process
    overview and scheduling"):

    1. **Policies.** Enforcement multipliers are reset to 1 and every policy active at
       this tick acts (surges, capacity building), giving this week's effective
       capacity, detection and integrity per state.
    2. **Production and route choice.** Each organisation splits its production at
       each source into integer shipments of its current size; each shipment draws a
       path by a logit over the organisation's K cheapest candidate paths
       (stream ``route_choice``).
    3. **Movement.** Every shipment in flight, new ones included, advances one leg.
    4. **Interdiction.** Each agency spreads its capacity over its locations by learned
       hit rates plus random exploration (``agency_explore``); each shipment arriving
       at a location is seized with probability
       ``integrity x (1 - exp(-detection x effort x intel))`` (``detection``).
    5. **Delivery.** Unseized shipments at the end of their path are sold.
    6. **Learning.** Organisations update their Beta-Bernoulli leg-risk beliefs and
       risk premiums from their own shipments; agencies update their hit-rate
       beliefs per location.
    7. **Adaptation.** Every ``adapt_period`` ticks each organisation expands (losses
       above tolerance: open new legs, smaller shipments) or consolidates (prune the
       riskiest legs) and refreshes its candidate paths.
    8. **Metrics.** One value per registered metric is recorded for the tick.

    Conservation holds exactly: produced = delivered + seized + in flight.

    Args:
        scenario: a validated Scenario (see ``sim.scenario.load_scenario``).
        seed: the run seed; every stochastic process draws from its own named stream.
        ticks: horizon override (default: the scenario's ``ticks``).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, ticks: int | None = None):
        super().__init__(rng=int(seed))
        self.scenario = scenario
        self.seed = int(seed)
        self.streams = Streams(self.seed)
        self.world: World = build_world(scenario)
        self.params = self.world.params
        self.ticks = int(ticks if ticks is not None else scenario.ticks)
        self.burn_in = min(scenario.burn_in, max(self.ticks - 1, 0))
        self.tick = 0
        w = self.world
        n_org, n_leg = len(w.orgs), w.n_legs

        # Enforcement state: effective values (base x policy multipliers) and beliefs.
        self.capacity_mult = np.ones(w.n_states)
        self.detection_mult = np.ones(w.n_states)
        self.integrity_mult = np.ones(w.n_states)
        self.capacity, self.detection, self.integrity = w.capacity, w.detection, w.integrity
        self.agency_belief = np.full(w.n_locations, 0.5)
        self.effort = np.zeros(w.n_locations)
        self.agencies = [enforcement.Agency(self, s) for s in range(w.n_states)]

        # Traffickers' beliefs: exponentially weighted Beta-Bernoulli per (org, leg)
        # around a prior whose mean is the leg's a-priori seizure chance (NarcoLogic SI).
        prior = np.broadcast_to(w.prior_risk(), (n_org, n_leg))
        k = self.params["prior_strength"]
        self.prior_a, self.prior_b = k * prior, k * (1.0 - prior)
        self.risk_seized = np.zeros((n_org, n_leg))
        self.risk_used = np.zeros((n_org, n_leg))
        self.risk = self.prior_a / (self.prior_a + self.prior_b)
        self.risk_premium = np.ones((n_org, n_leg))
        self.memory = 1.0 - 1.0 / self.params["risk_memory"]

        self.paths = PathTable(width=max(w.n_locations - 1, 1))
        self.shipments = Shipments()
        self.orgs = [Organisation(self, i, spec) for i, spec in enumerate(w.orgs)]
        self.policies: list[Policy] = [from_dict(p) for p in w.policies]

        # Exact integer stocks for the conservation check.
        self.total_produced = self.total_delivered = self.total_seized = 0
        # Per-tick records: metric series and per-leg / per-state flows.
        self.series = {name: np.full(self.ticks, np.nan) for name in REGISTRY}
        self.leg_flow = np.zeros((self.ticks, n_leg))
        self.state_flow = np.zeros((self.ticks, w.n_states))
        self.state_seized = np.zeros((self.ticks, w.n_states))
        self._ref_states: np.ndarray | None = None

    # ------------------------------------------------------------------------ the tick
    def step(self) -> None:
        """Advance one week (see the class docstring for the order)."""
        t = self.tick
        w = self.world
        self._apply_policies(t)
        produced = self._produce(t)
        ship = self.shipments
        # 3. movement
        ship.pos += 1
        # flat indices: one gather each instead of numpy's slower 2-D fancy indexing
        row = ship.path * self.paths.legs.shape[1] + ship.pos
        leg = self.paths.legs.ravel()[row - 1]
        loc = self.paths.nodes.ravel()[row + ship.path]
        # 4. interdiction
        self.effort = enforcement.allocate_effort(self)
        p = enforcement.seizure_probability(self, loc)
        seized = self.streams["detection"].random(len(ship)) < p
        # per-path lookups (a few hundred paths), then one gather per shipment
        n_path = self.paths.n
        path_len = self.paths.length[:n_path]
        path_nodes = self.paths.nodes[:n_path]
        path_src = w.price[path_nodes[:, 0]]
        path_mkt = w.price[path_nodes[np.arange(n_path), path_len]]
        length = path_len[ship.path]
        arrived = ~seized & (ship.pos == length)
        # value per unit rises along the path from source price to market price
        src_price = path_src[ship.path]
        mkt_price = path_mkt[ship.path]
        frac = ship.pos / length
        unit_value = src_price + (mkt_price - src_price) * frac
        qty = ship.qty.astype(float)
        # 6. learning (before shipments leave the arrays)
        self._learn(ship.org, leg, qty, seized, unit_value)
        seized_locs = np.bincount(loc[seized], minlength=w.n_locations)
        enforcement.learn(self, seized_locs)
        # records
        self.leg_flow[t] = np.bincount(leg, weights=qty, minlength=w.n_legs)
        loc_state = w.loc_state[loc]
        self.state_flow[t] = np.bincount(loc_state, weights=qty, minlength=w.n_states)
        self.state_seized[t] = np.bincount(
            loc_state[seized], weights=qty[seized], minlength=w.n_states
        )
        n_seized = int(ship.qty[seized].sum())
        n_delivered = int(ship.qty[arrived].sum())
        seized_value = float((qty[seized] * unit_value[seized]).sum())
        # 5. delivery: shipments seized or arrived leave the arrays
        ship.keep(~(seized | arrived))
        self.total_produced += produced
        self.total_seized += n_seized
        self.total_delivered += n_delivered
        # 7. adaptation
        if (t + 1) % int(self.params["adapt_period"]) == 0:
            for org in self.orgs:
                org.adapt()
        # 8. metrics
        self._record(t, produced, n_delivered, n_seized, int(seized.sum()), seized_value)
        self.tick += 1

    def run(self) -> TraffickingModel:
        """Run to the horizon and return self."""
        while self.tick < self.ticks:
            self.step()
        return self

    # ------------------------------------------------------------------------- phases
    def _apply_policies(self, t: int) -> None:
        w = self.world
        self.capacity_mult[:] = self.detection_mult[:] = self.integrity_mult[:] = 1.0
        for pol in self.policies:
            if pol.active(t):
                pol.act(self, t)
        self.capacity = w.capacity * self.capacity_mult
        self.detection = w.detection * self.detection_mult
        self.integrity = np.minimum(w.integrity * self.integrity_mult, 1.0)

    def _produce(self, t: int) -> int:
        """Create this tick's shipments; return the quantity produced."""
        rng = self.streams["route_choice"]
        orgs, qtys, paths = [], [], []
        for org in self.orgs:
            value = self.world.price[org.markets].mean()
            for src, amount in zip(org.sources, org.production):
                q = split_quantity(int(amount), org.shipment_size)
                if not len(q) or not len(org.candidates.get(src, ())):
                    continue
                paths.append(org.choose_paths(src, len(q), rng))
                qtys.append(q)
                orgs.append(np.full(len(q), org.index))
                org.period_shipped += float(q.sum()) * value
        if not qtys:
            return 0
        q = np.concatenate(qtys)
        self.shipments.add(np.concatenate(orgs), q, np.concatenate(paths), t)
        return int(q.sum())

    def _learn(self, org, leg, qty, seized, unit_value) -> None:
        """Update each organisation's leg-risk beliefs, risk premiums and period losses."""
        n_org, n_leg = self.risk_used.shape
        flat = org * n_leg + leg
        used = np.bincount(flat, minlength=n_org * n_leg).reshape(n_org, n_leg)
        hits = np.bincount(flat[seized], minlength=n_org * n_leg).reshape(n_org, n_leg)
        self.risk_used = self.memory * self.risk_used + used
        self.risk_seized = self.memory * self.risk_seized + hits
        self.risk = (self.risk_seized + self.prior_a) / (
            self.risk_used + self.prior_a + self.prior_b
        )
        # Risk premium (Caulkins, Crawford & Reuter 1993, as used by NarcoLogic):
        # RP <- max((1 - d) RP + d (risk / base_risk)^2, 1)
        d = np.array([o.spec["risk_premium_rate"] for o in self.orgs])[:, None]
        target = (self.risk / self.params["base_risk"]) ** 2
        self.risk_premium = np.maximum((1.0 - d) * self.risk_premium + d * target, 1.0)
        loss = np.bincount(org[seized], weights=(qty * unit_value)[seized], minlength=n_org)
        for o in self.orgs:
            o.period_loss += loss[o.index]

    def _record(self, t, produced, delivered, seized, events, seized_value) -> None:
        s = self.series
        s["produced"][t] = produced
        s["delivered"][t] = delivered
        s["seized"][t] = seized
        s["interdiction_rate"][t] = seized / (seized + delivered) if seized + delivered else np.nan
        s["seizure_events"][t] = events
        s["seized_value"][t] = seized_value
        s["value_per_seizure"][t] = seized_value / events if events else np.nan
        s["route_entropy"][t] = entropy_bits(self.leg_flow[t])
        s["active_legs"][t] = np.count_nonzero(self.leg_flow[t])
        s["active_states"][t] = np.count_nonzero(self.state_flow[t])
        s["orgs_active"][t] = len(np.unique(self.shipments.org[self.shipments.depart == t]))
        s["policy_cost"][t] = sum(p.cost for p in self.policies if p.active(t))
        s["in_flight"][t] = int(self.shipments.qty.sum())
        s["displacement"][t] = self._displacement(t)

    def _displacement(self, t: int) -> float:
        """Share of this week's flow through states unused in the first post-burn-in year."""
        ref_end = self.burn_in + 52
        if t < ref_end:
            return np.nan
        if self._ref_states is None:
            ref = self.state_flow[self.burn_in : ref_end].sum(0)
            share = ref / max(ref.sum(), 1e-12)
            self._ref_states = share >= self.params["displacement_threshold"]
        flow = self.state_flow[t]
        tot = flow.sum()
        return float(flow[~self._ref_states].sum() / tot) if tot > 0 else np.nan

    # ------------------------------------------------------------------------ results
    @property
    def in_flight(self) -> int:
        """Quantity in flight now (integer units)."""
        return int(self.shipments.qty.sum())

    def records(self) -> dict[str, list[dict]]:
        """Per-run event tables beyond the weekly series (e.g. evidence requests).

        Each value is a list of flat records; the harness writes each table to
        ``<name>.parquet`` with the run's identifiers added.
        """
        return {}

    def summary(self) -> dict[str, float]:
        """Per-run summary of every metric over the post-burn-in window."""
        return summarize({k: v[: self.tick] for k, v in self.series.items()}, self.burn_in)
