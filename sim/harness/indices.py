"""Sensitivity indices from SALib, with checks that the analysis matches its sample.

SALib silently returns wrong indices when, say, a sample drawn without second-order
terms is analysed with them; :func:`analyze` refuses any mismatch. Also the indices'
convergence with sample size, the share of variance that is replicate noise (unclipped),
the flags that mark indices that mean little (noisy, total indices summing far above 1),
and the Ishigami function with its analytical indices (the known-answer check).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.sampling import SampleSettings

NUM_RESAMPLES = 500


def _analysis_seed(seed: int) -> int:
    """A non-zero seed for SALib's bootstraps (its Sobol and FAST treat 0 as 'unseeded')."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0] % (2**31 - 2)) + 1


def analyze(
    st: SampleSettings,
    Y,
    X: np.ndarray | None = None,
    calc_second_order: bool | None = None,
    method: str | None = None,
    num_resamples: int = NUM_RESAMPLES,
) -> dict:
    """Indices of one output with 95% bootstrap intervals, per parameter.

    Refuses (HarnessError) a method or ``calc_second_order`` that differs from the
    sample's, and an output whose length does not match the sample.
    """
    if method is not None and method != st.method:
        raise HarnessError(f"analysis: the sample was drawn for {st.method}, not {method}")
    if calc_second_order is not None and bool(calc_second_order) != st.calc_second_order:
        raise HarnessError(
            f"analysis: calc_second_order: the sample was drawn with {st.calc_second_order}, "
            f"the analysis asks for {bool(calc_second_order)}; SALib would return wrong indices"
        )
    Y = np.asarray(Y, dtype=float)
    if len(Y) % st.rows_per_block() or not len(Y):
        raise HarnessError(
            f"analysis: {len(Y)} outputs do not fit a {st.method} sample "
            f"({st.rows_per_block()} rows per block)"
        )
    names = st.names
    prob = st.problem()
    seed = _analysis_seed(st.seed)
    if not np.all(np.isfinite(Y)):
        return {"note": f"{int((~np.isfinite(Y)).sum())} design points have no value"}
    if np.ptp(Y) == 0:
        return {"note": "constant output: no variance to apportion"}

    with warnings.catch_warnings():
        # constant subsets and FAST's bootstrap caveat (README); constant outputs are
        # reported above, so SALib's warnings would only repeat them on stderr
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return _salib(st, Y, X, prob, names, seed, num_resamples)


def _salib(st: SampleSettings, Y, X, prob, names, seed, num_resamples) -> dict:
    def per(v) -> dict:
        return {p: float(x) for p, x in zip(names, np.asarray(v, dtype=float))}

    if st.method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(prob, Y, st.calc_second_order, num_resamples=num_resamples, seed=seed)
        out = {k: per(si[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        if st.calc_second_order:
            for k in ("S2", "S2_conf"):
                m = np.asarray(si[k], dtype=float)
                out[k] = {
                    a: {b: float(m[i, j]) for j, b in enumerate(names) if j > i}
                    for i, a in enumerate(names[:-1])
                }
        return out
    if st.method == "morris":
        from SALib.analyze import morris

        if X is None:
            X = st.sample()[: len(Y)]
        si = morris.analyze(
            prob, X, Y, num_resamples=num_resamples, num_levels=st.num_levels, seed=seed
        )
        return {k: per(si[k]) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}
    from SALib.analyze import fast

    si = fast.analyze(prob, Y, M=st.M, num_resamples=num_resamples, seed=seed)
    return {k: per(si[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def convergence(st: SampleSettings, Y, X=None) -> list[dict]:
    """The main index (Sobol ST, Morris mu_star) on growing leading subsets of the sample.

    Sobol and Morris samples are blocks (one per base sample or trajectory), so the
    first n blocks are a valid sample of size n. FAST samples are not: empty list.
    """
    if st.method == "fast":
        return []
    key, conf = ("ST", "ST_conf") if st.method == "sobol" else ("mu_star", "mu_star_conf")
    sizes = sorted({st.N >> k for k in range(4) if st.N >> k >= 2})
    X = st.sample() if X is None and st.method == "morris" else X
    out = []
    for n in sizes:
        rows = n * st.rows_per_block()
        sub = SampleSettings(**{**asdict(st), "N": n})
        res = analyze(sub, np.asarray(Y)[:rows], None if X is None else X[:rows])
        if key in res:
            out.append({"n": n, "index": res[key], "conf": res[conf]})
    return out


def replicate_variances(runs: pd.DataFrame, metric: str) -> tuple[float, float]:
    """Mean within-point variance of single runs, and the variance of the point means.

    NaN where they cannot be measured (fewer than two replicates or two points).
    """
    ok = runs[runs["status"] == "ok"]
    g = ok.groupby("point")[metric]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        within = float(np.nanmean(g.var(ddof=1).to_numpy(dtype=float)))
        total = float(np.nanvar(g.mean().to_numpy(dtype=float), ddof=1))
    return within, total


def noise_share(runs: pd.DataFrame, metric: str, replicates: int) -> float | None:
    """Ratio of the replicate noise left in a point mean to the variance of the point means.

    Within-point variance over ``replicates`` runs, divided by ``replicates`` (the
    noise left in a mean), over the variance of the point means. Not clipped: both are
    estimates, and with common random numbers (the same seeds at every point) the
    noise partly cancels between points, so the ratio can exceed 1; above
    :data:`NOISE_FLAG` the indices mostly apportion noise. None with one replicate.
    """
    if replicates < 2:
        return None
    within, total = replicate_variances(runs, metric)
    if not (np.isfinite(within) and np.isfinite(total)) or total <= 0:
        return None
    return float(within / replicates / total)


# ----------------------------------------------------------------- quality flags
#: A metric is flagged ``noisy`` when its noise share exceeds this.
NOISE_FLAG = 0.5
#: ... and ``st_sum_high`` when its total indices (Sobol, FAST ST) sum to more than this.
#: Interactions make the sum exceed 1, but rarely by half; far above 1 the estimator
#: is dominated by noise or too few samples.
ST_SUM_FLAG = 1.5
FLAG_NOTES = {
    "noisy": f"noise share > {NOISE_FLAG}: replicate noise is more than half the variance "
    "of the point means, so the indices mostly apportion noise; raise -r (or -r auto)",
    "st_sum_high": f"total indices sum to > {ST_SUM_FLAG} (at most ~1 plus interactions): "
    "the estimates are dominated by noise or too few samples; raise -N and -r",
    "noise_target_missed": "-r auto: --max-replicates was too few to bring the noise share "
    "under --noise-target",
}


def st_sum(res: dict) -> float | None:
    """Sum of a metric's total indices ST over the parameters (Sobol, FAST); else None."""
    st = res.get("ST")
    if not isinstance(st, dict) or not st:
        return None
    vals = np.asarray(list(st.values()), dtype=float)
    return float(vals.sum()) if np.all(np.isfinite(vals)) else None


def quality_flags(res: dict, noise: float | None) -> list[str]:
    """The flags of one metric's indices: ``noisy``, ``st_sum_high`` (see FLAG_NOTES)."""
    total = st_sum(res)
    flags = []
    if noise is not None and noise > NOISE_FLAG:
        flags.append("noisy")
    if total is not None and total > ST_SUM_FLAG:
        flags.append("st_sum_high")
    return flags


# ----------------------------------------------------------------- known answer
#: Ishigami-Homma function's inputs (Saltelli et al. 2008, Global Sensitivity Analysis).
ISHIGAMI_BOUNDS = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}


def ishigami(params: dict[str, float], seed: int = 0) -> dict[str, float]:
    """The Ishigami function (A=7, B=0.1) as an evaluation: ``{"y": f(x1, x2, x3)}``."""
    from SALib.test_functions import Ishigami

    x = np.array([[params["x1"], params["x2"], params["x3"]]])
    return {"y": float(Ishigami.evaluate(x)[0])}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Analytical first-order and total Sobol indices of the Ishigami function."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v},
    }
