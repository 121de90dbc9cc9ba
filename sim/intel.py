"""Shared intelligence on identifiers: what a database holds, who gives, who leaks.

A shared database holds *records of identifiers*, not flags on organisations. Each
organisation uses ``identifiers_per_org`` identifiers (vessels and vehicles,
consignees, phone numbers: :data:`KINDS`), each load one of them, and replaces each at
a rate (``identifier_weeks``), so records go stale. When a member seizes a load it may
enter the load's identifier: with the probability ``coverage x willingness x trust``
toward each partner (a member's own willingness, lowered toward a partner that takes
much more than it gives: reciprocity), unless it withholds from that partner (a
data-protection or sovereignty condition, ``sharing_condition``) or cooperation
between them is suspended (``suspend_cooperation``). A record reaches a partner after
the database's lag. A load is detected more often (``intel``) where the inspecting
state holds a *live* record of its identifier. A corrupt officer may leak a received
record, with probability ``(1 - integrity) x leak_rate`` (less in a vetted unit); the
organisation then replaces the identifier at once (docs/ODD.md 7.11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import Cooperation, LegalState
    from sim.world import World

#: The typed identifiers an organisation's loads carry (identifier k is of kind k % 3).
KINDS = ("vessel_or_vehicle", "consignee", "phone")


class Records:
    """Identifiers in use and what every state has on record, as arrays.

    Attributes:
        version: (orgs, K) the current version of each identifier (a new one replaces it).
        known: (S, orgs, K) the version each state holds on record (-1: none).
        willing: (S, S) reciprocity: row's willingness toward column, as a factor (0..1).
        given: (S, S) records row gave column, discounted over ``reciprocity_weeks``.
        pending: records on their way: (arrive, to, org, slot, version, from) arrays.
        contributed, received, leaks: this week's counts; ``useful`` and
            ``pair_received``: (S, S) live and all records row received from column.
        given_by, received_by, leaked_by: (S,) per member over the run.
    """

    def __init__(self, world: World, params: dict):
        n_s, n_o = world.n_states, len(world.orgs)
        self.k = max(int(params["identifiers_per_org"]), 1)
        self.version = np.zeros((n_o, self.k), dtype=np.int64)
        self.known = np.full((n_s, n_o, self.k), -1, dtype=np.int64)
        self.willing = np.ones((n_s, n_s))
        self.given = np.zeros((n_s, n_s))
        self.pending: list[tuple] = []
        self.useful = np.zeros((n_s, n_s))
        self.pair_received = np.zeros((n_s, n_s))
        # per member, over the run: records given to partners, received from them, leaked
        self.given_by = np.zeros(n_s)
        self.received_by = np.zeros(n_s)
        self.leaked_by = np.zeros(n_s)
        self.contributed = self.received = self.leaks = 0


def enter(rec: Records, coop: Cooperation, seized_state, org, slot, t: int, rng) -> np.ndarray:
    """Members enter this week's seizures for each partner (after its lag).

    Returns the (seizures, states) mask of what was entered for whom: the same records
    carry the seized loads' identifiers and the places on their paths.
    """
    legal = coop.legal
    rec.contributed = 0
    if not legal.databases or not len(org):
        return np.zeros((len(org), len(coop.trust)), dtype=bool)
    s = seized_state
    lag = legal.db_lag[s]  # (n, S): lag to every partner (itself included), -1 if none
    share = (
        legal.db_coverage[s]
        * legal.db_willing[s][:, None]
        * rec.willing[s]
        * coop.trust[s]
        * ~legal.withhold[s]
        * ~legal.suspended[s]
    )
    entered = (lag >= 0) & (rng.random(lag.shape) < share)
    rows, partner = np.nonzero(entered)
    if not len(rows):
        return entered
    o, k, frm = org[rows], slot[rows], s[rows]
    rec.pending.append((t + lag[rows, partner], partner, o, k, rec.version[o, k], frm))
    other = partner != frm
    rec.contributed = int(other.sum())
    np.add.at(rec.given, (frm[other], partner[other]), 1.0)
    np.add.at(rec.given_by, frm[other], 1.0)
    return entered


def deliver(rec: Records, coop: Cooperation, integrity, params: dict, t: int, rng) -> None:
    """Records whose lag has elapsed reach their partner; some leak; identifiers turn over.

    A leaked record makes its organisation replace the identifier at once, and costs
    trust between the pair (``trust_loss_leak``). Reciprocity: a partner's willingness
    toward a member falls while the member takes more than ``reciprocity_tolerance``
    times what it gives, and recovers otherwise.
    """
    legal = coop.legal
    rec.received = rec.leaks = 0
    rec.useful[:] = 0.0
    rec.pair_received[:] = 0.0
    keep = []
    for arrive, to, o, k, v, frm in rec.pending:
        due = arrive <= t
        if (~due).any():
            keep.append(tuple(x[~due] for x in (arrive, to, o, k, v, frm)))
        if not due.any():
            continue
        to, o, k, v, frm = to[due], o[due], k[due], v[due], frm[due]
        other = to != frm
        rec.received += int(other.sum())
        np.add.at(rec.pair_received, (to[other], frm[other]), 1.0)
        np.add.at(rec.received_by, to[other], 1.0)
        live = v == rec.version[o, k]
        np.add.at(rec.useful, (to[other & live], frm[other & live]), 1.0)
        np.maximum.at(rec.known, (to, o, k), v)
        p_leak = (1.0 - integrity[to]) * params["leak_rate"] * (1.0 - legal.vetted[to])
        leak = other & live & (rng.random(len(to)) < p_leak)
        if leak.any():
            rec.leaks += int(leak.sum())
            np.add.at(rec.leaked_by, to[leak], 1.0)
            rec.version[o[leak], k[leak]] = v[leak] + 1  # the identifier is replaced at once
            loss = np.zeros_like(coop.trust)
            np.add.at(loss, (to[leak], frm[leak]), params["trust_loss_leak"])
            coop.trust -= loss + loss.T
    rec.pending = keep
    # organisations replace identifiers at a rate: records go stale
    rec.version += rng.random(rec.version.shape) < 1.0 / params["identifier_weeks"]
    # reciprocity over a discounted window
    rec.given *= 1.0 - 1.0 / params["reciprocity_weeks"]
    takes = rec.given.T > (1.0 + params["reciprocity_tolerance"]) * rec.given + 1.0
    rate = params["reciprocity_rate"]
    rec.willing = np.where(
        takes.T, rec.willing * (1.0 - rate), rec.willing + (1.0 - rec.willing) * rate
    )


def multiplier(rec: Records, legal: LegalState, state, org, slot) -> np.ndarray | None:
    """(loads,) detection multiplier: the database's ``intel`` where a live record is held."""
    if not legal.databases:
        return None
    held = rec.known[state, org, slot]
    live = (held >= 0) & (held == rec.version[org, slot])
    return np.where(live, legal.db_intel[state], 1.0)


def live_share(rec: Records, legal: LegalState) -> float:
    """Share of (member state, organisation) pairs with any live record (NaN: no database)."""
    members = np.flatnonzero(np.diag(legal.db_lag) >= 0)
    if not len(members):
        return float("nan")
    held = rec.known[members]
    live = (held >= 0) & (held == rec.version[None])
    return float(live.any(axis=2).mean())
