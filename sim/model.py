"""TraffickingModel: the weekly tick of the trafficking-and-interdiction model (Mesa)."""

from __future__ import annotations

import mesa
import numpy as np

from sim import (
    agreements,
    controlled,
    enforcement,
    justice,
    markets,
    members,
    policies,
    routes,
    supply,
    traffickers,
)
from sim.extradition import NO_TREATY as EX_NO_TREATY
from sim.extradition import OUTCOMES as EX_OUTCOMES
from sim.metrics import REGISTRY, Displacement, record, summarize
from sim.records import EXPIRED, OUTCOMES, Recorder
from sim.rng import Streams
from sim.scenario import Scenario
from sim.world import World, build_world


class TraffickingModel(mesa.Model):
    """Organisations move illicit goods over a network of states; agencies interdict.

    One tick is one week. Each ``step`` runs these phases, one call each, in this
    order (the ODD "process overview and scheduling"):

    0. **Members** (``members.renew``). Vacancies left by arrests, and posts opened in
       new states, are filled when due (the deputy, else a broker, succeeds a leader).
       Organisations with no active leader or broker are dormant; one dormant for
       ``entry_weeks`` is replaced by a new organisation with members of its own.
    1. **Agreements** (``agreements.refresh``). The legal state (MLATs, extradition,
       databases, joint teams, laws, trust floors) is rebuilt if the set of
       instruments in force changed.
    2. **Policies** (``policies.apply``). Enforcement multipliers are reset to 1 and
       every policy active at this tick acts (surges, capacity building, targeted
       arrests), giving this week's effective capacity, detection and integrity.
    3. **Supply** (``supply.produce``). Organisations whose broker posts changed
       refresh their candidate paths. Each orders its share of its markets' demand at
       last week's prices, grossed up for its recent losses; sources produce to order
       (``production_growth`` a year, 0 by default). Each organisation takes its order
       and its share of the source's stockpile up to its release capacity (its
       couriers with an active broker; freelancers make up the rest); the remainder
       waits in the stockpile. What it takes leaves in integer shipments of its current
       size, each on a path drawn by a logit over its K cheapest candidate paths
       (freight, dearer through states without its own brokers, plus expected loss;
       stream ``route_choice``).
    4. **Movement** (``routes.move``). A week passes on every leg; loads whose leg
       (``leg_weeks`` long, from distance and mode) ends this week arrive.
    5. **Interdiction** (``enforcement.interdict``). Each agency spreads its capacity
       over its locations by learned hit rates plus random exploration
       (``agency_explore``), pooled on joint teams' borders; each arriving load is
       seized with probability ``integrity x (1 - exp(-rate))``, the rate growing with
       detection, effort, the leg's inspection intensity and mode, the load's size,
       database ``intel`` and freelance exposure, and shrinking as more loads arrive at
       the same place (swamping). Agencies raid the stockpiles at the sources.
       Where a controlled delivery is in force (``controlled.follow``), some detected
       loads are followed into their market state instead of seized.
    6. **Delivery and markets** (``markets.clear``). Seized loads and loads at their
       market leave the arrays; replacement costs of this week's losses move each
       market's smoothed loss cost and so its retail price and next week's demand.
    7. **Traffickers learn** (``traffickers.learn``). Organisations update their
       Beta-Bernoulli leg-risk beliefs and period losses.
    8. **Agencies learn** (``enforcement.learn_with_partners``). Agencies update their
       hit-rate beliefs per location from their seizures and the database records of
       partners whose lag has elapsed.
    9. **Justice** (``justice.work``). Seizures are entered in shared databases; each
       central authority takes up its queued requests (``authorities.serve``); due
       evidence requests are answered, failed or refused (dual criminality by conduct,
       for coercive measures); identified members at home are arrested and tried on the
       case's evidence, those abroad are the object of extradition proceedings
       (``extradition``: surrender, refusal, prosecution at home), which end when due;
       cases climb to the next rung (leaders may flee to safe havens) or close; seizures
       open new cases; trust grows with answered requests. The market state arrests the
       brokers receiving followed loads and opens cases against their leaders
       (``controlled.open_cases``).
    10. **Adaptation** (``traffickers.adapt``). Every ``adapt_period`` ticks each
        organisation with a leader at liberty expands (losses above tolerance: open new
        legs, recruit brokers there, smaller shipments) or consolidates (prune the
        riskiest legs) and refreshes its candidate paths.
    11. **Metrics** (``metrics.record``, through ``_record``). One value per registered
        metric for the tick.

    Conservation holds exactly: produced = delivered + seized + in flight + stock
    (seized includes stockpile raids).

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

        # The model's state, one object per concept (each declared in its module).
        self.enforcement = enforcement.Enforcement(w)
        self.beliefs = traffickers.Beliefs(w, self.params)
        self.paths = routes.PathTable(width=max(w.n_locations - 1, 1))
        self.shipments = routes.Shipments()
        self.orgs = [traffickers.Organisation(self, i, spec) for i, spec in enumerate(w.orgs)]
        self.policies: list[policies.Policy] = [policies.from_dict(p) for p in w.policies]
        self.members = members.setup_members(
            w, [o.territory for o in self.orgs], self.params, self.streams["network"]
        )
        self.sources = supply.Sources(w)
        self.markets = markets.Markets(w, self.params)
        # loads are compared with one reference size (the model-wide shipment_size)
        self.size0 = np.full(len(w.orgs), float(self.params["shipment_size"]))
        self.cooperation = agreements.Cooperation(w, [policies.from_dict(a) for a in w.agreements])
        agreements.refresh(self.cooperation, self.policies, w, 0)
        self.cases = justice.Cases()
        self.recorder = Recorder()
        self.justice = justice.Justice(
            self.cases, self.members, self.cooperation, w, self.params, self.streams,
            self.recorder, self.enforcement,
        )  # fmt: skip
        for org in self.orgs:
            org.refresh_candidates()

        # Exact integer stocks for the conservation check.
        self.total_produced = self.total_delivered = self.total_seized = 0
        # Per-tick records: metric series and per-leg / per-state flows.
        self.series = {name: np.full(self.ticks, np.nan) for name in REGISTRY}
        self.leg_flow = np.zeros((self.ticks, w.n_legs))
        self.state_flow = np.zeros((self.ticks, w.n_states))
        self.state_seized = np.zeros((self.ticks, w.n_states))
        self.displacement = Displacement(self.burn_in, self.params["displacement_threshold"])
        self.integrity_sum = np.zeros(w.n_states)  # effective integrity summed over weeks

    # ------------------------------------------------------------------------ the tick
    def step(self) -> None:
        """Advance one week: the phases of the class docstring, one call each, in order."""
        t, w, p, rng = self.tick, self.world, self.params, self.streams
        self.recorder.new_week()
        members.renew(self.members, t, p, rng)  # 0
        agreements.refresh(self.cooperation, self.policies, w, t)  # 1
        policies.apply(self.policies, self, t)  # 2
        produced = supply.produce(  # 3
            self.sources, self.markets, self.orgs, self.members, self.shipments, self.paths,
            w, p, t, rng["route_choice"], rng["identifiers"], self.cooperation.records.k,
        )  # fmt: skip
        moved = routes.move(self.shipments, self.paths, w.price, w.leg_weeks, w.leg_cost)  # 4
        week = enforcement.interdict(  # 5
            self.enforcement, self.cooperation, w, p, self.shipments, moved, self.members,
            self.sources, self.size0, rng, self.recorder, t,
        )  # fmt: skip
        followed = controlled.follow(self.justice, week, self.paths)  # 5b controlled deliveries
        markets.clear(self.markets, self.shipments, week, self.paths, w)  # 6
        traffickers.learn(self.beliefs, self.orgs, p, week)  # 7
        enforcement.learn_with_partners(self.enforcement, self.cooperation, w, week, t, rng)  # 8
        justice.work(self.justice, week, self.paths, self.enforcement.integrity, t)  # 9
        controlled.open_cases(self.justice, week, self.paths, followed, t)
        traffickers.adapt(self.orgs, p, t)  # 10
        self._record(t, produced, week)  # 11
        self.tick += 1

    def run(self) -> TraffickingModel:
        """Run to the horizon and return self."""
        while self.tick < self.ticks:
            self.step()
        return self

    def _record(self, t: int, produced: int, week: enforcement.Inspections) -> None:
        """Phase 11: the week's flows, exact totals and every metric."""
        w, s = self.world, week.seized
        self.leg_flow[t] = np.bincount(week.leg, weights=week.qty, minlength=w.n_legs)
        self.state_flow[t] = np.bincount(week.state, weights=week.qty, minlength=w.n_states)
        self.state_seized[t] = np.bincount(week.state[s], weights=week.qty[s], minlength=w.n_states)
        self.state_seized[t] += np.bincount(w.loc_state, weights=week.raided, minlength=w.n_states)
        raided = int(week.raided.sum())
        n_seized = int(week.units[s].sum()) + raided
        n_delivered = int(week.units[week.arrived].sum())
        self.total_produced += produced
        self.total_seized += n_seized
        self.total_delivered += n_delivered
        seized_value = float((week.qty[s] * week.unit_value[s]).sum())
        seized_value += float((week.raided * w.price).sum())
        events = int(s.sum()) + int(np.count_nonzero(week.raided))
        record(self, t, produced, n_delivered, n_seized, events, seized_value)
        self.integrity_sum += self.enforcement.integrity

    # ------------------------------------------------------------------------ results
    @property
    def conserved(self) -> bool:
        """Whether produced == delivered + seized + in flight + stock, exactly (integers)."""
        return self.total_produced == (
            self.total_delivered + self.total_seized + self.in_flight + self.stock
        )

    @property
    def stock(self) -> int:
        """Quantity waiting in the source stockpiles (integer units)."""
        return int(self.sources.stock.sum())

    @property
    def in_flight(self) -> int:
        """Quantity in flight now (integer units)."""
        return int(self.shipments.qty.sum())

    # read-only views of the declared state, for notebooks, the dashboard and tests
    @property
    def legal(self) -> agreements.LegalState:
        """The instruments in force (``cooperation.legal``)."""
        return self.cooperation.legal

    @property
    def trust(self) -> np.ndarray:
        """(S, S) trust between states now (``cooperation.trust``)."""
        return self.cooperation.trust

    @property
    def capacity(self) -> np.ndarray:
        """(S,) this week's effective inspection capacity (``enforcement.capacity``)."""
        return self.enforcement.capacity

    def request_table(self) -> dict[str, np.ndarray]:
        """Every evidence request answered, failed or expired so far, as arrays."""
        return self.recorder.request_table()

    def records(self) -> dict[str, list[dict]]:
        """Per-run event tables beyond the weekly series.

        ``requests``: one record per cross-border evidence request with its pair of
        states, channel, offence, whether it was coercive, outcome, latency and weeks in
        the central authority's queue. ``sharing``: one record per state: database
        records it gave partners, received and leaked over the run, and its mean
        effective integrity. ``extraditions``: one record per extradition request
        decided, with its pair, the member's role, outcome (surrendered or the ground of
        refusal), weeks of proceedings, whether he was prosecuted at home and convicted.
        The harness writes each table to
        ``<name>.parquet`` with the run's identifiers added.
        """
        r = self.request_table()
        w = self.world
        rows = [
            {
                "sent": int(a),
                "answered": int(b),
                "latency_weeks": int(b - a),
                "queue_weeks": int(q),
                "from": w.state_ids[f],
                "to": w.state_ids[t],
                "channel": justice.CHANNELS[c],
                "offence": w.offences[o],
                "coercive": bool(k),
                "outcome": OUTCOMES[x],
            }
            for a, b, q, f, t, c, o, k, x in zip(
                r["sent"],
                r["answered"],
                r["queue_weeks"],
                r["from"],
                r["to"],
                r["channel"],
                r["offence"],
                r["coercive"],
                r["outcome"],
            )  # fmt: skip
        ]
        e = self.justice.extraditions.table()
        roles = ("leader", "broker", "courier")
        extraditions = [
            {
                "requested_at": int(lo),
                "decided_at": int(du),
                "weeks": int(du - lo),
                "role": roles[self.members.role[mb]],
                "from": w.state_ids[a],
                "to": w.state_ids[b],
                "outcome": EX_OUTCOMES[x],
                "prosecuted_at_home": bool(h),
                "held": bool(hd),
                "convicted": bool(cv),
            }
            for mb, a, b, lo, du, x, h, hd, cv in zip(
                e["member"],
                e["requesting"],
                e["requested"],
                e["lodged"],
                e["due"],
                e["outcome"],
                e["home"],
                e["held"],
                e["convicted"],
            )  # fmt: skip
        ]
        rec = self.cooperation.records
        weeks = max(self.tick, 1)
        sharing = [
            {
                "state": w.state_ids[s],
                "records_given": int(rec.given_by[s]),
                "records_received": int(rec.received_by[s]),
                "leaks": int(rec.leaked_by[s]),
                "integrity_mean": float(self.integrity_sum[s] / weeks),
            }
            for s in range(w.n_states)
        ]
        return {"requests": rows, "sharing": sharing, "extraditions": extraditions}

    def summary(self) -> dict[str, float]:
        """Per-run summary of every metric over the post-burn-in window."""
        out = summarize({k: v[: self.tick] for k, v in self.series.items()}, self.burn_in)
        # latency: the median over every evidence request answered in the window (not of
        # weekly medians); a database lookup identifies, it is not an evidence request
        r = self.request_table()
        keep = (r["answered"] >= self.burn_in) & (r["outcome"] != EXPIRED)
        keep &= r["channel"] != justice.DATABASE
        lat = (r["answered"] - r["sent"])[keep]
        out["request_latency_median"] = float(np.median(lat)) if len(lat) else float("nan")
        queued = keep & np.isin(r["channel"], (justice.MLAT, justice.LETTERS))
        q = r["queue_weeks"][queued]
        out["authority_queue_weeks"] = float(q.mean()) if len(q) else float("nan")
        e = self.justice.extraditions.table()
        keep = (e["due"] >= self.burn_in) & (e["outcome"] != EX_NO_TREATY)
        w = (e["due"] - e["lodged"])[keep]
        out["extradition_weeks"] = float(np.median(w)) if len(w) else float("nan")
        return out
