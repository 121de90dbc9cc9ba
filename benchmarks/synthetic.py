"""Synthetic layered-corridor scenarios for benchmarking the tick at a chosen scale.

The graph is a stack of layers: a source layer, ``n_transit`` transit layers (each a
few states with a few locations), and a market layer. Legs only join consecutive
layers, so every source-to-market path has exactly ``n_transit + 1`` legs whatever
route an organisation picks or opens. With the shipment size pinned
(``min_shipment_size = shipment_size``), the number of shipments created per tick is
fixed by production, and the number in flight at steady state is

    in_flight ~= new_shipments_per_tick x sum_{k=1..L-1} P(survive k legs),

which :func:`calibrate` measures once on a small pilot run and uses to scale
production to a target count. Every number here is illustrative (chosen to exercise
the code, not taken from a source).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np

from sim.model import TraffickingModel
from sim.scenario import Scenario, validate
from sim.world import build_world


def layered_corridor(
    new_per_tick: int,
    *,
    n_transit: int = 6,
    states_per_layer: int = 3,
    locs_per_state: int = 3,
    fanout: int = 3,
    n_sources: int = 4,
    n_markets: int = 3,
    n_orgs: int = 12,
    shipment_size: int = 100,
    ticks: int = 200,
    seed: int = 0,
) -> Scenario:
    """A validated layered-corridor scenario creating about ``new_per_tick`` shipments a tick.

    Args:
        new_per_tick: shipments created per tick over all organisations (rounded so each
            organisation ships a whole number of shipments of ``shipment_size``).
        n_transit: transit layers between the source and market layers.
        states_per_layer: states in each transit layer.
        locs_per_state: locations in each transit state.
        fanout: legs from each location to (distinct, random) locations of the next layer.
        n_sources: source locations (one source state).
        n_markets: market locations (one market state).
        n_orgs: organisations; organisation ``i`` ships from source ``i % n_sources`` to
            one or two markets.
        shipment_size: units per shipment, pinned (``min_shipment_size`` is the same).
        ticks: the scenario horizon (the benchmark must not step past it).
        seed: seed of the graph layout and leg costs (not of the model run).

    Returns:
        A :class:`sim.scenario.Scenario` that passed :func:`sim.scenario.validate`.
    """
    rng = np.random.default_rng(seed)
    states: list[dict] = []
    locations: list[dict] = []
    layers: list[list[str]] = []

    states.append({"id": "SRC", "capacity": 0.0, "detection": 0.01, "integrity": 0.6})
    layer = []
    for i in range(n_sources):
        layer.append(f"SRC-{i}")
        locations.append({"id": f"SRC-{i}", "state": "SRC", "kind": "source", "price": 2000.0})
    layers.append(layer)

    for t in range(n_transit):
        layer = []
        for s in range(states_per_layer):
            sid = f"T{t}S{s}"
            states.append(
                {
                    "id": sid,
                    "capacity": float(rng.uniform(5.0, 15.0)),
                    "detection": 0.01,
                    "integrity": float(rng.uniform(0.6, 0.9)),
                }
            )
            for j in range(locs_per_state):
                lid = f"{sid}-{j}"
                layer.append(lid)
                locations.append({"id": lid, "state": sid, "kind": "hub"})
        layers.append(layer)

    states.append({"id": "MKT", "capacity": 6.0, "detection": 0.01, "integrity": 0.95})
    layer = []
    for i in range(n_markets):
        layer.append(f"MKT-{i}")
        locations.append({"id": f"MKT-{i}", "state": "MKT", "kind": "market", "price": 25000.0})
    layers.append(layer)

    legs = []
    for a_layer, b_layer in pairwise(layers):
        last = b_layer is layers[-1]
        for a in a_layer:
            # Into the market layer every location reaches every market (reachability).
            k = len(b_layer) if last else min(fanout, len(b_layer))
            for b in rng.choice(b_layer, size=k, replace=False):
                legs.append({"from": a, "to": str(b), "cost": float(rng.uniform(500, 1500))})

    # Each organisation ships ~new_per_tick / n_orgs shipments; production at a source
    # is split evenly between its organisations (sim.world.build_world).
    per_org = max(1, round(new_per_tick / n_orgs))
    orgs, users = [], {}
    for i in range(n_orgs):
        src = layers[0][i % n_sources]
        mkts = [layers[-1][i % n_markets]]
        if i % 2 and n_markets > 1:
            mkts.append(layers[-1][(i + 1) % n_markets])
        orgs.append({"id": f"org{i}", "sources": [src], "markets": mkts})
        users[src] = users.get(src, 0) + 1
    for loc in locations:
        if loc["id"] in users:
            loc["production"] = float(per_org * shipment_size * users[loc["id"]])

    data = {
        "name": f"synthetic_{new_per_tick}",
        "description": "Synthetic layered corridor for benchmarks/bench_tick.py (illustrative).",
        "ticks": int(ticks),
        "burn_in": min(10, int(ticks) - 1),
        "params": {
            "shipment_size": float(shipment_size),
            "min_shipment_size": float(shipment_size),
        },
        "states": states,
        "locations": locations,
        "legs": legs,
        "organizations": orgs,
    }
    path = Path(f"<synthetic:{data['name']}>")
    validate(data, path)
    return Scenario(data["name"], path, data)


def new_shipments_per_tick(scenario: Scenario) -> int:
    """Shipments the scenario's organisations create per tick (shipment size fixed)."""
    w = build_world(scenario)
    size = float(scenario.params["shipment_size"])
    return sum(int(np.ceil(a / size)) for o in w.orgs for a in o["production"] if a > 0)


def calibrate(warmup: int = 30, pilot_new: int = 1500, seed: int = 0, **kw) -> float:
    """Shipments in flight per shipment created per tick, measured on a pilot run.

    The ratio does not depend on the scale: seizure chances depend on enforcement
    effort, not on how many shipments pass.

    Args:
        warmup: ticks before measuring.
        pilot_new: shipments created per tick in the pilot.
        seed: the pilot model's seed.
        **kw: passed to :func:`layered_corridor`.

    Returns:
        in flight / new shipments per tick, averaged over 10 ticks after warm-up.
    """
    sc = layered_corridor(pilot_new, ticks=warmup + 11, **kw)
    m = TraffickingModel(sc, seed=seed)
    for _ in range(warmup):
        m.step()
    counts = []
    for _ in range(10):
        m.step()
        counts.append(len(m.shipments))
    return float(np.mean(counts)) / new_shipments_per_tick(sc)
