"""``calibrate``: fit a scenario's uncertain parameters to its ``[targets]``.

The parameters calibrated are the scenario's ``[uncertainties]`` (or ``--param
NAME=LOW:HIGH``), with a uniform prior on their box. Methods: ``history-matching``
(:mod:`sim.calibrate.history`, the default) and ``abc`` (:mod:`sim.calibrate.abc`).
Both give a weighted posterior sample of parameter sets (``posterior``), from which an
ensemble of at most ``ensemble_size`` distinct sets is drawn by systematic resampling
(weights = how often a set was drawn) for ``run``/``compare``/``recommend --ensemble``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.abc import AbcSettings, smc
from sim.calibrate.ensemble import Ensemble, write_ensemble
from sim.calibrate.history import HmSettings, history_match, posterior
from sim.calibrate.runs import run_batch
from sim.calibrate.space import Space, ess, rng_for, systematic_resample, weighted_quantile
from sim.harness.executors import HarnessError
from sim.harness.outputs import clean, git_commit, now, versions, write_json
from sim.harness.study import Execution, as_scenario, check_ticks
from sim.scenario import Scenario, ScenarioError
from sim.targets import Target, check_horizon, parse_targets

METHODS = ("history-matching", "abc")
LEVEL = 0.9  # the posterior intervals reported: 5% and 95% quantiles


@dataclass
class Calibration:
    """A finished (or stopped) calibration.

    Attributes:
        scenario: the scenario's name.
        method: "history-matching" or "abc".
        space: the parameters and their prior box.
        targets: the targets.
        settings: every setting that shaped the numbers.
        posterior: one row per posterior point: parameters, ``weight``, ``batch``
            (wave or generation) and each target's simulated mean.
        diagnostics: one dict per wave or generation.
        ensemble: the resampled ensemble (written with ``out``).
        state: "finished", or the state of the batch that stopped it.
        out: the output directory, if any.
    """

    scenario: str
    method: str
    space: Space
    targets: list[Target]
    settings: dict
    posterior: pd.DataFrame
    diagnostics: list[dict] = field(default_factory=list)
    ensemble: Ensemble | None = None
    state: str = "finished"
    out: Path | None = None

    @property
    def weights(self) -> np.ndarray:  # noqa: D102
        return self.posterior["weight"].to_numpy(dtype=float)

    def intervals(self) -> dict[str, dict]:
        """Per parameter: prior box, posterior mean, 5%, 50% and 95% quantiles, width ratio."""
        out = {}
        w = self.weights
        for k, (lo, hi) in self.space.bounds.items():
            x = self.posterior[k].to_numpy(dtype=float)
            if not len(x):
                out[k] = {"prior_low": lo, "prior_high": hi}
                continue
            q05, q50, q95 = weighted_quantile(x, w, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
            out[k] = {
                "prior_low": lo,
                "prior_high": hi,
                "mean": float(np.sum(w * x)),
                "q05": float(q05),
                "median": float(q50),
                "q95": float(q95),
                "width_ratio": float((q95 - q05) / (LEVEL * (hi - lo))),
            }
        return out

    def fits(self) -> dict[str, dict]:
        """Per target: observed value and sd, and the posterior's simulated means."""
        out = {}
        w = self.weights
        for t in self.targets:
            y = self.posterior[f"sim:{t.name}"].to_numpy(dtype=float) if len(w) else np.zeros(0)
            ok = np.isfinite(y)
            row = {"metric": t.metric, "value": t.value, "sd": t.sd, "source": t.source}
            if ok.any():
                q = weighted_quantile(y[ok], w[ok], [0.05, 0.5, 0.95])
                mean = float(np.sum(w[ok] * y[ok]) / w[ok].sum())
                row |= {"sim_mean": mean, "sim_q05": q[0], "sim_median": q[1], "sim_q95": q[2]}
                row["z"] = (mean - t.value) / t.sd
            out[t.label()] = row
        return out

    def intervals_table(self) -> pd.DataFrame:
        """:meth:`intervals` as a table, one row per parameter."""
        return pd.DataFrame([{"param": k, **v} for k, v in self.intervals().items()])

    def fits_table(self) -> pd.DataFrame:
        """:meth:`fits` as a table, one row per target (``target`` is its name)."""
        rows = [
            {"target": t.name, "label": t.label(), **self.fits()[t.label()]} for t in self.targets
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The JSON document of ``xborder calibrate --format json`` (calibration.json)."""
        return clean(
            {
                "scenario": self.scenario,
                "method": self.method,
                "state": self.state,
                "params": self.space.to_dict(),
                "targets": [t.to_dict() for t in self.targets],
                "settings": self.settings,
                "posterior_points": len(self.posterior),
                "posterior_ess": ess(self.weights) if len(self.posterior) else 0.0,
                "intervals": self.intervals(),
                "fits": self.fits(),
                "diagnostics": self.diagnostics,
                "ensemble": None if self.ensemble is None else str(self.ensemble.path),
            }
        )


def _targets(sc: Scenario, ticks: int | None) -> list[Target]:
    targets = parse_targets(sc.data)
    if not targets:
        raise HarnessError(f"{sc.path}: targets: no [targets] table to calibrate to")
    try:
        check_horizon(targets, sc.burn_in, ticks or sc.ticks, str(sc.path))
    except ScenarioError as e:
        raise HarnessError(str(e)) from None
    return targets


def calibrate(
    scenario: Scenario | str | Path,
    method: str = "history-matching",
    params: list[str] | dict | None = None,
    *,
    replicates: int | None = None,
    hm: HmSettings | None = None,
    abc: AbcSettings | None = None,
    seed: int = 0,
    ticks: int | None = None,
    ensemble_size: int = 20,
    overrides: list[str] | None = None,
    report: Callable[[dict], None] | None = None,
    **execution,
) -> Calibration:
    """Calibrate a scenario's uncertain parameters to its targets.

    Args:
        scenario: a Scenario, file or shipped name with a ``[targets]`` table.
        method: "history-matching" or "abc".
        params: ``NAME=LOW:HIGH`` strings or ``{name: (low, high)}``; default the
            scenario's ``[uncertainties]``.
        replicates: runs per point (default: 3 for history matching, 1 for ABC).
        hm: history matching's settings (:class:`~sim.calibrate.history.HmSettings`).
        abc: ABC-SMC's settings (:class:`~sim.calibrate.abc.AbcSettings`).
        seed: root seed of the designs, proposals and runs.
        ticks: horizon override (every target's window must fit).
        ensemble_size: distinct sets at most in the ensemble drawn from the posterior.
        overrides: ``--set`` strings applied first.
        report: called with each wave's or generation's diagnostics as it ends.
        **execution: fields of :class:`~sim.harness.study.Execution`.
    """
    if method not in METHODS:
        raise HarnessError(f"--method: must be one of {', '.join(METHODS)}, got {method!r}")
    if ensemble_size < 1:
        raise HarnessError(f"--ensemble-size: must be at least 1, got {ensemble_size}")
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    targets = _targets(sc, ticks)
    space = Space.of(sc, params)
    value = np.array([t.value for t in targets])
    sd = np.array([t.sd for t in targets])
    names = [t.name for t in targets]
    if method == "history-matching":
        st = hm or HmSettings()
        points = st.points or max(20, 10 * len(space.names))
        st = replace(st, points=points, replicates=replicates or st.replicates)
        if st.emulator not in ("gp", "gbt"):
            raise HarnessError(f"--emulator: must be gp or gbt, got {st.emulator!r}")
        checks = (("--waves", st.waves, 1), ("--points", st.points, 4), ("--cut", st.cut, 0.5))
    else:
        st = abc or AbcSettings()
        st = replace(st, replicates=replicates or st.replicates)
        checks = (("--particles", st.particles, 4), ("--generations", st.generations, 0))
    for what, v, lo in (("--replicates", st.replicates, 1), *checks):
        if v < lo:
            raise HarnessError(f"{what}: must be at least {lo}, got {v}")
    settings = {"method": method, **st.to_dict(), "seed": seed, "ticks": ticks}
    stopped = {"state": "finished"}

    def run(X, key):
        b = run_batch(sc, space, targets, X, st.replicates, seed, key, ex, ticks, settings)
        if b.state != "finished":
            stopped["state"] = b.state
            raise _Stop
        return b

    diagnostics: list[dict] = []

    def note(d: dict) -> None:
        diagnostics.append(d)
        if report:
            report(d)

    rows = []
    try:
        if method == "history-matching":
            waves = history_match(run, space, names, value, sd, st, seed, lambda w: note(w.stats))
            X, w, means, src = posterior(waves, value, sd, st.cut) if waves else (None,) * 4
        else:
            pops = smc(run, space, value, sd, st, seed, lambda p: note(p.stats))
            last = pops[-1]
            X, w, means = last.X, last.w, last.mean
            src = np.full(len(X), last.stats["generation"])
    except _Stop:
        X = None
    if X is not None:
        df = pd.DataFrame(X, columns=space.names)
        df["weight"] = w
        df["batch"] = src
        for k, t in enumerate(targets):
            df[f"sim:{t.name}"] = means[:, k]
        rows = df
    post = (
        rows
        if isinstance(rows, pd.DataFrame)
        else pd.DataFrame(columns=[*space.names, "weight", "batch", *[f"sim:{n}" for n in names]])
    )
    cal = Calibration(
        sc.name,
        method,
        space,
        targets,
        settings,
        post,
        diagnostics,
        state=stopped["state"],
        out=ex.out,
    )
    if len(post) and stopped["state"] == "finished":
        cal.ensemble = resample(cal, ensemble_size, seed, sc)
    if ex.out is not None:
        write_outputs(cal, sc, ex)
    return cal


class _Stop(Exception):
    """A batch was interrupted or stopped: the calibration ends with what it has."""


def resample(cal: Calibration, size: int, seed: int, sc: Scenario) -> Ensemble:
    """At most ``size`` distinct sets drawn by systematic resampling; weight = share of draws."""
    idx = systematic_resample(cal.weights, size, rng_for(seed, "ensemble"))
    sets, counts = np.unique(idx, return_counts=True)
    params = cal.posterior.iloc[sets][cal.space.names].reset_index(drop=True)
    header = _header(cal, sc)
    path = Path(cal.out) / "ensemble.csv" if cal.out is not None else None
    if path is None:
        return Ensemble(params, counts / counts.sum(), header, None)
    return write_ensemble(path, params, counts / counts.sum(), header)


def _header(cal: Calibration, sc: Scenario) -> dict:
    return {
        "scenario": cal.scenario,
        "scenario_path": str(sc.path),
        "overrides": list(sc.overrides),
        "method": cal.method,
        "targets": [t.to_dict() for t in cal.targets],
        "params": cal.space.to_dict(),
        "settings": cal.settings,
        "posterior_points": len(cal.posterior),
        "weights": "share of systematic resampling draws from the posterior (sum to 1)",
        "git_commit": git_commit(),
    }


def write_outputs(cal: Calibration, sc: Scenario, ex: Execution) -> None:
    """calibration.json, posterior.csv, diagnostics.csv (figures: sim.plotting)."""
    out = Path(cal.out)
    out.mkdir(parents=True, exist_ok=True)
    cal.posterior.to_csv(out / "posterior.csv", index=False)
    pd.json_normalize(cal.diagnostics).to_csv(out / "diagnostics.csv", index=False)
    doc = cal.to_dict()
    doc["provenance"] = {
        "command": ex.command,
        "scenario_path": str(sc.path),
        "overrides": list(sc.overrides),
        "versions": versions(),
        "git_commit": git_commit(),
        "finished": now(),
    }
    write_json(out / "calibration.json", doc)


__all__ = ["METHODS", "Calibration", "calibrate", "resample"]
