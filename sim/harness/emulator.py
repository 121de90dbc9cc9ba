"""Emulators of a stochastic simulator: its mean, the emulator's own uncertainty, its noise.

A design of points is run with replicates; per point we know the mean of the runs and
their sample variance. :func:`fit` builds two models on the unit cube of the inputs:

- a **variance emulator** of the log replicate variance (stochastic emulation as in
  Andrianakis et al. 2017, JRSS C 66: the log sample variance of r normal runs has a
  known bias, digamma((r-1)/2) - log((r-1)/2), and a known variance, trigamma((r-1)/2),
  used as the per-point nugget);
- a **mean emulator** of the point means, where each point's noise is the emulated
  replicate variance over its number of runs (a heteroscedastic nugget), plus a small
  fitted white term for misfit.

``kind="gp"``: scikit-learn's GaussianProcessRegressor, anisotropic Matern 5/2 kernel.
``predict`` gives the posterior mean and the posterior sd of the *mean function* (not
of a run). Function draws use pathwise conditioning (Matheron's rule with random
Fourier features of the prior, Wilson et al. 2020, ICML), so a draw can be evaluated
at any number of points at linear cost. ``kind="gbt"``: an ensemble of gradient-
boosted trees (scikit-learn's HistGradientBoostingRegressor), each fitted to a
bootstrap resample with its own seed; the ensemble mean and spread are the prediction
and its sd, and each member is one function draw (a rougher measure of uncertainty
than the GP's: check the coverage :func:`validate` reports).

:func:`validate` refits on k folds and reports, on the held-out points, Q2 (one minus
the prediction error over the variance of the held-out means) and the coverage of the
95% intervals of an observed mean (emulator sd and replicate noise together).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import cho_solve
from scipy.special import digamma, polygamma

from sim.harness.executors import HarnessError

KINDS = ("gp", "gbt")
NU = 2.5
Z95 = 1.959963984540054


def _one_thread(fn):
    """Run ``fn`` with one BLAS/OpenMP thread.

    Small fits oversubscribe a shared machine badly (20-40x slower under load);
    studies parallelise over runs, not inside a fit.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return fn(*args, **kwargs)

    return wrapper


def _unit(X, bounds: np.ndarray) -> np.ndarray:
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if X.shape[1] != len(bounds):
        raise HarnessError(f"emulator: expected {len(bounds)} inputs per point, got {X.shape[1]}")
    return (X - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])


def _reps(replicates, n: int) -> np.ndarray:
    r = np.broadcast_to(np.asarray(replicates, dtype=float), (n,)).copy()
    if np.any(r < 1):
        raise HarnessError("emulator: every point needs at least one replicate")
    return r


def log_variance_target(y_var, replicates) -> tuple[np.ndarray, np.ndarray]:
    """Unbiased log variance and its sampling variance per point (normal runs).

    ``log s2 - (digamma(k) - log k)`` with ``k = (r - 1) / 2`` has mean ``log sigma2``
    and variance ``trigamma(k)``. Zero variances are floored at 1e-6 of the median
    positive one (a discrete output can repeat exactly).
    """
    s2 = np.asarray(y_var, dtype=float)
    k = (np.asarray(replicates, dtype=float) - 1) / 2
    pos = s2[s2 > 0]
    floor = 1e-6 * float(np.median(pos)) if len(pos) else 1e-12
    z = np.log(np.maximum(s2, floor)) - (digamma(k) - np.log(k))
    return z, np.broadcast_to(polygamma(1, k), z.shape).copy()


# ------------------------------------------------------------------------- GP
def _gp(d: int, seed: int, noisy: bool):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern([0.3] * d, (1e-2, 1e2), nu=NU)
    # the white term: misfit beyond the known replicate noise (all the noise if unknown)
    kernel = kernel + WhiteKernel(1e-3 if noisy else 1e-4, (1e-9, 1.0))
    return GaussianProcessRegressor(kernel, n_restarts_optimizer=1, random_state=seed)


@dataclass
class _GP:
    """A fitted GP on standardised outputs; keeps what prediction and draws need."""

    gp: object
    shift: float
    scale: float

    @classmethod
    def fit(cls, U, y, alpha, seed: int) -> _GP:
        shift, scale = float(np.mean(y)), float(np.std(y)) or 1.0
        gp = _gp(U.shape[1], seed, noisy=True)
        gp.alpha = np.asarray(alpha, dtype=float) / scale**2 + 1e-10
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # hyperparameters at their bounds
            gp.fit(U, (y - shift) / scale)
        return cls(gp, shift, scale)

    @property
    def parts(self):
        k = self.gp.kernel_
        return k.k1, float(k.k2.noise_level)  # signal (C * Matern), white level

    def predict(self, U) -> tuple[np.ndarray, np.ndarray]:
        signal, _ = self.parts
        Ks = signal(U, self.gp.X_train_)
        mean = Ks @ self.gp.alpha_
        v = cho_solve((self.gp.L_, True), Ks.T)
        var = np.maximum(signal.diag(U) - np.einsum("ij,ji->i", Ks, v), 0.0)
        return self.shift + self.scale * mean, self.scale * np.sqrt(var)

    def white(self) -> float:
        return self.parts[1] * self.scale**2

    def draws(self, U, n: int, rng: np.random.Generator, features: int = 512) -> np.ndarray:
        """``n`` posterior draws of the mean function at ``U``.

        The prior by random Fourier features, conditioned by Matheron's rule on the
        training data (noise draws included).
        """
        signal, white = self.parts
        s2, ls = float(signal.k1.constant_value), np.asarray(signal.k2.length_scale, float)
        Xt = self.gp.X_train_
        noise = self.gp.alpha + white  # per-point noise variance in the fit
        Kx = signal(U, Xt)
        out = np.empty((n, len(U)))
        for i in range(n):
            u = rng.chisquare(2 * NU, size=(features, 1))
            w = rng.standard_normal((features, len(ls))) / ls * np.sqrt(2 * NU / u)
            b = rng.uniform(0, 2 * math.pi, features)
            c = rng.standard_normal(features) * math.sqrt(2 * s2 / features)
            prior = np.cos(U @ w.T + b) @ c
            prior_t = np.cos(Xt @ w.T + b) @ c
            eps = rng.standard_normal(len(Xt)) * np.sqrt(noise)
            resid = self.gp.y_train_ - prior_t - eps
            out[i] = prior + Kx @ cho_solve((self.gp.L_, True), resid)
        return self.shift + self.scale * out

    def describe(self) -> dict:
        signal, white = self.parts
        return {
            "kernel": str(self.gp.kernel_),
            "length_scales": [float(v) for v in np.atleast_1d(signal.k2.length_scale)],
            "white": white * self.scale**2,
            "log_marginal_likelihood": float(self.gp.log_marginal_likelihood_value_),
        }


# ------------------------------------------------------------------------ GBT
@dataclass
class _Trees:
    """Bootstrapped, seeded gradient-boosted trees: members are function draws."""

    members: list = field(default_factory=list)
    resid_var: float = 0.0

    @classmethod
    def fit(cls, U, y, seed: int, members: int = 20) -> _Trees:
        from sklearn.ensemble import HistGradientBoostingRegressor

        rng = np.random.default_rng([seed, 7])
        n = len(y)
        out = cls()
        oob_err = []
        for _ in range(members):
            idx = rng.integers(0, n, n)
            m = HistGradientBoostingRegressor(
                max_iter=100,
                learning_rate=0.1,
                min_samples_leaf=max(3, min(20, n // 20)),
                random_state=int(rng.integers(2**31 - 1)),
            ).fit(U[idx], y[idx])
            out.members.append(m)
            oob = np.setdiff1d(np.arange(n), idx)
            if len(oob):
                oob_err.append(np.mean((m.predict(U[oob]) - y[oob]) ** 2))
        out.resid_var = float(np.mean(oob_err)) if oob_err else 0.0
        return out

    def all(self, U) -> np.ndarray:
        return np.stack([m.predict(U) for m in self.members])

    def predict(self, U) -> tuple[np.ndarray, np.ndarray]:
        P = self.all(U)
        return P.mean(axis=0), P.std(axis=0, ddof=1)

    def draws(self, U, n: int, rng: np.random.Generator) -> np.ndarray:
        P = self.all(U)
        return P[rng.permutation(np.arange(n) % len(P))]

    def describe(self) -> dict:
        return {"members": len(self.members), "oob_mse": self.resid_var}


# ------------------------------------------------------------------- emulator
@dataclass
class Emulator:
    """A fitted mean emulator (and variance emulator when replicates allow).

    Attributes:
        kind: "gp" or "gbt".
        bounds: (d, 2) input bounds; inputs are scaled to the unit cube with them.
        mean_model: the mean emulator.
        var_model: emulator of the log replicate variance (None with one replicate).
        replicates: runs per training point (an array).
    """

    kind: str
    bounds: np.ndarray
    mean_model: object
    var_model: object | None
    replicates: np.ndarray

    @_one_thread
    def predict(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Emulated mean of the simulator at ``X`` and its sd (the emulator's uncertainty)."""
        return self.mean_model.predict(_unit(X, self.bounds))

    @_one_thread
    def noise_var(self, X) -> np.ndarray:
        """Variance of one run at ``X``.

        The variance emulator plus the mean model's misfit term (GP white noise; with no
        variance emulator, all the noise is there).
        """
        U = _unit(X, self.bounds)
        extra = self.mean_model.white() if self.kind == "gp" else 0.0
        if self.var_model is None:
            if self.kind == "gbt":
                extra = self.mean_model.resid_var
            return np.full(len(U), extra)
        z, _ = self.var_model.predict(U)
        return np.exp(z) + extra

    def interval_sd(self, X, replicates=1) -> np.ndarray:
        """The sd of an observed mean of ``replicates`` runs at ``X`` around the emulated mean."""
        _, sd = self.predict(X)
        r = _reps(replicates, len(sd))
        return np.sqrt(sd**2 + self.noise_var(X) / r)

    @_one_thread
    def draws(self, X, n: int, seed: int = 0) -> np.ndarray:
        """``n`` draws of the mean function at ``X`` (shape ``(n, len(X))``)."""
        rng = np.random.default_rng([seed, 11])
        return self.mean_model.draws(_unit(X, self.bounds), n, rng)

    def describe(self) -> dict:
        """The fitted models' settings and hyperparameters (for manifests)."""
        return {
            "kind": self.kind,
            "points": len(self.replicates),
            "mean": self.mean_model.describe(),
            "variance": None if self.var_model is None else self.var_model.describe(),
        }


def _check(X, y_mean, y_var, kind):
    if kind not in KINDS:
        raise HarnessError(f"--emulator: must be one of {', '.join(KINDS)}, got {kind!r}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.asarray(y_mean, dtype=float)
    if len(X) != len(y) or (y_var is not None and len(y_var) != len(y)):
        raise HarnessError("emulator: X, y_mean and y_var need one row per design point")
    if len(y) < 3 or not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise HarnessError("emulator: need at least 3 points with finite inputs and outputs")
    return X, y


@_one_thread
def fit(
    X,
    y_mean,
    y_var=None,
    *,
    replicates=1,
    kind: str = "gp",
    bounds=None,
    seed: int = 0,
    members: int = 20,
) -> Emulator:
    """Fit a mean emulator (and a variance emulator) to a design's replicate statistics.

    Args:
        X: (n, d) design points.
        y_mean: the mean of the runs at each point.
        y_var: the sample variance (ddof=1) of the runs at each point; None or points
            with one run: no variance emulator (a fitted white term is the noise).
        replicates: runs per point (an int or one per point).
        kind: "gp" or "gbt".
        bounds: (d, 2) input ranges (default: the design's range).
        seed: seeds the optimiser restarts, bootstraps and trees.
        members: ensemble size (gbt).
    """
    X, y = _check(X, y_mean, y_var, kind)
    r = _reps(replicates, len(y))
    B = np.asarray(bounds, dtype=float) if bounds is not None else np.c_[X.min(0), X.max(0)]
    if B.shape != (X.shape[1], 2) or np.any(B[:, 1] <= B[:, 0]):
        raise HarnessError("emulator: bounds must be (low, high) per input with low < high")
    U = _unit(X, B)
    var_model = None
    use = r >= 2 if y_var is not None else np.zeros(len(y), bool)
    if use.sum() >= 4:
        z, tau = log_variance_target(np.asarray(y_var, float)[use], r[use])
        if kind == "gp":
            var_model = _GP.fit(U[use], z, tau, seed)
        else:
            var_model = _Trees.fit(U[use], z, seed + 1, members)
    if kind == "gp":
        noise = np.exp(var_model.predict(U)[0]) / r if var_model is not None else np.zeros(len(y))
        mean_model = _GP.fit(U, y, noise, seed)
    else:
        mean_model = _Trees.fit(U, y, seed, members)
    return Emulator(kind, B, mean_model, var_model, r)


@_one_thread
def validate(
    X,
    y_mean,
    y_var=None,
    *,
    replicates=1,
    kind: str = "gp",
    bounds=None,
    folds: int = 5,
    seed: int = 0,
) -> dict:
    """Out-of-sample checks by k-fold refits: Q2, 95% coverage, RMSE.

    Each point is predicted by the emulator fitted without its fold. ``q2`` is
    ``1 - sum((ybar - mu)^2) / sum((ybar - mean(ybar))^2)`` over the held-out means
    (their replicate noise caps it below 1, at about ``q2_ceiling``: one minus the mean
    replicate variance of a point mean over their variance); ``coverage`` is the share
    of held-out means inside ``mu +- 1.96 * sqrt(sd^2 + noise_var / r)``, ideally 0.95;
    ``std_errors`` are the standardised errors.
    """
    X, y = _check(X, y_mean, y_var, kind)
    r = _reps(replicates, len(y))
    folds = int(min(max(folds, 2), len(y)))
    B = np.asarray(bounds, dtype=float) if bounds is not None else np.c_[X.min(0), X.max(0)]
    fold = np.random.default_rng([seed, 3]).permutation(np.arange(len(y)) % folds)
    mu, sd = np.empty(len(y)), np.empty(len(y))
    for k in range(folds):
        test, train = fold == k, fold != k
        v = None if y_var is None else np.asarray(y_var, float)[train]
        em = fit(X[train], y[train], v, replicates=r[train], kind=kind, bounds=B, seed=seed + k)
        mu[test] = em.predict(X[test])[0]
        sd[test] = em.interval_sd(X[test], r[test])
    err = y - mu
    total = float(np.sum((y - y.mean()) ** 2))
    z = err / np.where(sd > 0, sd, np.nan)
    noisy = r >= 2 if y_var is not None else np.zeros(len(y), bool)
    noise = float(np.mean(np.asarray(y_var, float)[noisy] / r[noisy])) if noisy.any() else None
    return {
        "q2": 1 - float(np.sum(err**2)) / total if total > 0 else float("nan"),
        "q2_ceiling": 1 - noise * len(y) / total if noise is not None and total > 0 else None,
        "coverage": float(np.mean(np.abs(z) <= Z95)),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "folds": folds,
        "points": len(y),
        "predicted": mu,
        "sd": sd,
        "std_errors": z,
    }


__all__ = ["KINDS", "Emulator", "fit", "log_variance_target", "validate"]
