"""Emulator-based sensitivity: Sobol indices of an emulator of the simulator's mean.

A space-filling design (a Latin hypercube, centred-discrepancy optimised) of ``N``
points is run ``replicates`` times each through the same executors, batching, resume
and outputs as any study. Per metric, :mod:`sim.harness.emulator` fits a mean emulator
and a variance emulator to the point means and replicate variances, validates them by
k-fold refits (Q2, coverage of 95% intervals), and SALib computes Sobol indices of the
emulated mean on a large Saltelli sample (the emulator is cheap). The intervals combine
two sources: SALib's bootstrap of the Monte Carlo estimate, and the emulator's own
uncertainty, the spread of the indices over posterior draws of the mean function
(Marrel et al. 2009, Reliab. Eng. Syst. Saf. 94; Oakley & O'Hagan 2004, JRSS B 66).
Replicate noise is not apportioned: these are indices of the *mean* response.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from sim.harness.emulator import KINDS, Z95, fit, validate
from sim.harness.executors import HarnessError
from sim.harness.indices import analyze, ishigami, noise_share
from sim.harness.outputs import clean, write_json
from sim.harness.replicates import MAX_REPLICATES, NOISE_TARGET
from sim.harness.sampling import SampleSettings
from sim.harness.sensitivity_analysis import (
    SampledStudy,
    SensitivityResult,
    write_sensitivity_outputs,
)
from sim.scenario import Scenario

#: Saltelli base samples on the emulator, and for each posterior draw of it.
BASE, DRAW_BASE = 4096, 512
DRAWS = 20
FOLDS = 5
#: the fewest design points an emulator is fitted to (and validated on, leave-one-out)
MIN_POINTS = 4


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything that determines the design and its analysis, stored with the results.

    Attributes:
        kind: "gp" or "gbt".
        N: design points (each run ``replicates`` times).
        replicates: runs per design point.
        bounds: parameter -> (low, high), in order.
        kinds: parameter -> value kind ("int" parameters are rounded).
        seed: seed of the design, the runs, the fits and the draws.
        folds: k of the k-fold validation.
        base: Saltelli base samples on the emulator.
        draws: posterior draws of the emulator for its share of the intervals.
        draw_base: Saltelli base samples per draw.
    """

    kind: str
    N: int
    replicates: int
    bounds: dict
    kinds: dict
    seed: int
    folds: int = FOLDS
    base: int = BASE
    draws: int = DRAWS
    draw_base: int = DRAW_BASE

    @property
    def names(self) -> list[str]:  # noqa: D102
        return list(self.bounds)

    def saltelli(self, base: int | None = None) -> SampleSettings:
        """The Sobol sample the emulator is analysed on."""
        return SampleSettings(
            "sobol", base or self.base, False, self.bounds, self.kinds, self.seed, 1
        )

    def box(self) -> np.ndarray:
        """(d, 2) input ranges; whole-number parameters widened by 0.5 as in SALib's."""
        return np.asarray(self.saltelli().problem()["bounds"], dtype=float)

    def points(self) -> np.ndarray:
        """The design: a Latin hypercube in the box, whole-number parameters rounded."""
        from scipy.stats import qmc

        rng = np.random.default_rng([self.seed, 5])
        u = qmc.LatinHypercube(len(self.bounds), optimization="random-cd", rng=rng).random(self.N)
        b = self.box()
        return self.rounded(b[:, 0] + u * (b[:, 1] - b[:, 0]))

    def rounded(self, X: np.ndarray) -> np.ndarray:
        """Whole-number parameters rounded into their bounds, as the runs see them."""
        X = np.array(X, dtype=float)
        for j, (k, (lo, hi)) in enumerate(self.bounds.items()):
            if self.kinds.get(k) == "int":
                X[:, j] = np.clip(np.round(X[:, j]), lo, hi)
        return X

    def to_dict(self) -> dict:
        """Plain form for JSON."""
        d = asdict(self)
        d["bounds"] = {k: list(v) for k, v in self.bounds.items()}
        return d


def check_emulator_settings(es: EmulatorSettings) -> None:
    """Sizes the design and the analysis can use; HarnessError otherwise."""
    if es.kind not in KINDS:
        raise HarnessError(f"--emulator: must be one of {', '.join(KINDS)}, got {es.kind!r}")
    if es.N < MIN_POINTS:
        raise HarnessError(f"-N: an emulator needs at least {MIN_POINTS} design points, got {es.N}")
    if es.replicates < 1:
        raise HarnessError(f"--replicates: must be at least 1, got {es.replicates}")
    if es.folds < 2:
        raise HarnessError(f"folds: must be at least 2, got {es.folds}")


# ----------------------------------------------------------------- the analysis
def emulated_indices(em, es: EmulatorSettings) -> dict:
    """S1 and ST of the emulated mean with 95% intervals from both sources.

    ``S1``/``ST``: indices of the emulator's posterior mean on ``es.base`` Saltelli
    samples; ``*_mc_conf``: SALib's bootstrap half-width; ``*_emulator_conf``: 1.96 sd
    of the indices over ``es.draws`` posterior draws of the mean function (on the first
    ``es.draw_base`` samples); ``*_conf``: ``1.96 * sqrt(sd_mc^2 + sd_emulator^2)``.
    """
    st = es.saltelli()
    X = es.rounded(st.sample())
    res = analyze(st, em.predict(X)[0])
    if "note" in res or es.draws < 2:
        return res
    sub = es.saltelli(min(es.draw_base, es.base))
    D = em.draws(X[: sub.n_points()], es.draws, seed=es.seed)
    got = [analyze(sub, y, num_resamples=2) for y in D]
    for key in ("S1", "ST"):
        res[f"{key}_mc_conf"] = dict(res[f"{key}_conf"])
        vals = np.array([[g.get(key, {}).get(p, np.nan) for p in es.names] for g in got])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(vals, axis=0, ddof=1)
        res[f"{key}_emulator_conf"] = {p: float(Z95 * s) for p, s in zip(es.names, sd)}
        res[f"{key}_conf"] = {
            p: float(np.hypot(res[f"{key}_mc_conf"][p], Z95 * s)) for p, s in zip(es.names, sd)
        }
    return res


def point_stats(runs: pd.DataFrame, metric: str, n: int) -> pd.DataFrame:
    """Per design point: mean, variance (ddof=1) and count of the metric's good runs."""
    ok = runs[(runs["status"] == "ok")] if len(runs) else runs
    if metric not in ok:
        return pd.DataFrame(columns=["mean", "var", "count"])
    g = ok[np.isfinite(ok[metric].astype(float))].groupby("point")[metric]
    out = pd.DataFrame({"mean": g.mean(), "var": g.var(ddof=1), "count": g.count()})
    return out.reindex(range(n)).dropna(subset=["mean"])


def _design_data(X, stats: pd.DataFrame, es: EmulatorSettings):
    """(inputs, means, variances, fit keywords) of the points with a value, or a note."""
    y = stats["mean"].to_numpy(dtype=float)
    if len(y) < MIN_POINTS:
        return f"only {len(y)} design points have a value"
    if np.ptp(y) == 0:
        return "constant output: no variance to apportion"
    Xi = np.asarray(X, dtype=float)[stats.index.to_numpy()]
    r = stats["count"].to_numpy(dtype=float)
    var = stats["var"].fillna(0).to_numpy(dtype=float) if es.replicates > 1 else None
    return Xi, y, var, {"replicates": r, "kind": es.kind, "bounds": es.box(), "seed": es.seed}


def analyze_design(X, stats: pd.DataFrame, es: EmulatorSettings) -> tuple[dict, dict, dict]:
    """Fit, validate and analyse one metric: (indices, validation, fitted emulator)."""
    data = _design_data(X, stats, es)
    if isinstance(data, str):
        return {"note": data}, {}, {}
    Xi, y, var, kw = data
    em = fit(Xi, y, var, **kw)
    val = validate(Xi, y, var, folds=es.folds, **kw)
    held = {k: val.pop(k) for k in ("predicted", "sd", "std_errors")}
    val["held_out"] = {"point": stats.index.tolist(), "observed": y.tolist(), **held}
    return emulated_indices(em, es), val, em.describe()


def design_convergence(X, stats: pd.DataFrame, es: EmulatorSettings, full: dict) -> list[dict]:
    """ST of emulators fitted to the first N/4 and N/2 design points, then ``full`` (all N).

    ``[{"n": design points, "index": {p: ST}, "conf": {p: half-width}}]`` by growing n,
    as :func:`~sim.harness.indices.convergence` gives for a direct Sobol sample; ``full``
    is the metric's indices from :func:`analyze_design` (not refitted). A subset with
    fewer than :data:`MIN_POINTS` valued points, or a constant output, is left out. The
    design's rows are in random order, so its first n points are a random subset
    (less evenly spread than a Latin hypercube of n).
    """
    out = []
    for n in sorted({es.N >> k for k in (2, 1) if MIN_POINTS <= es.N >> k < es.N}):
        data = _design_data(X, stats[stats.index < n], es)
        if isinstance(data, str):
            continue
        Xi, y, var, kw = data
        res = emulated_indices(fit(Xi, y, var, **kw), es)
        if "ST" in res:
            out.append({"n": n, "index": res["ST"], "conf": res["ST_conf"]})
    if "ST" in full:
        out.append({"n": es.N, "index": full["ST"], "conf": full["ST_conf"]})
    return out


@dataclass
class EmulatedSensitivity(SensitivityResult):
    """Indices of an emulated mean, with the emulator's settings and validation.

    Attributes:
        emulator: the design and analysis settings.
        validation: metric -> {"q2", "q2_ceiling", "coverage", "rmse", "folds", "points",
            "held_out"}.
        fits: metric -> the fitted emulator's description (kernel, hyperparameters).
    """

    emulator: EmulatorSettings | None = None
    validation: dict = field(default_factory=dict)
    fits: dict = field(default_factory=dict)

    def validation_table(self) -> pd.DataFrame:
        """Per metric: Q2, coverage of the 95% intervals, RMSE, folds, points."""
        cols = ["metric", "q2", "q2_ceiling", "coverage", "rmse", "folds", "points"]
        rows = [
            {"metric": m, **{k: v.get(k) for k in cols[1:]}} for m, v in self.validation.items()
        ]
        return pd.DataFrame(rows, columns=cols).astype({"folds": "Int64", "points": "Int64"})

    def to_dict(self) -> dict:
        """The JSON document: the sensitivity document plus the emulator and validation."""
        doc = super().to_dict()
        brief = {
            m: {k: v for k, v in val.items() if k != "held_out"}
            for m, val in self.validation.items()
        }
        for m, res in doc["metrics"].items():
            res["validation"] = brief.get(m)
        doc["emulator"] = {**self.emulator.to_dict(), "fits": self.fits}
        return clean(doc)


def emulator_sensitivity(
    scenario: Scenario | str | None,
    kind: str = "gp",
    params: list[str] | dict | None = None,
    n: int | None = None,
    replicates: int | str = 2,
    seed: int = 0,
    *,
    metrics: list[str] | None = None,
    noise_target: float = NOISE_TARGET,
    max_replicates: int = MAX_REPLICATES,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    evaluator=None,
    folds: int = FOLDS,
    base: int = BASE,
    draws: int = DRAWS,
    draw_base: int = DRAW_BASE,
    **execution,
) -> EmulatedSensitivity:
    """Sobol indices of an emulator of a scenario's mean metrics.

    Args:
        scenario: a Scenario, file or shipped name; None with a FunctionEvaluator.
        kind: "gp" or "gbt".
        params: as in :func:`~sim.harness.sensitivity_analysis.sensitivity`.
        n: design points (default: 10 per parameter, at least 64).
        replicates: runs per design point (2 or more also fits a variance emulator), or
            "auto": a pilot chooses them for a noise share of at most ``noise_target``
            (:mod:`sim.harness.replicates`), at most ``max_replicates``.
        seed: seed of the design, the runs (common random numbers) and the fits.
        metrics: metrics to analyse (default: every metric).
        noise_target: with ``replicates="auto"``, the noise share to reach.
        max_replicates: with ``replicates="auto"``, the most replicates it may choose.
        overrides: ``--set`` strings applied to the scenario first.
        ticks: horizon override.
        evaluator: what a run computes (default: the model), e.g.
            ``FunctionEvaluator(noisy_ishigami)`` for the known-answer check.
        folds: k of the k-fold validation.
        base: Saltelli base samples on the emulator.
        draws: posterior draws of the emulator (the emulator's share of the intervals).
        draw_base: Saltelli base samples per draw.
        **execution: fields of :class:`~sim.harness.study.Execution`.
    """
    s = SampledStudy.open(scenario, params, overrides, ticks, evaluator, seed, execution)
    n = int(n or max(64, 10 * len(s.bounds)))
    auto = replicates == "auto"
    r0 = 2 if auto else replicates
    es = EmulatorSettings(kind, n, r0, s.bounds, s.kinds, seed, folds, base, draws, draw_base)
    check_emulator_settings(es)
    # the pilot's points are spread over the emulator's own parameter space
    chosen = s.evaluate(
        metrics, evaluator, es.saltelli() if auto else None, noise_target, max_replicates
    )
    if chosen is not None:
        replicates = chosen
        es = replace(es, replicates=replicates)
    X = es.points()
    st = es.saltelli()
    design = {"design": es.to_dict()}
    data = s.conduct(X, st, replicates, "sensitivity-emulator", design, f"{kind} emulator")
    result = EmulatedSensitivity(
        **vars(data),
        settings=st,
        scenario=s.scenario,
        emulator=es,
        replicates_auto=s.choice,
    )
    if data.state != "finished":
        return result
    for m in [m for m in (s.metrics or data.metrics) if m in data.runs.columns]:
        ind, val, desc = analyze_design(X, point_stats(data.runs, m, n), es)
        result.indices[m], result.validation[m], result.fits[m] = ind, val, desc
        result.noise[m] = noise_share(data.runs, m, replicates)
    if s.ex.out is not None:
        write_emulator_outputs(result)
    return result


# ----------------------------------------------------------------- known answer
def noisy_ishigami(params: dict[str, float], seed: int = 0) -> dict[str, float]:
    """The Ishigami function plus normal noise of sd ``0.5 + (x2 + pi) / (2 pi)`` (0.5-1.5).

    The noise depends on the inputs (heteroscedastic) and on the seed and the point
    together, so replicates differ and points are independent; the mean is the Ishigami
    function, whose indices :func:`~sim.harness.indices.ishigami_indices` gives.
    """
    x = np.array([params["x1"], params["x2"], params["x3"]], dtype=float)
    y = ishigami(params)["y"]
    rng = np.random.default_rng([int(seed), *x.view(np.uint64).tolist()])
    return {"y": y + (0.5 + (x[1] + np.pi) / (2 * np.pi)) * float(rng.standard_normal())}


def write_emulator_outputs(result: EmulatedSensitivity) -> None:
    """sensitivity.json, summary.csv, validation.csv, and the validation in the manifest."""
    import json
    from pathlib import Path

    out = Path(result.out)
    write_sensitivity_outputs(result)
    result.validation_table().to_csv(out / "validation.csv", index=False)
    man = json.loads((out / "manifest.json").read_text())
    man["emulator_validation"] = result.validation_table().to_dict("records")
    write_json(out / "manifest.json", man)


__all__ = [
    "EmulatedSensitivity",
    "EmulatorSettings",
    "analyze_design",
    "design_convergence",
    "emulated_indices",
    "emulator_sensitivity",
    "noisy_ishigami",
    "point_stats",
]
