"""Enforcement: agencies spread effort over their locations, detect and seize, and learn.

All states are handled at once with numpy group operations over locations; there is
no Python loop per state, location or shipment inside the tick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel


class Agency(mesa.Agent):
    """The enforcement agency of one state (a Mesa agent; its numbers are model arrays).

    Args:
        model: the TraffickingModel.
        state: index of the state it serves.
    """

    def __init__(self, model: TraffickingModel, state: int):
        super().__init__(model)
        self.state = state
        self.state_id = model.world.state_ids[state]

    @property
    def capacity(self) -> float:
        """Effective inspection capacity this tick (after policies)."""
        return float(self.model.capacity[self.state])


def _group_share(weights: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Normalise ``weights`` within each group; uniform inside groups that sum to zero."""
    tot = np.bincount(group, weights=weights, minlength=n_groups)
    cnt = np.bincount(group, minlength=n_groups).astype(float)
    uniform = 1.0 / np.maximum(cnt[group], 1.0)
    safe = np.where(tot[group] > 0, tot[group], 1.0)
    return np.where(tot[group] > 0, weights / safe, uniform)


def allocate_effort(model: TraffickingModel) -> np.ndarray:
    """Effort per location: learned hit rates, plus a share ``exploration`` at random.

    effort[l] = capacity[s] * ((1 - x_s) * belief[l] / sum_s belief + x_s * u[l] / sum_s u),
    with u ~ U(0, 1) from the ``agency_explore`` stream.
    """
    w = model.world
    ls = w.loc_state
    u = model.streams["agency_explore"].random(w.n_locations)
    learned = _group_share(model.agency_belief, ls, w.n_states)
    explore = _group_share(u, ls, w.n_states)
    x = w.exploration[ls]
    return model.capacity[ls] * ((1.0 - x) * learned + x * explore)


def seizure_probability(
    model: TraffickingModel, loc: np.ndarray, org: np.ndarray, intel: np.ndarray | None = None
) -> np.ndarray:
    """P(seized) = integrity x (1 - exp(-detection x effort x intel)) where each shipment is.

    The chance is computed once per location (and organisation, when a shared database
    gives ``intel``: a (states, orgs) multiplier) and gathered per shipment.
    """
    ls = model.world.loc_state
    if intel is None:
        per_loc = model.integrity[ls] * (1.0 - np.exp(-model.detection[ls] * model.effort))
        return per_loc[loc]
    rate = (model.detection[ls] * model.effort)[:, None] * intel[ls]
    per_loc_org = model.integrity[ls][:, None] * (1.0 - np.exp(-rate))
    return per_loc_org[loc, org]


def learn(model: TraffickingModel, seized_loc_counts: np.ndarray) -> None:
    """Agency belief per location: p <- (1 - d) p + d * h, NarcoLogic's update.

    NarcoLogic (monthly ticks, a few movements per node) uses h = 1[seizure]. A week
    here can bring many shipments through one place, so h is the location's seizures
    relative to the state's busiest location this week: effort follows the traffic,
    and an agency re-targets its most successful sites first.
    """
    w = model.world
    d = w.agency_learning_rate[w.loc_state]
    top = np.zeros(w.n_states)
    np.maximum.at(top, w.loc_state, seized_loc_counts)
    hit = seized_loc_counts / np.maximum(top[w.loc_state], 1.0)
    model.agency_belief = (1.0 - d) * model.agency_belief + d * hit
