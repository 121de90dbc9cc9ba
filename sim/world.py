"""The World: states, locations, legs and agreements as arrays, built from a scenario.

The world is the static part of a run. Everything that changes during a run
(effective capacities, beliefs, shipments) lives in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from sim.params import ORG_PARAMS, STATE_PARAMS
from sim.scenario import Scenario

#: Quantity unit by commodity (metric units are rendered with it).
COMMODITY_UNITS = {"firearms": "firearms", "weapons": "firearms"}
#: The offence a commodity is prosecuted under (an organisation may set ``offence``).
COMMODITY_OFFENCES = {
    "firearms": "firearms_trafficking",
    "weapons": "firearms_trafficking",
    "reactivated_firearms": "deactivated_reactivation",
}
DEFAULT_OFFENCE = "trafficking"
#: Leaders never touch the goods: they are charged with conspiracy.
LEADER_OFFENCE = "conspiracy"
#: Offence codes that cover the same conduct: dual criminality is judged by conduct, not
#: by label (UNTOC 2000 Art. 43(2); Vienna 1988 Art. 3). Directing an organisation is
#: conspiracy in common-law states and participation in an organised criminal group in
#: civil-law ones; UNTOC Art. 5(1)(a) obliges a party to criminalise either or both.
SAME_CONDUCT = (("conspiracy", "participation"),)

#: Door-to-door speed of a load by mode, in km per week, handling and waiting for a
#: window included (illustrative: a semi-submersible makes ~6 knots, ~1,800 km a week,
#: UNODC TOCTA 2012 and US Coast Guard accounts, recalled; road freight with stops
#: ~1,500; air is hours, but a load waits for a flight and a corrupt handler).
MODE_KM_PER_WEEK = {"land": 1500.0, "river": 1000.0, "sea": 1800.0, "air": 10000.0}
#: Detection multiplier by mode (illustrative: a load hidden in a container or a
#: semi-submersible is harder to find than one in a truck at a crossing; airports screen).
MODE_DETECTION = {"land": 1.0, "river": 0.8, "sea": 0.8, "air": 1.2}
#: Location kinds where goods are inspected on arrival from anywhere (ports, airports,
#: markets). A land crossing is inspected by the state a load enters (the leg that
#: crosses the border), not on the exit side it reaches from inside its own state.
INSPECTION_KINDS = {"port", "airport", "market_area", "market"}
#: Great-circle distance x this = route distance (roads and sea lanes are not straight).
DETOUR = 1.2

# Defaults for state fields a scenario may leave out (illustrative).
STATE_DEFAULTS = {
    "capacity": 10.0,
    "detection": 0.01,
    "integrity": 0.8,
    "investigators": 10,
    "extradites_nationals": True,
    "aut_dedere": True,
}


@dataclass
class World:
    """Static structure of a scenario as numpy arrays (indices, not ids, inside the tick).

    Attributes:
        state_ids: state ids in index order; ``state_index`` maps id -> index.
        capacity, detection, integrity: base enforcement per state (before policies).
        loc_ids, loc_state: locations and the state each lies in.
        price: value per unit at a location (sources and markets; 0 elsewhere).
        leg_from, leg_to, leg_cost: the directed legs (``both_ways`` legs appear twice).
        leg_state: the state whose agency inspects a leg's arrivals (state of ``to``).
        leg_weeks: whole weeks a load spends on each leg (>= 1), from its distance and mode.
        leg_inspect: inspection intensity of each leg's arrival: 1 on a leg that crosses
            a border (entry control), into a port, airport or market, and on sea, river
            and air legs (patrolled waters and airspace); ``inland_inspection`` on a land
            leg inside one state (an inland hub, or the exit side of a crossing).
        leg_detect: detection multiplier of each leg's mode (``MODE_DETECTION``).
        orgs: one dict per organisation with resolved parameters and indices.
        org_offence: (orgs,) offence index each organisation's goods are prosecuted under.
        leader_offence: offence index leaders are charged with (``conspiracy``).
        penalty0: (S, offences) maximum penalty in years for each offence a state's law
            holds (``penalties``; ``default_penalty_years`` where not given, 0 if not held).
        conduct: (offences, offences) ``conduct[o, o2]``: offence ``o2`` covers the
            conduct charged as ``o`` (itself, and :data:`SAME_CONDUCT`).
        authority_capacity: (S,) requests each central authority takes up a week.
        aut_dedere: (S,) a state that refuses to surrender a national prosecutes him.
        graph: networkx DiGraph of locations with the leg index on each edge (``e``).
    """

    scenario: Scenario
    params: dict
    state_ids: list[str]
    state_index: dict[str, int]
    state_names: list[str]
    capacity: np.ndarray
    detection: np.ndarray
    integrity: np.ndarray
    investigators: np.ndarray
    extradites_nationals: np.ndarray
    laws: list[set[str]]
    offences: list[str]
    offence_index: dict[str, int]
    laws0: np.ndarray
    trust0: np.ndarray
    exploration: np.ndarray
    agency_learning_rate: np.ndarray
    loc_ids: list[str]
    loc_index: dict[str, int]
    loc_state: np.ndarray
    loc_kind: list[str]
    production: np.ndarray
    price: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    leg_from: np.ndarray
    leg_to: np.ndarray
    leg_cost: np.ndarray
    leg_mode: list[str]
    leg_state: np.ndarray
    leg_weeks: np.ndarray
    leg_inspect: np.ndarray
    leg_detect: np.ndarray
    graph: nx.DiGraph
    orgs: list[dict]
    agreements: list[dict] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    unit: str = "kg"
    org_offence: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    leader_offence: int = 1
    penalty0: np.ndarray | None = None
    conduct: np.ndarray | None = None
    authority_capacity: np.ndarray | None = None
    aut_dedere: np.ndarray | None = None

    @property
    def n_states(self) -> int:  # noqa: D102
        return len(self.state_ids)

    @property
    def n_locations(self) -> int:  # noqa: D102
        return len(self.loc_ids)

    @property
    def n_legs(self) -> int:  # noqa: D102
        return len(self.leg_from)

    @property
    def leg_index(self) -> np.ndarray:
        """(n_locations, n_locations) leg id of each ordered pair, -1 where no leg."""
        li = getattr(self, "_leg_index", None)
        if li is None:
            li = np.full((self.n_locations, self.n_locations), -1, dtype=np.int64)
            li[self.leg_from, self.leg_to] = np.arange(self.n_legs)
            self._leg_index = li
        return li

    def prior_risk(self) -> np.ndarray:
        """A-priori chance a shipment is seized on arriving over each leg (reputation).

        Uses base enforcement with effort spread evenly over the state's locations, and
        each leg's inspection intensity and mode.
        """
        n_loc = np.bincount(self.loc_state, minlength=self.n_states).clip(min=1)
        effort = self.capacity / n_loc
        rate = (self.detection * effort)[self.leg_state] * self.leg_inspect * self.leg_detect
        return self.integrity[self.leg_state] * (1.0 - np.exp(-rate))


def build_world(scenario: Scenario) -> World:
    """Build the World arrays from a validated scenario."""
    d = scenario.data
    params = scenario.params
    states = d["states"]
    sid = [s["id"] for s in states]
    sidx = {s: i for i, s in enumerate(sid)}

    def col(key, default=None):
        return np.array([s.get(key, STATE_DEFAULTS.get(key, default)) for s in states], dtype=float)

    locs = d.get("locations", [])
    lid = [loc["id"] for loc in locs]
    lidx = {x: i for i, x in enumerate(lid)}
    legs = []
    for leg in d.get("legs", []):
        legs.append(
            (lidx[leg["from"]], lidx[leg["to"]], float(leg["cost"]), leg.get("mode", "land"))
        )
        if leg.get("both_ways"):
            legs.append(
                (lidx[leg["to"]], lidx[leg["from"]], float(leg["cost"]), leg.get("mode", "land"))
            )
    # One leg per ordered pair: a later duplicate replaces an earlier one.
    uniq = {(a, b): (a, b, c, m) for a, b, c, m in legs}
    legs = list(uniq.values())
    leg_from = np.array([x[0] for x in legs], dtype=np.int64)
    leg_to = np.array([x[1] for x in legs], dtype=np.int64)
    loc_state = np.array([sidx[loc["state"]] for loc in locs], dtype=np.int64)
    g = nx.DiGraph()
    g.add_nodes_from(range(len(lid)))
    for e, (a, b, c, _m) in enumerate(legs):
        g.add_edge(a, b, e=e, cost=c)

    # Production is split evenly between the organisations sharing a source.
    users = {}
    for o in d["organisations"]:
        for s in o["sources"]:
            users[s] = users.get(s, 0) + 1
    orgs = []
    for o in d["organisations"]:
        op = {k: o.get(k, params[k]) for k in ORG_PARAMS}
        orgs.append(
            {
                "id": o["id"],
                "name": o.get("name", o["id"]),
                "commodity": o.get("commodity", "cocaine"),
                "offence": o.get("offence")
                or COMMODITY_OFFENCES.get(o.get("commodity", "cocaine"), DEFAULT_OFFENCE),
                "home": sidx[o["home"]] if "home" in o else int(loc_state[lidx[o["sources"][0]]]),
                "sources": [lidx[s] for s in o["sources"]],
                "markets": [lidx[m] for m in o["markets"]],
                "production": [
                    int(round(locs[lidx[s]].get("production", 0.0) / users[s]))
                    for s in o["sources"]
                ],
                **op,
            }
        )
    # offences: every code a law, an organisation or a harmonisation mentions
    offences = ["trafficking", "conspiracy", "participation"]
    mentioned = [law for s in states for law in s.get("laws", [])]
    mentioned += [o["offence"] for o in orgs]
    mentioned += [x for p in d.get("policies", []) for x in p.get("offences", [])]
    offences += sorted(set(mentioned) - set(offences))
    oidx = {x: i for i, x in enumerate(offences)}
    laws0 = np.zeros((len(states), len(offences)), dtype=bool)
    for i, s in enumerate(states):
        # a state whose laws are not given criminalises everything the scenario names
        laws0[i, [oidx[x] for x in s.get("laws", offences)]] = True
    penalty0 = np.where(laws0, float(params["default_penalty_years"]), 0.0)
    for i, s in enumerate(states):
        for x, years in s.get("penalties", {}).items():
            if x in oidx and laws0[i, oidx[x]]:
                penalty0[i, oidx[x]] = float(years)
    conduct = np.eye(len(offences), dtype=bool)
    for group in SAME_CONDUCT:
        idx = [oidx[x] for x in group if x in oidx]
        conduct[np.ix_(idx, idx)] = True
    trust0 = np.full((len(states), len(states)), float(params["trust_default"]))
    for tr in d.get("trust", []):
        a, b = sidx[tr["between"][0]], sidx[tr["between"][1]]
        trust0[a, b] = trust0[b, a] = tr["value"]
    np.fill_diagonal(trust0, 1.0)
    lat = np.array([loc.get("lat", np.nan) for loc in locs], dtype=float)
    lon = np.array([loc.get("lon", np.nan) for loc in locs], dtype=float)
    kinds = [loc.get("kind", "hub") for loc in locs]
    weeks, inspect, detect = leg_physics(
        leg_from, leg_to, [x[3] for x in legs], lat, lon, kinds, loc_state, params
    )
    commodities = {o["commodity"] for o in orgs}
    unit = COMMODITY_UNITS.get(next(iter(commodities)), "kg") if len(commodities) == 1 else "units"
    return World(
        scenario=scenario,
        params=params,
        state_ids=sid,
        state_index=sidx,
        state_names=[s.get("name", s["id"]) for s in states],
        capacity=col("capacity"),
        detection=col("detection"),
        integrity=col("integrity"),
        investigators=col("investigators").astype(np.int64),
        extradites_nationals=np.array(
            [bool(s.get("extradites_nationals", True)) for s in states], dtype=bool
        ),
        laws=[set(s.get("laws", offences)) for s in states],
        offences=offences,
        offence_index=oidx,
        laws0=laws0,
        penalty0=penalty0,
        conduct=conduct,
        authority_capacity=np.array(
            [float(s.get("authority_capacity", params["authority_capacity"])) for s in states]
        ),
        aut_dedere=np.array([bool(s.get("aut_dedere", True)) for s in states], dtype=bool),
        trust0=trust0,
        exploration=np.array([s.get(k, params[k]) for s in states for k in STATE_PARAMS[:1]]),
        agency_learning_rate=np.array(
            [s.get(STATE_PARAMS[1], params[STATE_PARAMS[1]]) for s in states]
        ),
        loc_ids=lid,
        loc_index=lidx,
        loc_state=loc_state,
        loc_kind=kinds,
        production=np.array([loc.get("production", 0.0) for loc in locs], dtype=float),
        price=np.array([loc.get("price", 0.0) for loc in locs], dtype=float),
        lat=lat,
        lon=lon,
        leg_from=leg_from,
        leg_to=leg_to,
        leg_cost=np.array([x[2] for x in legs], dtype=float),
        leg_mode=[x[3] for x in legs],
        leg_state=loc_state[leg_to] if len(legs) else np.zeros(0, dtype=np.int64),
        leg_weeks=weeks,
        leg_inspect=inspect,
        leg_detect=detect,
        graph=g,
        orgs=orgs,
        agreements=list(d.get("agreements", [])),
        policies=list(d.get("policies", [])),
        unit=unit,
        org_offence=np.array([oidx[o["offence"]] for o in orgs], dtype=np.int64),
        leader_offence=oidx[LEADER_OFFENCE],
    )


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance in km (NaN where a coordinate is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def leg_physics(leg_from, leg_to, modes, lat, lon, kinds, loc_state, params):
    """Weeks on each leg, its inspection intensity and its mode's detection multiplier.

    Weeks = ceil(DETOUR x great-circle km / speed of the mode), at least one (one week
    where a coordinate is missing).
    """
    km = great_circle_km(lat[leg_from], lon[leg_from], lat[leg_to], lon[leg_to]) * DETOUR
    speed = np.array([MODE_KM_PER_WEEK.get(m, MODE_KM_PER_WEEK["land"]) for m in modes])
    with np.errstate(invalid="ignore"):
        weeks = np.where(np.isfinite(km), np.ceil(km / speed), 1.0)
    weeks = np.maximum(weeks, 1).astype(np.int64)
    crossing = loc_state[leg_from] != loc_state[leg_to]
    point = np.array([kinds[b] in INSPECTION_KINDS for b in leg_to], dtype=bool)
    open_water = np.array([m in ("sea", "river", "air") for m in modes], dtype=bool)
    full = crossing | point | open_water
    inspect = np.where(full, 1.0, float(params["inland_inspection"]))
    detect = np.array([MODE_DETECTION.get(m, 1.0) for m in modes])
    return weeks, inspect, detect
