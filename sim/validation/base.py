"""Building blocks of the stylized-fact checks: results, settings, arms, verdicts.

Every check module (:mod:`sim.validation.routes`, :mod:`sim.validation.supply`,
:mod:`sim.validation.legal`) imports from here; :mod:`sim.validation.registry`
assembles the registry ``CHECKS``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.harness.runner import RunResult, run_replicates
from sim.harness.stats import mean_ci
from sim.scenario import Scenario, validate

TOY = "toy_corridor"


@dataclass
class CheckResult:
    """One check's verdict.

    Attributes:
        id: row id in docs/VALIDATION.md (V1, V2, ...).
        name: the stylized fact.
        passed: whether every criterion held.
        value: the measured numbers (criterion -> value).
        expected: the expectation, in words.
        criteria: criterion -> passed.
        tables: figure data, name -> tidy DataFrame (what experiments write and plot).
        units: criterion -> unit of its statistic.
        intervals: criterion -> (low, high), its 95% interval where it has one.
        rules: criterion -> the rule it is judged by, in words.
    """

    id: str
    name: str
    passed: bool
    value: dict
    expected: str
    criteria: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    units: dict = field(default_factory=dict)
    intervals: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON form (``xborder validate --format json``)."""
        return {
            "id": self.id,
            "name": self.name,
            "passed": self.passed,
            "value": self.value,
            "expected": self.expected,
            "criteria": self.criteria,
            "units": self.units,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "rules": self.rules,
        }

    def lines(self) -> list[dict]:
        """Per criterion: statistic, unit, 95% interval (or None), rule, passed."""
        return [
            {
                "criterion": k,
                "value": v,
                "unit": self.units.get(k, ""),
                "interval": self.intervals.get(k),
                "rule": self.rules.get(k, ""),
                "passed": self.criteria.get(k),
            }
            for k, v in self.value.items()
        ]

    def value_text(self) -> str:
        """Short rendering of the measured values for tables."""
        parts = []
        for k, v in self.value.items():
            ok = self.criteria.get(k)
            mark = "" if ok is None else (" ok" if ok else " NO")
            parts.append(f"{k}={v:.3g}{mark}" if isinstance(v, float) else f"{k}={v}{mark}")
        return "; ".join(parts)


@dataclass
class Setting:
    """How checks run: replicates per arm, root seed, workers.

    ``quick`` keeps ``replicates`` as given: checks that need more pairs for a verdict
    (``more``) do not raise the count. Quick runs exercise the pipeline; their verdicts
    are not meaningful.
    """

    replicates: int = 12
    seed: int = 0
    workers: int | None = None
    quick: bool = False

    def more(self, n: int) -> Setting:
        """The setting with at least ``n`` replicates per arm (unless quick)."""
        if self.quick:
            return self
        return Setting(max(self.replicates, n), self.seed, self.workers)

    def run(self, sc: Scenario) -> list[RunResult]:
        """Run the arm; fail loudly if a run crashed (a check needs every pair)."""
        res = run_replicates(sc, self.replicates, seed=self.seed, workers=self.workers)
        bad = [r for r in res if r.status != "ok"]
        if bad:
            raise RuntimeError(f"{sc.name}: run {bad[0].replicate} failed: {bad[0].error}")
        return res


def variant(sc: Scenario, name: str, policies=(), overrides=()) -> Scenario:
    """A copy of ``sc`` with extra policies and ``--set`` style overrides."""
    out = sc.with_overrides(list(overrides))
    data = copy.deepcopy(out.data)
    data["policies"] = [*data.get("policies", []), *policies]
    validate(data, sc.path)
    return Scenario(name, sc.path, data, out.overrides)


def window_sum(results, attr: str, start: int, stop: int | None = None) -> np.ndarray:
    """Per run: (states,) sums of a per-week per-state array over ticks [start, stop)."""
    return np.array([getattr(r, attr)[start:stop].sum(0) for r in results])


def metric(results, name: str, start: int | None = None, stop: int | None = None) -> np.ndarray:
    """Per run: a summary metric (whole window) or the mean of its series over [start, stop)."""
    if start is None:
        return np.array([r.summary[name] for r in results])
    return np.array([np.nanmean(r.series[name][start:stop]) for r in results])


@dataclass(frozen=True)
class Crit:
    """A criterion: its statistic, verdict, unit, rule in words and 95% interval."""

    value: float
    ok: bool
    unit: str = ""
    rule: str = ""
    ci: tuple[float, float] | None = None


def crit(value, ok, unit: str, rule: str, ci=None) -> Crit:
    """A criterion judged by ``rule`` (``ci``: its 95% interval, if it has one)."""
    return Crit(float(value), bool(ok), unit, rule, None if ci is None else tuple(ci))


def above(d: dict, unit: str, what: str = "paired change") -> Crit:
    """Passes when the 95% interval of a paired difference lies above zero."""
    ci = (d["diff_ci_low"], d["diff_ci_high"])
    return crit(d["diff_mean"], _positive(d), unit, f"{what} > 0: 95% interval above zero", ci)


def below(d: dict, unit: str, what: str = "paired change") -> Crit:
    """Passes when the 95% interval of a paired difference lies below zero."""
    ci = (d["diff_ci_low"], d["diff_ci_high"])
    return crit(d["diff_mean"], _negative(d), unit, f"{what} < 0: 95% interval below zero", ci)


def not_lower(d: dict, unit: str, what: str = "paired change") -> Crit:
    """Passes unless the 95% interval of a paired difference lies wholly below zero."""
    ci = (d["diff_ci_low"], d["diff_ci_high"])
    rule = f"{what} not below 0: 95% interval reaches zero or above"
    return crit(d["diff_mean"], _not_lower(d), unit, rule, ci)


def _positive(d: dict) -> bool:
    return d["diff_ci_low"] > 0


def _negative(d: dict) -> bool:
    return d["diff_ci_high"] < 0


def _not_lower(d: dict) -> bool:
    return d["diff_ci_high"] >= 0


def _verdict(
    cid, name, expected, criteria: dict[str, tuple[float, bool] | Crit], tables=None
) -> CheckResult:
    full = {k: c if isinstance(c, Crit) else Crit(c[0], c[1]) for k, c in criteria.items()}
    value = {k: float(c.value) for k, c in full.items()}
    ok = {k: bool(c.ok) for k, c in full.items()}
    res = CheckResult(cid, name, all(ok.values()), value, expected, ok, tables or {})
    res.units = {k: c.unit for k, c in full.items() if c.unit}
    res.intervals = {k: (float(c.ci[0]), float(c.ci[1])) for k, c in full.items() if c.ci}
    res.rules = {k: c.rule for k, c in full.items() if c.rule}
    return res


def ci_row(values, **keys) -> dict:
    """A table row: the given keys plus the mean and 95% interval of ``values``."""
    m, lo, hi = mean_ci(values)
    return {**keys, "mean": m, "ci_low": lo, "ci_high": hi}


def meta_table(**items) -> pd.DataFrame:
    """A (key, value) table of a check's settings (policy start tick, ...), values as text."""
    return pd.DataFrame({"key": list(items), "value": [str(v) for v in items.values()]})
