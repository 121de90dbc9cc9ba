"""Markets: retail prices from replacement costs, demand with an elasticity, orders.

The price model is Caulkins & Reuter's replacement-cost account (Caulkins & Reuter
1998, "What price data tell us about drug markets", J. Drug Issues 28; Caulkins &
Reuter 2010): a seized load is replaced at its value at the point of seizure, a few
thousand USD/kg near the source against the wholesale price near the market, and the
cost of replacing losses is passed on to the price additively. So a kilogram seized
near a market raises the retail price far more than one seized near the source.

Each market ``m`` has a scenario price ``p0`` and a reference demand ``D0``: the
organisations' base production bound for it, less the reference loss ``L0``
(``reference_loss``). Each week:

* the loss cost per delivered unit ``c_m`` = replacement value of the goods seized on
  their way to ``m`` (plus its share of stockpile seizures at the sources) / units
  delivered to ``m``, both smoothed over ``price_memory`` weeks;
* price ``p_m = p0 + c_m - c_ref``, between ``p_src`` and ``3 p0``, where
  ``c_ref = L0 / (1 - L0) x`` the mid-route value ``(p_src + p0) / 2`` is the loss cost
  at the reference (illustrative);
* demand ``D_m = D0 x growth x (p_m / p0)^(-elasticity)`` (``demand_elasticity``);
* organisations order from the producers what their share of each market's demand
  needs, grossed up for their own recent losses (they replace seized loads): order
  ``= sum_m share_om D_m / (1 - L_o)``. A dormant organisation's customers go to its
  competitors in that market, in proportion to their size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.enforcement import Inspections
    from sim.routes import PathTable, Shipments
    from sim.world import World

#: Largest loss share an organisation grosses its orders up for (illustrative).
MAX_LOSS = 0.6
#: Ceiling on the retail price, as a multiple of the scenario price (illustrative).
MAX_PRICE = 3.0


class Markets:
    """Every market's price and smoothed costs, and every organisation's loss share.

    Attributes:
        loc: (M,) market locations; ``index``: location -> market (-1 elsewhere).
        p0, p_src: (M,) scenario price and mean source price of the goods sold there.
        base: (orgs, M) base weekly production of each organisation bound for each market.
        d0: (M,) reference demand; ``c_ref``: (M,) loss cost per unit at the reference.
        lost, sold: (M,) smoothed replacement value lost and units delivered.
        price: (M,) this week's retail price; ``demand``: (M,) this week's demand.
        org_seized, org_moved: (orgs,) smoothed units seized and units seized or delivered.
    """

    def __init__(self, world: World, params: dict):
        w = world
        self.loc = np.array(sorted({m for o in w.orgs for m in o["markets"]}), dtype=np.int64)
        self.index = np.full(w.n_locations, -1, dtype=np.int64)
        self.index[self.loc] = np.arange(len(self.loc))
        n_org, n_m = len(w.orgs), len(self.loc)
        self.base = np.zeros((n_org, n_m))
        src = np.zeros(n_m)
        for o, spec in enumerate(w.orgs):  # set-up: a loop over organisations
            mk = self.index[spec["markets"]]
            self.base[o, mk] += sum(spec["production"]) / len(mk)
            src[mk] += w.price[spec["sources"]].mean() * sum(spec["production"]) / len(mk)
        served = self.base.sum(0)
        self.p0 = w.price[self.loc].astype(float)
        self.p_src = np.where(served > 0, src / np.maximum(served, 1e-12), 0.0)
        L0 = float(params["reference_loss"])
        self.loss0 = L0
        self.d0 = served * (1.0 - L0)
        self.c_ref = L0 / (1.0 - L0) * 0.5 * (self.p_src + self.p0)
        self.sold = np.maximum(self.d0, 1e-9)
        self.lost = self.c_ref * self.sold
        self.price = self.p0.copy()
        self.demand = self.d0.copy()
        b_org = self.base.sum(1)
        self.org_moved = np.maximum(b_org, 1e-9)
        self.org_seized = L0 * self.org_moved
        self.smooth = 1.0 / float(params["price_memory"])
        self.elasticity = float(params["demand_elasticity"])
        self.loss_cost = self.c_ref.copy()
        self.booked = np.zeros(n_m)

    def book(self, market: np.ndarray, value: np.ndarray) -> None:
        """Book losses outside interdiction (e.g. a one-off operation) for the next clearing."""
        np.add.at(self.booked, market, value)

    def orders(self, alive: np.ndarray, growth: float) -> np.ndarray:
        """(orgs,) units each organisation orders this week (its share of demand, grossed up)."""
        self.demand = (
            self.d0 * growth * (self.price / np.maximum(self.p0, 1e-12)) ** (-self.elasticity)
        )
        live = self.base * alive[:, None]
        tot = live.sum(0)
        share = np.where(tot > 0, live / np.where(tot > 0, tot, 1.0), 0.0)
        loss = np.minimum(self.org_seized / self.org_moved, MAX_LOSS)
        return (share * self.demand).sum(1) / (1.0 - loss)

    def consumption(self) -> float:
        """Units consumed this week: what the markets' demand absorbs at this week's prices."""
        return float(self.demand.sum())

    def mean_price(self) -> float:
        """Retail price over the markets, weighted by reference demand."""
        return float((self.price * self.d0).sum() / max(self.d0.sum(), 1e-12))


def clear(mk: Markets, ship: Shipments, week: Inspections, paths: PathTable, world: World):
    """Phase 6: seized and delivered loads leave the arrays; sales and losses move prices.

    Stockpiles seized at the sources (valued at the source price) are shared by the
    markets in proportion to what each received.
    """
    s, a = week.seized, week.arrived
    keep = np.ones(len(ship), dtype=bool)
    keep[week.idx[s | a]] = False
    ship.keep(keep)
    raided_value = float((week.raided * world.price).sum())
    n_org = len(world.orgs)
    end = paths.nodes[week.path, paths.length[week.path]]
    where = mk.index[end]
    n = len(mk.loc)
    sold = np.bincount(where[a], weights=week.qty[a], minlength=n).astype(float)
    lost = np.bincount(where[s], weights=(week.qty * week.unit_value)[s], minlength=n).astype(float)
    if raided_value > 0:
        lost += raided_value * (sold / sold.sum() if sold.sum() > 0 else np.full(n, 1.0 / n))
    lost += mk.booked
    mk.booked[:] = 0.0
    k = mk.smooth
    mk.sold = (1 - k) * mk.sold + k * sold
    mk.lost = (1 - k) * mk.lost + k * lost
    mk.loss_cost = mk.lost / np.maximum(mk.sold, 1e-9)
    mk.price = np.clip(mk.p0 + mk.loss_cost - mk.c_ref, mk.p_src, MAX_PRICE * mk.p0)
    moved = np.bincount(week.org[s | a], weights=week.qty[s | a], minlength=n_org).astype(float)
    seized = np.bincount(week.org[s], weights=week.qty[s], minlength=n_org).astype(float)
    mk.org_moved = (1 - k) * mk.org_moved + k * moved
    mk.org_seized = (1 - k) * mk.org_seized + k * seized
