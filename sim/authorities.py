"""Central authorities: the queue every formal legal-assistance request waits in (docs/ODD.md 7.13).

A request for evidence abroad travels by one of several instruments, each with its own
path (``sim.justice.plan_requests`` chooses the fastest the pair holds):

=================  ===================================  ==================================
instrument         path                                 execution
=================  ===================================  ==================================
letters rogatory   diplomatic channel, then the         lognormal, median
                   requested central authority's queue  ``letters_rogatory_median_weeks``
MLAT               central authority to central         lognormal, median the treaty's
                   authority, then its queue            (``mlat_median_weeks``)
EIO-like order     judicial authority to judicial       lognormal, median ``eio_median_weeks``
                   authority (no queue)                 (its deadline is a legal limit)
production order   straight to the service provider     lognormal, ``production_order_weeks``
                   (stored data only; no queue)
=================  ===================================  ==================================

The requested state's central authority takes up at most its capacity of queued
requests a week (``authority_capacity`` per state, times the week's
``authority_mult`` of staffing policies), oldest first; a request's latency is its
transmission, its wait in the queue and its execution, so a surge of cases sent to one
state slows every partner's requests to it. Transmission takes ``transmission_weeks``
(letters rogatory ``letters_transmission_weeks``), shortened by
``e_transmission_factor`` where both states transmit electronically.

Everything here is arrays over the open cases, one pass a week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.justice import Cases

#: ``Cases.due`` of a request still waiting in a queue (it cannot fall due).
QUEUED = np.iinfo(np.int64).max // 2


def serve(cases: Cases, capacity: np.ndarray, credit: np.ndarray, t: int) -> np.ndarray:
    """Take up queued requests at each requested central authority, oldest first.

    Args:
        cases: the open cases; those with ``queued`` set and ``arrive <= t`` wait.
        capacity: (S,) requests each authority can take up per week this week.
        credit: (S,) unused capacity carried over (a fractional capacity accumulates,
            up to one week's worth or one request); updated in place.
        t: this tick.

    Returns:
        Indices of the cases whose request was taken up this week: their ``due`` is set
        to ``t`` plus their execution time, and ``waited`` to the weeks in the queue.
    """
    credit += capacity
    np.minimum(credit, np.maximum(capacity, 1.0), out=credit)
    waiting = np.flatnonzero((cases.queued == 1) & (cases.arrive <= t))
    if not len(waiting):
        return waiting
    to = cases.requested[waiting]
    # oldest first within each authority: sort by (authority, arrival, case order)
    order = np.lexsort((waiting, cases.arrive[waiting], to))
    w, to = waiting[order], to[order]
    rank = np.arange(len(w)) - np.searchsorted(to, to, "left")
    slots = np.floor(credit + 1e-9).astype(np.int64)
    took = w[rank < slots[to]]
    np.subtract.at(credit, cases.requested[took], 1.0)
    cases.queued[took] = 0
    cases.waited[took] = t - cases.arrive[took]
    cases.due[took] = t + cases.service[took]
    return took
