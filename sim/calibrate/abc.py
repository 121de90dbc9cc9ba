"""ABC-SMC: approximate Bayesian computation by sequential Monte Carlo.

Toni et al. 2009 (J. R. Soc. Interface 6:187) with the population Monte Carlo weights
of Beaumont et al. 2009 (Biometrika 96:983), implemented here from the papers:

1. Generation 0: ``particles`` x ``oversample`` draws from the prior (uniform on the
   box), each run ``replicates`` times; the first tolerance is the ``particles``-th
   smallest distance, and the particles are the draws within it (equal weights).
2. Generation t: the tolerance is the ``quantile`` of the previous generation's
   distances (never below ``min_tolerance``). Proposals: a particle drawn by weight,
   moved by a Gaussian kernel with variance twice the weighted variance of the
   previous population in each parameter (Beaumont et al. 2009), redrawn until inside
   the box. Proposals are run in batches (on the executor, in parallel) until
   ``particles`` fall within the tolerance, or ``max_batches`` batches were run.
3. Weights: ``w_i ∝ prior(θ_i) / Σ_j w_j K(θ_i | θ_j)``; the kernel is the truncated
   Gaussian (normalised over the box, so the weights stay exact near its edges).

The distance is the root mean square of the standardised differences,
``sqrt(mean_k ((ybar_k - z_k) / sd_k)^2)``, ``ybar_k`` the mean of the replicates,
``z_k`` and ``sd_k`` the target's value and sd: a distance of 1 means "within one
sd on average". A target the run cannot measure (NaN) puts the particle at infinity.

Why not pyabc: it brings a database layer (SQLAlchemy), its own samplers and
visualisation; the algorithm is ~150 lines on top of the harness, which already runs
batches on our executors with progress and resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from sim.calibrate.runs import Batch
from sim.calibrate.space import Space, ess, rng_for


@dataclass(frozen=True)
class AbcSettings:
    """Settings of an ABC-SMC run.

    Attributes:
        particles: population size.
        generations: generations after the prior one (at most).
        replicates: runs per particle (their mean is compared with the targets).
        quantile: each tolerance is this quantile of the previous distances.
        min_tolerance: stop shrinking at this distance (1: within one sd on average).
        oversample: prior draws per particle in generation 0.
        batch: proposals per batch, as a multiple of ``particles``.
        max_batches: batches per generation before it stops short.
    """

    particles: int = 100  # illustrative defaults, chosen for run time
    generations: int = 4
    replicates: int = 1
    quantile: float = 0.5  # the median: a common adaptive choice (illustrative)
    min_tolerance: float = 1.0  # within one sd of every target on average
    oversample: int = 3
    batch: float = 1.5
    max_batches: int = 6

    def to_dict(self) -> dict:  # noqa: D102
        return dict(vars(self))


def distances(mean: np.ndarray, value: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Root mean square standardised distance of each point's means to the targets."""
    z = (mean - value) / sd
    d = np.sqrt(np.mean(z**2, axis=1))
    return np.where(np.isfinite(d), d, np.inf)


@dataclass
class Population:
    """Particles of one generation: points, weights (normalised), distances, means."""

    X: np.ndarray
    w: np.ndarray
    d: np.ndarray
    mean: np.ndarray
    tolerance: float
    stats: dict = field(default_factory=dict)


def kernel_sd(pop: Population, space: Space) -> np.ndarray:
    """Per parameter: sqrt of twice the weighted variance (a floor of 1e-3 of the range)."""
    m = np.average(pop.X, axis=0, weights=pop.w)
    var = np.average((pop.X - m) ** 2, axis=0, weights=pop.w)
    span = space.box[:, 1] - space.box[:, 0]
    return np.maximum(np.sqrt(2 * var), 1e-3 * span)


def _box_mass(centres: np.ndarray, sd: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Mass of each kernel N(centre, sd^2) inside the box (the truncation's normaliser)."""
    hi = norm.cdf((box[:, 1] - centres) / sd)
    lo = norm.cdf((box[:, 0] - centres) / sd)
    return np.prod(hi - lo, axis=1)


def propose(pop: Population, space: Space, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` proposals: a particle by weight, moved by the kernel, redrawn until in the box."""
    sd = kernel_sd(pop, space)
    out = np.empty((0, pop.X.shape[1]))
    while len(out) < n:
        idx = rng.choice(len(pop.X), size=2 * n, p=pop.w)
        cand = pop.X[idx] + rng.standard_normal((2 * n, pop.X.shape[1])) * sd
        out = np.vstack([out, cand[space.inside(cand)]])
    return out[:n]


def weights(X: np.ndarray, prev: Population, space: Space) -> np.ndarray:
    """Beaumont et al. 2009 importance weights of new particles (uniform prior), normalised."""
    sd = kernel_sd(prev, space)
    z = (X[:, None, :] - prev.X[None, :, :]) / sd
    dens = np.exp(-0.5 * np.sum(z**2, axis=2)) / np.prod(sd)
    dens /= _box_mass(prev.X, sd, space.box)[None, :]
    w = 1.0 / (dens @ prev.w)
    return w / w.sum()


def first_generation(batch: Batch, value, sd, n: int) -> Population:
    """Generation 0: the ``n`` prior draws closest to the targets, equal weights."""
    d = distances(batch.mean, value, sd)
    order = np.argsort(d, kind="stable")[:n]
    tol = float(d[order[-1]])
    keep = order[np.isfinite(d[order])]
    w = np.full(len(keep), 1.0 / max(len(keep), 1))
    return Population(batch.X[keep], w, d[keep], batch.mean[keep], tol)


def smc(run, space: Space, value, sd, st: AbcSettings, seed: int, on_generation=None):
    """Run ABC-SMC; ``run(X, key) -> Batch`` runs the points. Returns the populations.

    ``on_generation(population)`` is called as each generation ends (for reports).
    """
    rng = rng_for(seed, "abc")
    value, sd = np.asarray(value, float), np.asarray(sd, float)
    X0 = space.uniform(st.particles * st.oversample, rng)
    b0 = run(X0, "generation_0")
    pop = first_generation(b0, value, sd, st.particles)
    pop.stats = _stats(0, pop, len(X0) * st.replicates, len(pop.X) / len(X0))
    pops = [pop]
    if on_generation:
        on_generation(pop)
    for g in range(1, st.generations + 1):
        prev = pops[-1]
        if len(prev.X) < 2 or prev.tolerance <= st.min_tolerance:
            break
        tol = max(float(np.quantile(prev.d, st.quantile)), st.min_tolerance)
        acc_X, acc_d, acc_m, tried = [], [], [], 0
        for k in range(st.max_batches):
            Xp = propose(prev, space, max(2, int(np.ceil(st.batch * st.particles))), rng)
            b = run(Xp, f"generation_{g}" + (f"_{k + 1}" if k else ""))
            d = distances(b.mean, value, sd)
            ok = d <= tol
            acc_X.append(b.X[ok])
            acc_d.append(d[ok])
            acc_m.append(b.mean[ok])
            tried += len(Xp)
            if sum(len(a) for a in acc_X) >= st.particles:
                break
        X = np.vstack(acc_X)[: st.particles]
        if len(X) < 2:
            break
        w = weights(X, prev, space)
        d = np.concatenate(acc_d)[: st.particles]
        mean = np.vstack(acc_m)[: st.particles]
        pop = Population(X, w, d, mean, tol)
        pop.stats = _stats(g, pop, tried * st.replicates, len(np.concatenate(acc_d)) / tried)
        pops.append(pop)
        if on_generation:
            on_generation(pop)
    return pops


def _stats(g: int, pop: Population, runs: int, rate: float) -> dict:
    return {
        "generation": g,
        "tolerance": pop.tolerance,
        "particles": len(pop.X),
        "runs": runs,
        "acceptance_rate": rate,
        "ess": ess(pop.w),
        "distance_median": float(np.median(pop.d)) if len(pop.d) else float("nan"),
    }


__all__ = ["AbcSettings", "Population", "distances", "propose", "smc", "weights"]
