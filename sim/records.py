"""The recorder: this week's event counts and every evidence request, kept for the run.

Phases report events here instead of calling back into the model: justice counts
arrests and logs requests, interdiction counts database hits. The metrics phase reads
the week's counts; :meth:`Recorder.request_table` gives every request of the run.
"""

from __future__ import annotations

import numpy as np

#: Outcomes of an evidence request, in the order of their integer codes.
OUTCOMES = ("answered", "failed", "dual_criminality", "expired")
OK, FAILED, DUAL, EXPIRED = range(4)
#: Channel codes from this one on are requests a state can refuse (JIT, MLAT, letters
#: rogatory; sim.justice.CHANNELS), not a domestic step or a database lookup.
FORMAL = 2
REQUEST_KEYS = (
    "sent", "answered", "from", "to", "channel", "offence", "outcome", "queue_weeks", "coercive"
)  # fmt: skip


class Recorder:
    """Event counts of the current week and the run's request log.

    Attributes:
        counts: this week's counters by metric name (``sim.metrics.COUNTERS``).
        latency_today: latencies (weeks) of evidence requests answered or failed this week
            (database lookups excluded); ``queue_today``: their weeks in a central
            authority's queue (MLAT requests and letters rogatory);
            ``proceedings_today``: weeks of the extradition proceedings decided this week.
        answered_pairs: (from, to) state arrays of requests answered this week (trust).
    """

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.latency_today: list[np.ndarray] = []
        self.queue_today: list[np.ndarray] = []
        self.proceedings_today: list[np.ndarray] = []
        self.answered_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self.refused_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self._requests: list[dict[str, np.ndarray]] = []

    def new_week(self) -> None:
        """Start a week: clear the counters and this week's latencies."""
        self.counts, self.latency_today, self.queue_today = {}, [], []
        self.proceedings_today = []

    def count(self, name: str, n: int) -> None:
        """Add ``n`` to this week's counter ``name``."""
        self.counts[name] = self.counts.get(name, 0) + int(n)

    def log_requests(self, cases, mask: np.ndarray, outcome: int, t: int) -> None:
        """Record the pending requests of ``cases`` selected by ``mask`` as closed at ``t``."""
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
            "queue_weeks": cases.waited[idx],
            "coercive": cases.coercive[idx],
        }
        self._requests.append(rec)
        if outcome != EXPIRED:  # evidence requests: a database lookup is not one
            lookup = rec["channel"] == 1  # sim.justice.DATABASE
            self.latency_today.append((t - rec["sent"])[~lookup])
            queued = (rec["channel"] == 3) | (rec["channel"] == 4)  # MLAT, letters rogatory
            self.queue_today.append(rec["queue_weeks"][queued])
        if outcome == OK:
            self.answered_pairs.append((rec["from"], rec["to"]))
        elif outcome in (FAILED, DUAL):
            # a database lookup that finds nothing refuses nothing
            formal = rec["channel"] >= FORMAL
            self.refused_pairs.append((rec["from"][formal], rec["to"][formal]))

    def take_answered_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The (from, to) pairs answered since the last call, as two arrays; then forget them."""
        done, self.answered_pairs = self.answered_pairs, []
        return _pairs(done)

    def take_refused_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The (from, to) pairs of requests failed or refused since the last call; then forget."""
        done, self.refused_pairs = self.refused_pairs, []
        return _pairs(done)

    def request_table(self) -> dict[str, np.ndarray]:
        """Every evidence request answered, failed or expired so far, as arrays."""
        if not self._requests:
            return {k: np.zeros(0, dtype=np.int64) for k in REQUEST_KEYS}
        return {k: np.concatenate([r[k] for r in self._requests]) for k in REQUEST_KEYS}


def _pairs(done: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros(0, np.int64)
    return (
        np.concatenate([a for a, _ in done] or [empty]),
        np.concatenate([b for _, b in done] or [empty]),
    )
