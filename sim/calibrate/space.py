"""The calibrated parameters: their prior box, designs in it, and weighted summaries.

The prior is uniform on the box of the parameters' ranges (the scenario's
``[uncertainties]`` or ``--param NAME=LOW:HIGH``, as in ``xborder sensitivity``).
Whole-number parameters are sampled as continuous and rounded when run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.harness.executors import HarnessError
from sim.harness.sampling import point_values, resolve_params
from sim.rng import stable_hash
from sim.scenario import Scenario


def rng_for(seed: int, key: str) -> np.random.Generator:
    """A seeded generator for one named draw of a calibration (never the global one)."""
    return np.random.default_rng([int(seed), stable_hash(f"calibrate:{key}")])


def seeds_for(seed: int, key: str, n: int) -> list[int]:
    """``n`` run seeds for one batch of a calibration, distinct from every other batch's."""
    children = np.random.SeedSequence([int(seed), stable_hash(f"calibrate:{key}")]).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


@dataclass(frozen=True)
class Space:
    """A box of parameters with a uniform prior.

    Attributes:
        bounds: name -> (low, high), in order.
        kinds: name -> value kind ("int" values are rounded when run).
    """

    bounds: dict
    kinds: dict

    @classmethod
    def of(cls, sc: Scenario, params: list[str] | dict | None) -> Space:
        """The parameters of ``--param`` specs, else the scenario's ``[uncertainties]``."""
        if not params and not sc.data.get("uncertainties"):
            raise HarnessError(
                f"{sc.path}: uncertainties: nothing to calibrate: give --param NAME=LOW:HIGH "
                "or an [uncertainties] table"
            )
        bounds, kinds = resolve_params(sc, params)
        return cls(bounds, kinds)

    @property
    def names(self) -> list[str]:  # noqa: D102
        return list(self.bounds)

    @property
    def box(self) -> np.ndarray:
        """(d, 2) array of low, high."""
        return np.array([self.bounds[k] for k in self.names], dtype=float)

    def to_unit(self, X) -> np.ndarray:
        """Points scaled to the unit cube."""
        b = self.box
        return (np.atleast_2d(X) - b[:, 0]) / (b[:, 1] - b[:, 0])

    def from_unit(self, U) -> np.ndarray:
        """Unit-cube points scaled to the box."""
        b = self.box
        return b[:, 0] + np.atleast_2d(U) * (b[:, 1] - b[:, 0])

    def inside(self, X) -> np.ndarray:
        """Whether each point lies in the box (the prior's support)."""
        b = self.box
        X = np.atleast_2d(X)
        return np.all((X >= b[:, 0]) & (X <= b[:, 1]), axis=1)

    def lhs(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """A Latin hypercube of ``n`` points in the box."""
        from scipy.stats import qmc

        return self.from_unit(qmc.LatinHypercube(d=len(self.bounds), rng=rng).random(n))

    def uniform(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent uniform points in the box (prior draws)."""
        return self.from_unit(rng.random((n, len(self.bounds))))

    def values(self, x) -> tuple[tuple[str, float], ...]:
        """One point as the (name, value) pairs of a run (whole numbers rounded, in bounds)."""
        return point_values(self.bounds, self.kinds, x)

    def to_dict(self) -> dict:
        """Plain form for JSON."""
        return {
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "kinds": dict(self.kinds),
            "prior": "uniform on the box",
        }


def uniform_subset(X: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` of the rows of ``X`` drawn at random without replacement (all if fewer).

    A random subset of uniform candidates is itself uniform over their region, which the
    posterior weighting of history matching relies on; a maximin (farthest-point)
    subset would spread better but crowd the region's edges and corners.
    """
    if len(X) <= n:
        return X
    return X[np.sort(rng.choice(len(X), size=n, replace=False))]


def weighted_quantile(x, w, q) -> np.ndarray:
    """Quantiles ``q`` of values ``x`` with weights ``w``.

    The inverse of the weighted CDF, interpolated at the mid-points of each value's weight.
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.atleast_1d(q), cdf, x)


def ess(w) -> float:
    """Effective sample size of normalised or unnormalised weights, (sum w)^2 / sum w^2."""
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2)) if np.any(w > 0) else 0.0


def systematic_resample(w, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` draws proportional to ``w`` (systematic resampling, one uniform)."""
    w = np.asarray(w, dtype=float)
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    u = (rng.random() + np.arange(n)) / n
    return np.searchsorted(c, u)


__all__ = [
    "Space",
    "ess",
    "rng_for",
    "seeds_for",
    "systematic_resample",
    "uniform_subset",
    "weighted_quantile",
]
