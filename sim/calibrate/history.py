"""History matching in waves, implemented here from the papers.

Vernon et al. 2010 (Bayesian Analysis 5:619); Andrianakis et al. 2015 (PLoS Comput
Biol 11:e1003968).

Each wave: a space-filling design in the current non-implausible space (wave 1: a
Latin hypercube of the prior box; later waves: uniform candidates kept when no
earlier wave's emulators rule them out, a random subset of them), run
``replicates`` times per point; then per target an emulator of the mean and of the
replicate variance (:mod:`sim.harness.emulator`). The implausibility of a point
``x`` for target ``k`` is

    I_k(x) = |z_k - E[f_k(x)]| / sqrt(V_obs,k + V_em,k(x) + V_rep,k(x))

with ``z_k`` and ``V_obs,k = sd_k^2`` the observation and its variance, ``V_em`` the
emulator's variance of the mean and ``V_rep`` the variance of one run (the world is
one realisation). A point is non-implausible when ``max_k I_k(x) < cut`` (3 by
default: Pukelsheim's three-sigma rule, Vernon et al. 2010) under every wave's
emulators.

Posterior ensemble (our choice, explained): every *simulated* point of every wave that
(a) lies in the final non-implausible space and (b) whose simulated mean is itself
non-implausible, weighted by the Gaussian likelihood of the observations,
``prod_k N(z_k; E[f_k(x)], V_obs,k + V_em,k(x) + V_rep,k(x))`` under the last wave's
emulators (the world is one run of the model plus observation error). Points of every
wave were drawn uniformly over a region that contains the final non-implausible space,
so the ones inside it are a uniform (prior) sample of it, and likelihood weights turn
them into an importance sample of the posterior; outside it the likelihood is
negligible (I > 3 means a factor below exp(-4.5)). The emulated mean smooths the
replicate noise of a point's few runs, which would otherwise scatter the weights (a
lower effective sample size), and its variance enters the likelihood. Every member of
the ensemble was run, not only emulated; its simulated means are kept for the fit
figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.calibrate.runs import Batch
from sim.calibrate.space import Space, rng_for, uniform_subset
from sim.harness.executors import HarnessError


@dataclass(frozen=True)
class HmSettings:
    """Settings of history matching.

    Attributes:
        waves: number of waves.
        points: design points per wave (0: 10 per parameter, at least 20).
        replicates: runs per point (at least 2 for the variance emulator).
        cut: implausibility cut-off.
        emulator: "gp" or "gbt" (:mod:`sim.harness.emulator`).
        candidates: uniform candidates per round of rejection sampling.
        rounds: rounds of candidates at most, per wave.
    """

    waves: int = 3  # illustrative defaults, chosen for run time
    points: int = 0  # 10 per parameter: the rule of thumb of Loeppky et al. 2009
    replicates: int = 3
    cut: float = 3.0  # Pukelsheim's three-sigma rule (Vernon et al. 2010)
    emulator: str = "gp"
    candidates: int = 20000
    rounds: int = 10

    def to_dict(self) -> dict:  # noqa: D102
        return dict(vars(self))


@dataclass
class Wave:
    """One wave: its design's results, emulators (one per target) and diagnostics."""

    number: int
    batch: Batch
    emulators: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def implausibility(emulators, X, value, sd) -> np.ndarray:
    """(n, m) implausibility of each point for each target under one wave's emulators."""
    out = np.empty((len(X), len(value)))
    for k, em in enumerate(emulators):
        mu, s = em.predict(X)
        v = sd[k] ** 2 + s**2 + em.noise_var(X)
        out[:, k] = np.abs(value[k] - mu) / np.sqrt(v)
    return out


def max_implausibility(waves: list[Wave], X, value, sd) -> np.ndarray:
    """Per point: the largest implausibility over targets and waves (inf for no wave: 0)."""
    worst = np.zeros(len(X))
    for w in waves:
        worst = np.maximum(worst, implausibility(w.emulators, X, value, sd).max(axis=1))
    return worst


def sample_nroy(waves, space: Space, n: int, value, sd, st: HmSettings, rng):
    """``n`` uniform points of the non-implausible space, and its share of the box."""
    kept, tried = [], 0
    for _ in range(st.rounds):
        C = space.uniform(st.candidates, rng)
        tried += len(C)
        kept.append(C[max_implausibility(waves, C, value, sd) < st.cut])
        if sum(len(k) for k in kept) >= 5 * n:
            break
    pool = np.vstack(kept)
    return uniform_subset(pool, n, rng), len(pool) / tried


def fit_wave(batch: Batch, space: Space, st: HmSettings, seed: int, wave: int, names):
    """Per target: a fitted emulator of the means and replicate variances, and its Q2."""
    from sim.harness.emulator import fit, validate

    ems, checks = [], []
    for k, name in enumerate(names):
        ok = np.isfinite(batch.mean[:, k]) & (batch.n[:, k] > 0)
        if ok.sum() < 4:
            raise HarnessError(
                f"targets.{name}: wave {wave}: only {int(ok.sum())} of {len(ok)} points measured "
                "it (no events in its window?); widen the window or the ranges"
            )
        n = batch.n[ok, k]
        var = batch.var[ok, k] if st.replicates > 1 else None
        kw = {"replicates": n, "kind": st.emulator, "bounds": space.box}
        if var is not None:  # no variance from one value (the emulator uses points with 2+)
            var = np.where(np.isfinite(var), var, 0.0)
        ems.append(fit(batch.X[ok], batch.mean[ok, k], var, seed=seed + wave, **kw))
        v = validate(batch.X[ok], batch.mean[ok, k], var, seed=seed + wave, **kw)
        checks.append({"q2": v["q2"], "coverage": v["coverage"], "points": int(ok.sum())})
    return ems, checks


def simulated_implausibility(emulators, batch: Batch, value, sd) -> np.ndarray:
    """(n, m) implausibility of each simulated point's mean (its replicate noise emulated)."""
    out = np.full(batch.mean.shape, np.inf)
    n = np.maximum(batch.n, 1)
    for k, em in enumerate(emulators):
        nv = em.noise_var(batch.X)
        v = sd[k] ** 2 + nv * (1 + 1 / n[:, k])
        d = np.abs(value[k] - batch.mean[:, k]) / np.sqrt(v)
        out[:, k] = np.where(np.isfinite(d), d, np.inf)
    return out


def history_match(
    run, space: Space, names, value, sd, st: HmSettings, seed: int, on_wave=None
) -> list[Wave]:
    """Run the waves; ``run(X, key) -> Batch`` runs the points; ``names`` name the targets."""
    rng = rng_for(seed, "history_matching")
    value, sd = np.asarray(value, float), np.asarray(sd, float)
    waves: list[Wave] = []
    for k in range(1, st.waves + 1):
        if waves:
            X, share = sample_nroy(waves, space, st.points, value, sd, st, rng)
        else:
            X, share = space.lhs(st.points, rng), 1.0
        if len(X) < 4:  # nothing (or too little) left to emulate: the targets cannot be met
            break
        batch = run(X, f"wave_{k}")
        ems, checks = fit_wave(batch, space, st, seed, k, names)
        wave = Wave(k, batch, ems)
        imp = simulated_implausibility(ems, batch, value, sd).max(axis=1)
        wave.stats = {
            "wave": k,
            "points": len(X),
            "runs": int(len(batch.runs)),
            "space_share": share,
            "share_non_implausible": float(np.mean(imp < st.cut)),
            "q2": {t: c["q2"] for t, c in zip(names, checks)},
            "coverage": {t: c["coverage"] for t, c in zip(names, checks)},
        }
        waves.append(wave)
        if on_wave:
            on_wave(wave)
    return waves


def posterior(waves: list[Wave], value, sd, cut: float):
    """The weighted ensemble: (X, weights normalised, means, wave of each) -- module docstring."""
    value, sd = np.asarray(value, float), np.asarray(sd, float)
    last = waves[-1].emulators
    Xs, ws, ms, src = [], [], [], []
    for w in waves:
        b = w.batch
        inside = max_implausibility(waves, b.X, value, sd) < cut
        sim = simulated_implausibility(last, b, value, sd).max(axis=1) < cut
        keep = inside & sim
        if not keep.any():
            continue
        loglik = np.zeros(keep.sum())
        for k, em in enumerate(last):
            mu, s = em.predict(b.X[keep])
            var = sd[k] ** 2 + s**2 + em.noise_var(b.X[keep])
            loglik -= 0.5 * ((value[k] - mu) ** 2 / var + np.log(var))
        Xs.append(b.X[keep])
        ws.append(loglik)
        ms.append(b.mean[keep])
        src.append(np.full(keep.sum(), w.number))
    if not Xs:
        d = waves[0].batch.X.shape[1]
        return np.empty((0, d)), np.empty(0), np.empty((0, len(value))), np.empty(0, int)
    loglik = np.concatenate(ws)
    w = np.exp(loglik - loglik.max())
    return np.vstack(Xs), w / w.sum(), np.vstack(ms), np.concatenate(src)


__all__ = [
    "HmSettings",
    "Wave",
    "history_match",
    "implausibility",
    "max_implausibility",
    "posterior",
    "sample_nroy",
]
