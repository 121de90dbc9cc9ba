"""Global sensitivity analysis with SALib: Sobol, Morris and FAST over uncertain parameters.

The harness supplies only ``f(X) -> Y``: SALib draws the design points, each point is
run ``replicates`` times (replicate k has the same seed at every point: common random
numbers) through the same batching and executor path as any study, the replicate
mean is the output, and SALib computes the indices with bootstrap intervals. The
sample's settings (method, N, calc_second_order, bounds, seed, replicates) are
stored with the results, and an analysis that does not match them is refused:
SALib silently returns wrong indices when, say, a sample drawn without second-order
terms is analysed with them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import params as P
from sim.harness.comparison import check_metrics
from sim.harness.executors import HarnessError
from sim.harness.outputs import clean, write_json
from sim.harness.runner import FunctionEvaluator, ModelEvaluator, Run, describe_evaluator
from sim.harness.study import Execution, StudyData, as_scenario, base_manifest, check_ticks
from sim.harness.study import conduct as _conduct
from sim.metrics import MAIN
from sim.rng import run_seeds
from sim.scenario import SCHEMA_LOCATION, SCHEMA_ORG, SCHEMA_STATE, Scenario, ScenarioError

METHODS = ("sobol", "morris", "fast")
DEFAULT_N = {"sobol": 64, "morris": 16, "fast": 128}
NUM_RESAMPLES = 500
_NUMERIC = ("int", "float", "nonneg", "pos", "prob")
_TABLES = {"states": SCHEMA_STATE, "locations": SCHEMA_LOCATION, "organizations": SCHEMA_ORG}


# ------------------------------------------------------------------------ parameters
def parse_param(text: str) -> tuple[str, float, float]:
    """``NAME=LOW:HIGH`` -> (name, low, high); HarnessError naming the problem."""
    where = f"--param {text}"
    if "=" not in text or ":" not in text.split("=", 1)[1]:
        raise HarnessError(f"{where}: expected NAME=LOW:HIGH, e.g. exploration=0.05:0.4")
    name, rng = (s.strip() for s in text.split("=", 1))
    lo_s, hi_s = (s.strip() for s in rng.split(":", 1))
    try:
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        raise HarnessError(f"{where}: LOW and HIGH must be numbers") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise HarnessError(f"{where}: LOW and HIGH must be finite")
    if not lo < hi:
        raise HarnessError(f"{where}: LOW must be below HIGH")
    return name, lo, hi


def param_kind(sc: Scenario, name: str, where: str) -> str:
    """The value kind of a parameter name or dotted path; HarnessError if not numeric."""
    parts = name.split(".")
    if name in P.PARAMS or (parts[0] == "params" and len(parts) == 2 and parts[1] in P.PARAMS):
        kind = P.PARAMS[parts[-1]][1]
    elif len(parts) == 3 and parts[0] in _TABLES:
        ids = [it.get("id") for it in sc.data.get(parts[0], [])]
        if parts[1] not in ids:
            raise HarnessError(f"{where}: {name}: no {parts[0][:-1]} with id {parts[1]!r}")
        kind = _TABLES[parts[0]].get(parts[2], "").lstrip("!")
        if not kind:
            raise HarnessError(f"{where}: {name}: unknown key {parts[2]!r}")
    elif name in ("ticks", "burn_in"):
        raise HarnessError(f"{where}: {name}: the horizon is not an uncertain parameter")
    else:
        raise HarnessError(
            f"{where}: {name}: unknown parameter (use a name from sim/params.py or a dotted "
            "path like states.MID.capacity)"
        )
    if kind not in _NUMERIC:
        raise HarnessError(f"{where}: {name}: not a numeric parameter ({kind})")
    return kind


def resolve_params(
    sc: Scenario | None, specs: list[str] | dict | None
) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Bounds and kinds of the uncertain parameters, checked against the scenario.

    ``specs`` is a list of ``NAME=LOW:HIGH`` strings or a ``{name: (low, high)}``
    dict; when empty, the scenario's ``[uncertainties]`` table is used. Both bounds
    are applied to the scenario once, so an out-of-range bound fails here, not in a run.
    """
    if isinstance(specs, dict):
        items = [(k, float(v[0]), float(v[1]), "params") for k, v in specs.items()]
        for k, lo, hi, _ in items:
            if not lo < hi:
                raise HarnessError(f"--param {k}={lo}:{hi}: LOW must be below HIGH")
    elif specs:
        items = [(*parse_param(s), f"--param {s}") for s in specs]
    elif sc is not None and sc.data.get("uncertainties"):
        where = f"{sc.path}: uncertainties"
        items = [(k, float(v[0]), float(v[1]), where) for k, v in sc.data["uncertainties"].items()]
    else:
        src = f"{sc.path}" if sc is not None else "sensitivity"
        raise HarnessError(f"{src}: --param: give NAME=LOW:HIGH, or an [uncertainties] table")
    bounds, kinds = {}, {}
    for name, lo, hi, where in items:
        if name in bounds:
            raise HarnessError(f"{where}: {name}: given twice")
        kinds[name] = param_kind(sc, name, where) if sc is not None else "float"
        if kinds[name] == "int" and (lo != int(lo) or hi != int(hi)):
            raise HarnessError(f"{where}: {name}: a whole-number parameter needs whole bounds")
        bounds[name] = (lo, hi)
        if sc is not None:
            for v in (lo, hi):
                text = str(int(v)) if kinds[name] == "int" else repr(v)
                try:
                    sc.with_overrides([f"{name}={text}"])
                except ScenarioError as e:
                    raise HarnessError(f"{where}: {e.key or name}: {e.problem}") from None
    return bounds, kinds


# ---------------------------------------------------------------------------- sample
@dataclass(frozen=True)
class SampleSettings:
    """Everything that determines a sample, stored with its results.

    Attributes:
        method: "sobol", "morris" or "fast".
        N: base samples (Sobol), trajectories (Morris) or samples per parameter (FAST).
        calc_second_order: Sobol only: the sample includes second-order terms.
        bounds: parameter -> (low, high), in order.
        kinds: parameter -> value kind ("int" parameters are rounded).
        seed: seed of the sample and of the runs.
        replicates: runs per design point, averaged.
        num_levels: Morris grid levels.
        M: FAST interference parameter.
    """

    method: str
    N: int
    calc_second_order: bool
    bounds: dict
    kinds: dict
    seed: int
    replicates: int
    num_levels: int = 4
    M: int = 4

    @property
    def names(self) -> list[str]:  # noqa: D102
        return list(self.bounds)

    def problem(self) -> dict:
        """SALib's problem dict; whole-number parameters get +-0.5 so rounding is uniform."""
        b = [
            [lo - 0.5, hi + 0.5] if self.kinds.get(k) == "int" else [lo, hi]
            for k, (lo, hi) in self.bounds.items()
        ]
        return {"num_vars": len(b), "names": self.names, "bounds": b}

    def rows_per_block(self) -> int:
        """Rows of one base sample (Sobol), one trajectory (Morris), or all (FAST)."""
        d = len(self.bounds)
        if self.method == "sobol":
            return 2 * d + 2 if self.calc_second_order else d + 2
        if self.method == "morris":
            return d + 1
        return self.N * d

    def n_points(self) -> int:
        """Design points the sample has."""
        if self.method == "fast":
            return self.N * len(self.bounds)
        return self.N * self.rows_per_block()

    def sample(self) -> np.ndarray:
        """The design points (deterministic given the settings)."""
        prob = self.problem()
        if self.method == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                prob, self.N, calc_second_order=self.calc_second_order, seed=self.seed
            )
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(prob, self.N, num_levels=self.num_levels, seed=self.seed)
        from SALib.sample import fast_sampler

        return fast_sampler.sample(prob, self.N, M=self.M, seed=self.seed)

    def values(self, x: np.ndarray) -> tuple[tuple[str, float], ...]:
        """One design point as parameter values (whole-number kinds rounded, in bounds)."""
        out = []
        for (k, (lo, hi)), v in zip(self.bounds.items(), x):
            if self.kinds.get(k) == "int":
                out.append((k, int(min(max(round(float(v)), lo), hi))))
            else:
                out.append((k, float(v)))
        return tuple(out)

    def to_dict(self) -> dict:
        """Plain form for JSON."""
        d = asdict(self)
        d["bounds"] = {k: list(v) for k, v in self.bounds.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> SampleSettings:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["bounds"] = {k: tuple(v) for k, v in d["bounds"].items()}
        return cls(**d)


def check_settings(st: SampleSettings) -> None:
    """Sample sizes SALib can use; HarnessError otherwise."""
    if st.method not in METHODS:
        raise HarnessError(f"--method: must be one of {', '.join(METHODS)}, got {st.method!r}")
    if st.method == "sobol" and (st.N < 2 or st.N & (st.N - 1)):
        raise HarnessError(f"-N: Sobol sampling needs a power of two (e.g. 64), got {st.N}")
    if st.method == "fast" and st.N <= 4 * st.M**2:
        raise HarnessError(f"-N: FAST needs N > {4 * st.M**2}, got {st.N}")
    if st.method == "morris" and st.N < 2:
        raise HarnessError(f"-N: Morris needs at least 2 trajectories, got {st.N}")
    if st.replicates < 1:
        raise HarnessError(f"--replicates: must be at least 1, got {st.replicates}")
    if st.calc_second_order and st.method != "sobol":
        raise HarnessError("--second-order: only the Sobol method has second-order indices")


def _analysis_seed(seed: int) -> int:
    """A non-zero seed for SALib's bootstraps (its Sobol and FAST treat 0 as 'unseeded')."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0] % (2**31 - 2)) + 1


# --------------------------------------------------------------------------- analysis
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


def noise_share(runs: pd.DataFrame, metric: str, replicates: int) -> float | None:
    """Share of the variance of the point means that is replicate noise.

    Within-point variance over ``replicates`` runs, divided by ``replicates`` (the
    noise left in a mean), over the variance of the point means. None with one
    replicate.
    """
    if replicates < 2:
        return None
    ok = runs[runs["status"] == "ok"]
    g = ok.groupby("point")[metric]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        within = float(np.nanmean(g.var(ddof=1).to_numpy(dtype=float)))
        total = float(np.nanvar(g.mean().to_numpy(dtype=float), ddof=1))
    if not (np.isfinite(within) and np.isfinite(total)) or total <= 0:
        return None
    return float(min(within / replicates / total, 1.0))


@dataclass
class SensitivityResult(StudyData):
    """Indices per metric.

    Attributes:
        settings: the sample's settings.
        scenario: the scenario's name ("" for a plain function).
        indices: metric -> index name -> parameter -> value (as in the JSON).
        convergence: metric -> [{"n", "index", "conf"}] (Sobol ST, Morris mu_star).
        noise: metric -> share of the output variance that is replicate noise.
    """

    settings: SampleSettings | None = None
    scenario: str = ""
    indices: dict = field(default_factory=dict)
    convergence: dict = field(default_factory=dict)
    noise: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Long table: metric, index, parameter, value, conf."""
        rows = []
        for metric, res in self.indices.items():
            for key, per in res.items():
                if key.endswith("_conf") or not isinstance(per, dict) or key.startswith("S2"):
                    continue
                conf = res.get(f"{key}_conf", {})
                for p, v in per.items():
                    rows.append(
                        {
                            "metric": metric,
                            "index": key,
                            "param": p,
                            "value": v,
                            "conf": conf.get(p),
                        }
                    )
        return pd.DataFrame(rows, columns=["metric", "index", "param", "value", "conf"])

    def to_dict(self) -> dict:
        """The JSON document of ``xborder sensitivity --format json`` (DESIGN 4.2)."""
        st = self.settings
        metrics = {m: {**res, "noise_share": self.noise.get(m)} for m, res in self.indices.items()}
        return clean(
            {
                "method": st.method,
                "params": st.names,
                "runs": len(self.runs),
                "scenario": self.scenario,
                "sample": st.to_dict(),
                "metrics": metrics,
                "convergence": self.convergence,
            }
        )


def _outputs(runs: pd.DataFrame, st: SampleSettings, metric: str) -> np.ndarray:
    """Per design point: the mean of the metric over its successful replicates."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[metric].mean() if metric in ok else pd.Series(dtype=float)
    return means.reindex(range(st.n_points())).to_numpy(dtype=float)


def analyze_runs(
    runs: pd.DataFrame,
    st: SampleSettings,
    metrics: list[str],
    calc_second_order: bool | None = None,
) -> tuple[dict, dict, dict]:
    """Indices, convergence and noise share for each metric of a finished sample."""
    X = st.sample()
    indices, conv, noise = {}, {}, {}
    for m in metrics:
        Y = _outputs(runs, st, m)
        indices[m] = analyze(st, Y, X, calc_second_order)
        conv[m] = convergence(st, Y, X) if "note" not in indices[m] else []
        noise[m] = noise_share(runs, m, st.replicates)
    return indices, conv, noise


def analyze_study(
    out: Path | str, calc_second_order: bool | None = None, metrics: list[str] | None = None
) -> SensitivityResult:
    """Re-analyse a finished sensitivity study from its output directory.

    The sample's settings are read from the manifest; a ``calc_second_order`` that
    differs from them is refused.
    """
    import json

    out = Path(out)
    try:
        man = json.loads((out / "manifest.json").read_text())
        st = SampleSettings.from_dict(man["settings"]["sample"])
        runs = pd.read_parquet(out / "runs.parquet")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise HarnessError(f"{out}: not a sensitivity study ({type(e).__name__}: {e})") from None
    data = StudyData(runs, manifest=man, out=out)
    names = check_metrics(metrics, data.metrics) or data.metrics
    ind, conv, noise = analyze_runs(runs, st, names, calc_second_order)
    return SensitivityResult(
        **vars(data),
        settings=st,
        scenario=man.get("scenario") or "",
        indices=ind,
        convergence=conv,
        noise=noise,
    )


def sensitivity(
    scenario: Scenario | str | Path | None,
    method: str = "sobol",
    params: list[str] | dict | None = None,
    n: int | None = None,
    replicates: int = 1,
    seed: int = 0,
    *,
    metrics: list[str] | None = None,
    calc_second_order: bool = False,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    evaluator=None,
    **execution,
) -> SensitivityResult:
    """Global sensitivity analysis of a scenario's metrics to its uncertain parameters.

    Args:
        scenario: a Scenario, file or shipped name; None with a FunctionEvaluator.
        method: "sobol", "morris" or "fast".
        params: ``["NAME=LOW:HIGH", ...]`` or ``{name: (low, high)}``; default: the
            scenario's ``[uncertainties]`` table.
        n: base samples (Sobol, a power of two), trajectories (Morris) or samples per
            parameter (FAST, > 64); default 64 / 16 / 128.
        replicates: runs per design point, averaged.
        seed: seed of the sample and root seed of the runs.
        metrics: metrics to analyse (default: every metric).
        calc_second_order: Sobol second-order indices (more runs).
        overrides: ``--set`` strings applied to the scenario first.
        ticks: horizon override.
        evaluator: what a run computes (default: the model); e.g.
            ``FunctionEvaluator(ishigami)`` for the known-answer check.
        **execution: fields of :class:`~sim.harness.study.Execution`.
    """
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides) if scenario is not None else None
    if sc is None and evaluator is None:
        raise HarnessError("sensitivity: give a scenario (or an evaluator for a plain function)")
    if sc is not None:
        check_ticks([sc], ticks)
    bounds, kinds = resolve_params(sc, params)
    st = SampleSettings(
        method=method,
        N=int(n or DEFAULT_N.get(method, 64)),
        calc_second_order=bool(calc_second_order),
        bounds=bounds,
        kinds=kinds,
        seed=seed,
        replicates=replicates,
    )
    check_settings(st)
    metrics = check_metrics(metrics) if evaluator is None else metrics
    X = st.sample()
    seeds = run_seeds(seed, replicates)
    label = sc.name if sc is not None else "function"
    runs = [
        Run(i * replicates + k, label, k, s, point=i, params=st.values(x))
        for i, x in enumerate(X)
        for k, s in enumerate(seeds)
    ]
    ev = evaluator or ModelEvaluator({label: sc}, ticks=ticks, series=False)
    settings = {
        "kind": "sensitivity",
        "scenarios": {label: sc.data} if sc is not None else {},
        "sample": st.to_dict(),
        "ticks": ticks,
        **describe_evaluator(ev),
    }
    scs = {label: sc} if sc is not None else {}
    manifest = base_manifest("sensitivity", scs, seed, seeds, len(runs))
    overrides_by = {label: sc.overrides} if sc is not None else None
    data = _conduct(runs, ev, settings, manifest, ex, f"{method} {label}", overrides_by)
    names = [m for m in (metrics or data.metrics) if m in data.runs.columns]
    complete = data.state == "finished"
    ind, conv, noise = analyze_runs(data.runs, st, names) if complete else ({}, {}, {})
    result = SensitivityResult(
        **vars(data),
        settings=st,
        scenario=sc.name if sc is not None else "",
        indices=ind,
        convergence=conv,
        noise=noise,
    )
    if ex.out is not None and complete:
        write_sensitivity_outputs(
            result, [m for m in (metrics or MAIN) if m in names][:4] or names[:4]
        )
    return result


def write_sensitivity_outputs(result: SensitivityResult, shown: list[str]) -> None:
    """sensitivity.json, summary.csv (long table), figures/indices.png and convergence.png."""
    import matplotlib.pyplot as plt

    from sim.plotting import plot_convergence, plot_indices

    out = Path(result.out)
    write_json(out / "sensitivity.json", result.to_dict())
    result.table().to_csv(out / "summary.csv", index=False)
    (out / "figures").mkdir(exist_ok=True)
    shown = [m for m in shown if "note" not in result.indices.get(m, {"note": ""})]
    if not shown:
        return
    for name, plot, data in (
        ("indices", plot_indices, result.indices),
        ("convergence", plot_convergence, result.convergence),
    ):
        if name == "convergence" and not any(result.convergence.get(m) for m in shown):
            continue
        fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 3.6), squeeze=False)
        for ax, m in zip(axes[0], shown):
            plot(data[m], ax=ax, metric=m, method=result.settings.method)
        fig.tight_layout()
        fig.savefig(out / "figures" / f"{name}.png", dpi=120)
        plt.close(fig)


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


__all__ = [
    "FunctionEvaluator",
    "ISHIGAMI_BOUNDS",
    "SampleSettings",
    "SensitivityResult",
    "analyze",
    "analyze_study",
    "ishigami",
    "ishigami_indices",
    "sensitivity",
]
