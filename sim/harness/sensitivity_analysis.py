"""Global sensitivity analysis with SALib: Sobol, Morris and FAST over uncertain parameters.

The harness supplies only ``f(X) -> Y``: SALib draws the design points
(:mod:`sim.harness.sampling`), each point is run ``replicates`` times (replicate k has
the same seed at every point: common random numbers) through the same batching and
executor path as any study, the replicate mean is the output, and SALib computes the
indices with bootstrap intervals (:mod:`sim.harness.indices`). The sample's settings
(method, N, calc_second_order, bounds, seed, replicates) are stored with the results,
and an analysis that does not match them is refused.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.comparison import check_metrics
from sim.harness.executors import HarnessError
from sim.harness.indices import (
    FLAG_NOTES,
    ISHIGAMI_BOUNDS,
    NOISE_FLAG,
    ST_SUM_FLAG,
    analyze,
    convergence,
    ishigami,
    ishigami_indices,
    noise_share,
    quality_flags,
    st_sum,
)
from sim.harness.outputs import clean, write_json
from sim.harness.replicates import MAX_REPLICATES, NOISE_TARGET, auto_replicates, describe
from sim.harness.runner import FunctionEvaluator, ModelEvaluator, Run, describe_evaluator
from sim.harness.sampling import (
    DEFAULT_N,
    SampleSettings,
    check_settings,
    resolve_params,
)
from sim.harness.study import Execution, StudyData, as_scenario, base_manifest, check_ticks
from sim.harness.study import conduct as _conduct
from sim.rng import run_seeds
from sim.scenario import Scenario


@dataclass
class SensitivityResult(StudyData):
    """Indices per metric.

    Attributes:
        settings: the sample's settings.
        scenario: the scenario's name ("" for a plain function).
        indices: metric -> index name -> parameter -> value (as in the JSON).
        convergence: metric -> [{"n", "index", "conf"}] (Sobol ST, Morris mu_star).
        noise: metric -> replicate noise over the variance of the point means (unclipped).
        replicates_auto: what ``replicates="auto"`` chose and why (None otherwise).
    """

    settings: SampleSettings | None = None
    scenario: str = ""
    indices: dict = field(default_factory=dict)
    convergence: dict = field(default_factory=dict)
    noise: dict = field(default_factory=dict)
    replicates_auto: dict | None = None

    def quality(self, metric: str) -> dict:
        """A metric's ``noise_share``, ``st_sum`` and ``flags`` (see ``FLAG_NOTES``)."""
        res, noise = self.indices.get(metric, {}), self.noise.get(metric)
        flags = quality_flags(res, noise)
        auto = (self.replicates_auto or {}).get("metrics", {}).get(metric, {})
        if auto.get("reachable") is False:
            flags.append("noise_target_missed")
        return {"noise_share": noise, "st_sum": st_sum(res), "flags": flags}

    def describe_replicates(self) -> str:
        """One line: what ``replicates="auto"`` chose and why ("" otherwise)."""
        return describe(self.replicates_auto) if self.replicates_auto else ""

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
        """The JSON document of ``xborder sensitivity --format json``."""
        st = self.settings
        metrics = {m: {**res, **self.quality(m)} for m, res in self.indices.items()}
        auto = {"replicates_auto": self.replicates_auto} if self.replicates_auto else {}
        return clean(
            {
                "method": st.method,
                "params": st.names,
                "runs": len(self.runs),
                "scenario": self.scenario,
                "sample": st.to_dict(),
                "metrics": metrics,
                "convergence": self.convergence,
                "flag_thresholds": {"noise_share": NOISE_FLAG, "st_sum": ST_SUM_FLAG},
                "flag_notes": FLAG_NOTES,
                **auto,
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
        replicates_auto=man.get("replicates_auto"),
    )


@dataclass
class SampledStudy:
    """What a sampled sensitivity study shares, direct or emulated, around its design.

    :meth:`open` reads the execution options, the scenario and the parameter bounds;
    :meth:`evaluate` checks the metrics, makes the evaluator and, for
    ``replicates="auto"``, runs the pilot (:mod:`sim.harness.replicates`);
    :meth:`conduct` runs each design point ``replicates`` times (replicate k has the
    same seed at every point: common random numbers) with its settings and manifest.
    Used by :func:`sensitivity` and
    :func:`~sim.harness.emulated_sensitivity.emulator_sensitivity`.
    """

    ex: Execution
    sc: Scenario | None
    bounds: dict
    kinds: dict
    ticks: int | None
    seed: int
    label: str = ""
    ev: object = None
    overrides_by: dict | None = None
    metrics: list[str] | None = None
    choice: dict | None = None

    @classmethod
    def open(
        cls, scenario, params, overrides, ticks, evaluator, seed: int, execution: dict
    ) -> SampledStudy:
        """The scenario (None with an evaluator alone) and its parameters' bounds and kinds."""
        ex = Execution(**execution)
        sc = as_scenario(scenario, overrides) if scenario is not None else None
        if sc is None and evaluator is None:
            raise HarnessError(
                "sensitivity: give a scenario (or an evaluator for a plain function)"
            )
        if sc is not None:
            check_ticks([sc], ticks)
        bounds, kinds = resolve_params(sc, params)
        return cls(ex, sc, bounds, kinds, ticks, seed)

    @property
    def scenario(self) -> str:
        """The scenario's name ("" for a plain function)."""
        return self.sc.name if self.sc is not None else ""

    def evaluate(self, metrics, evaluator, pilot, noise_target, max_replicates) -> int | None:
        """Check the metrics and make the evaluator; the replicates a pilot chooses.

        ``pilot``: the sample the pilot's points are spread over, for
        ``replicates="auto"`` (the choice is kept in ``choice``); None: no pilot (None).
        """
        sc = self.sc
        self.metrics = check_metrics(metrics) if evaluator is None else metrics
        self.label = sc.name if sc is not None else "function"
        self.ev = evaluator or ModelEvaluator({self.label: sc}, ticks=self.ticks, series=False)
        self.overrides_by = {self.label: sc.overrides} if sc is not None else None
        if pilot is None:
            return None
        self.choice = auto_replicates(
            pilot,
            self.ev,
            self.label,
            self.metrics,
            self.ex,
            noise_target,
            max_replicates,
            self.overrides_by,
        )
        return self.choice["replicates"]

    def conduct(self, X, st: SampleSettings, replicates: int, kind: str, design: dict, name):
        """Run the points ``X`` (values by ``st``); ``design`` goes into the settings."""
        sc, label = self.sc, self.label
        seeds = run_seeds(self.seed, replicates)
        runs = [
            Run(i * replicates + k, label, k, s, point=i, params=st.values(x))
            for i, x in enumerate(X)
            for k, s in enumerate(seeds)
        ]
        settings = {
            "kind": kind,
            "scenarios": {label: sc.data} if sc is not None else {},
            **design,
            "ticks": self.ticks,
            **describe_evaluator(self.ev),
        }
        scs = {label: sc} if sc is not None else {}
        manifest = base_manifest("sensitivity", scs, self.seed, seeds, len(runs))
        if self.choice is not None:
            manifest["replicates_auto"] = self.choice
        return _conduct(
            runs, self.ev, settings, manifest, self.ex, f"{name} {label}", self.overrides_by
        )


def sensitivity(
    scenario: Scenario | str | Path | None,
    method: str = "sobol",
    params: list[str] | dict | None = None,
    n: int | None = None,
    replicates: int | str = 1,
    seed: int = 0,
    *,
    noise_target: float = NOISE_TARGET,
    max_replicates: int = MAX_REPLICATES,
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
        replicates: runs per design point, averaged; ``"auto"``: chosen by a pilot
            (:mod:`sim.harness.replicates`) to bring the noise share of ``metrics``
            under ``noise_target``, at most ``max_replicates``.
        seed: seed of the sample and root seed of the runs.
        noise_target: with ``"auto"``: the noise share to reach (0-1).
        max_replicates: with ``"auto"``: the cap (at least 2).
        metrics: metrics to analyse (default: every metric).
        calc_second_order: Sobol second-order indices (more runs).
        overrides: ``--set`` strings applied to the scenario first.
        ticks: horizon override.
        evaluator: what a run computes (default: the model); e.g.
            ``FunctionEvaluator(ishigami)`` for the known-answer check.
        **execution: fields of :class:`~sim.harness.study.Execution`.
    """
    s = SampledStudy.open(scenario, params, overrides, ticks, evaluator, seed, execution)
    auto = replicates == "auto"
    if isinstance(replicates, str) and not auto:
        raise HarnessError(f"--replicates: a whole number or 'auto', got {replicates!r}")
    st = SampleSettings(
        method=method,
        N=int(n or DEFAULT_N.get(method, 64)),
        calc_second_order=bool(calc_second_order),
        bounds=s.bounds,
        kinds=s.kinds,
        seed=seed,
        replicates=1 if auto else int(replicates),
    )
    check_settings(st)
    chosen = s.evaluate(metrics, evaluator, st if auto else None, noise_target, max_replicates)
    if chosen is not None:
        replicates = chosen
        st = SampleSettings(**{**asdict(st), "replicates": replicates})
    design = {"sample": st.to_dict()}
    data = s.conduct(st.sample(), st, replicates, "sensitivity", design, method)
    names = [m for m in (s.metrics or data.metrics) if m in data.runs.columns]
    complete = data.state == "finished"
    ind, conv, noise = analyze_runs(data.runs, st, names) if complete else ({}, {}, {})
    result = SensitivityResult(
        **vars(data),
        settings=st,
        scenario=s.scenario,
        indices=ind,
        convergence=conv,
        noise=noise,
        replicates_auto=s.choice,
    )
    if s.ex.out is not None and complete:
        write_sensitivity_outputs(result)
    return result


def write_sensitivity_outputs(result: SensitivityResult) -> None:
    """sensitivity.json and summary.csv (long table); figures: ``sim.plotting``."""
    out = Path(result.out)
    write_json(out / "sensitivity.json", result.to_dict())
    result.table().to_csv(out / "summary.csv", index=False)


__all__ = [
    "FunctionEvaluator",
    "ISHIGAMI_BOUNDS",
    "SampleSettings",
    "SensitivityResult",
    "analyze",
    "analyze_study",
    "ishigami",
    "ishigami_indices",
    "resolve_params",
    "sensitivity",
]
