"""Shipments in flight and the paths they follow, as arrays (no object per shipment).

Paths live in an append-only :class:`PathTable`, so a shipment keeps its path even
after its organisation's territory changes. :func:`move` is the movement phase: a
load spends ``leg_weeks`` whole weeks on each leg and arrives at the leg's end (where
it may be inspected) in the last of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
        pos: legs completed so far (the load left ``nodes[path, pos]``).
        depart: tick of departure.
        wait: weeks still to go on the current leg (it arrives when this reaches 0).
        ident: which of its organisation's identifiers the load carries (:mod:`sim.intel`).
    """

    FIELDS = ("org", "qty", "path", "pos", "depart", "wait", "ident")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.qty)

    def add(
        self, org: np.ndarray, qty: np.ndarray, path: np.ndarray, tick: int, first_weeks, ident
    ) -> None:
        """Append new shipments at their sources (pos 0), ``first_weeks`` from their first stop."""
        n = len(qty)
        new = {
            "org": org,
            "qty": qty,
            "path": path,
            "pos": np.zeros(n, np.int64),
            "depart": np.full(n, tick, np.int64),
            "wait": np.asarray(first_weeks, np.int64),
            "ident": np.asarray(ident, np.int64),
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


@dataclass
class Movement:
    """The shipments that reached the end of a leg this week (phase 4), one entry each.

    Attributes:
        idx: their rows in the Shipments arrays.
        leg: the leg just completed; ``loc``: the location arrived at.
        at_end: arrived at the last location of its path (its market).
        unit_value: value per unit there: the price rises along the path from the
            source's price to the market's, in proportion to the cost of the legs
            travelled (:func:`value_share`).
    """

    idx: np.ndarray
    leg: np.ndarray
    loc: np.ndarray
    at_end: np.ndarray
    unit_value: np.ndarray


def value_share(paths: PathTable, leg_cost: np.ndarray, path: np.ndarray, pos: np.ndarray):
    """Share of the source-to-market markup a load has gained after ``pos`` legs of ``path``.

    Value is added in proportion to the cost of the legs travelled (distance and
    difficulty), not per hop; a path whose legs cost nothing gains it per hop.
    """
    n_path = paths.n
    legs = paths.legs[:n_path]
    cost = np.where(legs >= 0, leg_cost[np.maximum(legs, 0)], 0.0)
    cum = np.cumsum(cost, axis=1)
    total = cum[:, -1]
    done = np.where(pos > 0, cum[path, np.maximum(pos - 1, 0)], 0.0)
    hops = pos / np.maximum(paths.length[path], 1)
    return np.where(total[path] > 0, done / np.where(total[path] > 0, total[path], 1.0), hops)


def move(
    ship: Shipments,
    paths: PathTable,
    price: np.ndarray,
    leg_weeks: np.ndarray,
    leg_cost: np.ndarray,
) -> Movement:
    """Phase 4: a week passes on every leg; loads whose leg ends this week arrive.

    An arriving load that goes on starts its next leg at once (``wait`` = that leg's
    weeks); loads still on a leg are not seen by anyone this week.
    """
    ship.wait -= 1
    idx = np.flatnonzero(ship.wait <= 0)
    path = ship.path[idx]
    pos = ship.pos[idx] + 1
    ship.pos[idx] = pos
    # flat indices: one gather each instead of numpy's slower 2-D fancy indexing
    width = paths.legs.shape[1]
    row = path * width + pos
    leg = paths.legs.ravel()[row - 1]
    loc = paths.nodes.ravel()[row + path]
    # per-path lookups (a few hundred paths), then one gather per arrival
    n_path = paths.n
    path_len = paths.length[:n_path]
    path_nodes = paths.nodes[:n_path]
    path_src = price[path_nodes[:, 0]]
    path_mkt = price[path_nodes[np.arange(n_path), path_len]]
    length = path_len[path]
    src_price = path_src[path]
    frac = value_share(paths, leg_cost, path, pos)
    unit_value = src_price + (path_mkt[path] - src_price) * frac
    at_end = pos == length
    nxt = paths.legs.ravel()[np.minimum(row, path * width + width - 1)]
    ship.wait[idx] = np.where(at_end, 0, leg_weeks[np.maximum(nxt, 0)])
    return Movement(idx, leg, loc, at_end, unit_value)
