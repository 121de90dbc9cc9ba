"""TraffickingModel: the weekly tick of the trafficking-and-interdiction model (Mesa)."""

from __future__ import annotations

import ctypes
import ctypes.util

import mesa
import numpy as np

from sim import agreements, enforcement, justice, members
from sim.metrics import COUNTERS, REGISTRY, entropy_bits, summarize
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

    0. **Organisations and agreements.** Vacancies left by arrests are refilled when
       due (succession for leaders); organisations without leader or broker are
       dismantled; the legal state (MLATs, extradition, databases, joint teams, laws,
       trust floors) is rebuilt if the set of instruments in force changed. Routes are
       refreshed where broker posts changed just after step 1, once this week's
       policies are known.
    1. **Policies.** Enforcement multipliers are reset to 1 and every policy active at
       this tick acts (surges, capacity building), giving this week's effective
       capacity, detection and integrity per state.
    2. **Production and route choice.** Production at each source grows by
       ``production_growth`` a year (compounded weekly; 0 by default). Each
       organisation splits its production at each source into integer shipments of
       its current size; each shipment draws a path by a logit over the
       organisation's K cheapest candidate paths through states where it has
       brokers (stream ``route_choice``). Without a leader or an open route, goods
       wait in stock at the source.
    3. **Movement.** Every shipment in flight, new ones included, advances one leg.
    4. **Interdiction.** Each agency spreads its capacity over its locations by learned
       hit rates plus random exploration (``agency_explore``); each shipment arriving
       at a location is seized with probability
       ``integrity x (1 - exp(-detection x effort x intel))`` (``detection``), with
       ``intel`` > 1 for organisations a shared database has flagged.
    5. **Delivery.** Unseized shipments at the end of their path are sold.
    6. **Learning.** Organisations update their Beta-Bernoulli leg-risk beliefs and
       risk premiums from their own shipments; agencies update their hit-rate
       beliefs per location from their seizures and their database partners'.
    6b. **Justice** (``sim.justice``). Seizures are entered in shared databases; due
       evidence requests are answered, failed or refused (dual criminality); identified
       members are arrested where they live if that state would surrender them, tried
       and convicted; cases climb to the next rung (leaders may flee to safe havens) or
       close; seizures open new cases; trust grows with answered requests.
    7. **Adaptation.** Every ``adapt_period`` ticks each organisation with a leader
       expands (losses above tolerance, or goods stuck in stock: open new legs, recruit
       brokers, smaller shipments) or consolidates (prune the riskiest legs) and
       refreshes its candidate paths.
    8. **Metrics.** One value per registered metric is recorded for the tick.

    Conservation holds exactly: produced = delivered + seized + in flight + stock.

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

        # Legal cooperation (DESIGN 3.1, 3.4): members, agreements, trust, cases.
        self.agreements: list[Policy] = [from_dict(a) for a in w.agreements]
        self.org_offence = np.array([w.offence_index[o["offence"]] for o in w.orgs])
        self.conspiracy = w.offence_index[justice.LEADER_OFFENCE]
        self.org_alive = np.ones(n_org, dtype=bool)
        self.members = members.setup_members(self)
        self.trust0 = w.trust0
        self.trust = w.trust0.copy()
        self._legal_key: tuple | None = None
        self._refresh_legal(0)
        self.cases = justice.Cases()
        self.flag_seen = np.full((w.n_states, n_org), -(10**9), dtype=np.int64)
        self.pending_flags: list = []
        self.pending_hits: list = []
        self._counts: dict[str, int] = {}
        self._requests: list[dict[str, np.ndarray]] = []
        self._answered: list[tuple[np.ndarray, np.ndarray]] = []
        self._latency_today: list[np.ndarray] = []
        for org in self.orgs:
            org.refresh_candidates()

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
        self._counts, self._latency_today = {}, []
        members.recruit(self, t)
        members.update_alive(self)
        self._refresh_legal(t)
        self._apply_policies(t)  # before routes refresh: remove_members may close some
        for org in self.orgs:
            if org.dirty:
                org.refresh_candidates()
        produced = self._produce(t)
        ship = self.shipments
        # 3. movement
        ship.pos += 1
        # flat indices: one gather each instead of numpy's slower 2-D fancy indexing
        row = ship.path * self.paths.legs.shape[1] + ship.pos
        leg = self.paths.legs.ravel()[row - 1]
        loc = self.paths.nodes.ravel()[row + ship.path]
        # 4. interdiction
        self.effort = enforcement.allocate_effort(self) * self.legal.jit_effort
        intel = agreements.intel(self) if self.legal.databases else None
        p = enforcement.seizure_probability(self, loc, ship.org, intel)
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
        enforcement.learn(self, seized_locs + agreements.deliver(self, t))
        # records
        self.leg_flow[t] = np.bincount(leg, weights=qty, minlength=w.n_legs)
        loc_state = w.loc_state[loc]
        if intel is not None:
            self.count("db_hits", int((intel[loc_state[seized], ship.org[seized]] > 1).sum()))
        # justice: share records, work open cases, open new ones (DESIGN 3.4)
        s_org, s_state = ship.org[seized], loc_state[seized]
        agreements.share_seizures(self, s_org, s_state, self.paths.nodes[ship.path[seized]], t)
        justice.advance_cases(self, t)
        justice.open_cases(self, s_org, s_state, w.loc_state[w.leg_from[leg[seized]]], t)
        done, self._answered = self._answered, []
        agreements.update_trust(
            self,
            np.concatenate([a for a, _ in done] or [np.zeros(0, np.int64)]),
            np.concatenate([b for _, b in done] or [np.zeros(0, np.int64)]),
        )
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

    def _refresh_legal(self, t: int) -> None:
        """Rebuild the agreement matrices when the set of instruments in force changes."""
        key = tuple(p.active(t) for p in self.agreements + self.policies)
        if key != self._legal_key:
            self._legal_key = key
            self.legal = agreements.rebuild(self)

    def count(self, name: str, n: int) -> None:
        """Add ``n`` to this tick's counter ``name`` (a metric series)."""
        self._counts[name] = self._counts.get(name, 0) + int(n)

    def log_requests(self, cases, mask: np.ndarray, outcome: int, t: int) -> None:
        """Record answered, failed or expired evidence requests (vectorised)."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        rec = {
            "sent": cases.sent[idx],
            "answered": np.full(len(idx), t),
            "from": cases.state[idx],
            "to": cases.requested[idx],
            "channel": cases.channel[idx],
            "offence": cases.offence[idx],
            "outcome": np.full(len(idx), outcome),
        }
        self._requests.append(rec)
        if outcome != justice.EXPIRED:
            self._latency_today.append(t - rec["sent"])
        if outcome == justice.OK:
            self._answered.append((rec["from"], rec["to"]))

    def _produce(self, t: int) -> int:
        """Create this tick's shipments; return the quantity produced.

        What an organisation cannot move (its leader is in custody and not yet
        succeeded, or no route is open because brokers are missing) waits in its stock
        at the source and leaves with the next shipments that can.
        """
        rng = self.streams["route_choice"]
        orgs, qtys, paths = [], [], []
        produced = 0
        leader_free = self.members.status[self.leader_of] == members.ACTIVE
        growth = (1.0 + self.params["production_growth"]) ** (t / 52.0)
        for org in self.orgs:
            if not self.org_alive[org.index]:
                continue
            value = self.world.price[org.markets].mean()
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
                orgs.append(np.full(len(q), org.index))
                org.period_shipped += float(q.sum()) * value
        if qtys:
            q = np.concatenate(qtys)
            self.shipments.add(np.concatenate(orgs), q, np.concatenate(paths), t)
        return produced

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
        s["policy_cost"][t] = sum(p.cost for p in self.policies if p.active(t))
        s["in_flight"][t] = int(self.shipments.qty.sum())
        s["stock"][t] = self.stock
        s["displacement"][t] = self._displacement(t)
        for name in COUNTERS:
            s[name][t] = self._counts.get(name, 0)
        lat = self._latency_today
        s["request_latency_median"][t] = np.median(np.concatenate(lat)) if lat else np.nan
        s["safe_haven_leaders"][t] = members.safe_haven_leaders(self)
        s["members_active"][t] = int(self.members.active.sum())
        s["orgs_active"][t] = int(self.org_alive.sum())

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
    def conserved(self) -> bool:
        """Whether produced == delivered + seized + in flight + stock, exactly (integers)."""
        return self.total_produced == (
            self.total_delivered + self.total_seized + self.in_flight + self.stock
        )

    @property
    def stock(self) -> int:
        """Quantity held at sources, waiting for an open route (integer units)."""
        return sum(sum(o.stock.values()) for o in self.orgs)

    @property
    def in_flight(self) -> int:
        """Quantity in flight now (integer units)."""
        return int(self.shipments.qty.sum())

    def request_table(self) -> dict[str, np.ndarray]:
        """Every evidence request answered, failed or expired so far, as arrays."""
        keys = ("sent", "answered", "from", "to", "channel", "offence", "outcome")
        if not self._requests:
            return {k: np.zeros(0, dtype=np.int64) for k in keys}
        return {k: np.concatenate([r[k] for r in self._requests]) for k in keys}

    def records(self) -> dict[str, list[dict]]:
        """Per-run event tables beyond the weekly series.

        ``requests``: one record per cross-border evidence request with its pair of
        states, channel, offence, outcome and latency in weeks. The harness writes each
        table to ``<name>.parquet`` with the run's identifiers added.
        """
        r = self.request_table()
        w = self.world
        rows = [
            {
                "sent": int(a),
                "answered": int(b),
                "latency_weeks": int(b - a),
                "from": w.state_ids[f],
                "to": w.state_ids[t],
                "channel": justice.CHANNELS[c],
                "offence": w.offences[o],
                "outcome": justice.OUTCOMES[x],
            }
            for a, b, f, t, c, o, x in zip(
                r["sent"],
                r["answered"],
                r["from"],
                r["to"],
                r["channel"],
                r["offence"],
                r["outcome"],
            )
        ]
        return {"requests": rows}

    def summary(self) -> dict[str, float]:
        """Per-run summary of every metric over the post-burn-in window."""
        out = summarize({k: v[: self.tick] for k, v in self.series.items()}, self.burn_in)
        # latency: the median over every request answered in the window, not of weekly medians
        r = self.request_table()
        keep = (r["answered"] >= self.burn_in) & (r["outcome"] != justice.EXPIRED)
        lat = (r["answered"] - r["sent"])[keep]
        out["request_latency_median"] = float(np.median(lat)) if len(lat) else float("nan")
        return out
