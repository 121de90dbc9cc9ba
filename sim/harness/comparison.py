"""Paired policy comparison: a baseline and alternatives run on the same seeds.

Replicate k of every scenario gets the same run seed (common random numbers), so
each alternative run has a twin baseline run that shared its luck. Per metric we
report the mean paired difference with a Student-t 95% interval, the Vargha-Delaney
A12 effect size, and the two-sided Wilcoxon signed-rank p-value of the paired
differences, Holm-adjusted across the metrics of each alternative. Cost-effectiveness
is the change in delivered quantity per million USD of policy cost (``policy_cost``,
USD per year; ``delivered`` per week, so both are put on a yearly basis).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import clean, quantity_unit, write_json
from sim.harness.runner import ModelEvaluator, Run, describe_evaluator
from sim.harness.stats import a12, holm, paired_diff, wilcoxon_p
from sim.harness.study import (
    Execution,
    StudyData,
    as_scenario,
    base_manifest,
    check_ticks,
    conduct,
)
from sim.metrics import REGISTRY
from sim.rng import run_seeds
from sim.scenario import Scenario
from sim.suggest import did_you_mean

TEST = (
    "Wilcoxon signed-rank test of the paired differences (two-sided), Holm-adjusted across metrics"
)
WEEKS_PER_YEAR = 52.0


@dataclass
class Comparison(StudyData):
    """Baseline and alternatives, paired by seed.

    Attributes:
        baseline: the baseline's label.
        alternatives: the alternatives' labels.
        replicates: paired replicates asked for.
        seed: the root seed.
        unit: quantity unit (kg, firearms).
        table: one row per alternative and metric: means, paired difference and its
            95% interval, A12, p-value, Holm-adjusted p-value, pairs used, unit.
        cost_effectiveness: per alternative label, see :func:`cost_effectiveness`.
        nominal_costs: per label, the scenario's nominal annual cost of its policies
            (:func:`nominal_policy_cost`), beside ``policy_cost``'s post-burn-in mean.
    """

    baseline: str = ""
    alternatives: list[str] = field(default_factory=list)
    replicates: int = 0
    seed: int = 0
    unit: str = "kg"
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost_effectiveness: dict = field(default_factory=dict)
    nominal_costs: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON document of ``xborder compare --format json``."""
        alts = []
        keys = ("baseline_mean", "alternative_mean", "diff_mean", "diff_ci_low", "diff_ci_high")
        extra = ("a12", "p_value", "p_holm", "n_pairs", "unit")
        for alt in self.alternatives:
            rows = self.table[self.table["scenario"] == alt]
            metrics = {r["metric"]: {k: r[k] for k in (*keys, *extra)} for _, r in rows.iterrows()}
            alts.append(
                {
                    "scenario": alt,
                    "metrics": metrics,
                    "cost_effectiveness": self.cost_effectiveness.get(alt),
                    "nominal_policy_cost": self.nominal_costs.get(alt),
                }
            )
        return clean(
            {
                "baseline": self.baseline,
                "replicates": self.replicates,
                "seed": self.seed,
                "test": TEST,
                "alternatives": alts,
            }
        )


def _labels(scenarios: list[Scenario]) -> list[str]:
    """Distinct labels: the scenario name, else the file stem, else numbered."""
    out: list[str] = []
    for sc in scenarios:
        label = sc.name
        if label in out:
            label = Path(sc.path).stem
        base, i = label, 2
        while label in out:
            label, i = f"{base}#{i}", i + 1
        out.append(label)
    return out


def compare_arms(baseline, alternatives, replicates: int, overrides, ticks) -> dict:
    """A comparison's scenarios by distinct label, the baseline first (checked, loaded).

    HarnessError without an alternative, with fewer than 2 replicates, or a bad scenario.
    Shared by :func:`compare` and :func:`sim.calibrate.across.compare_ensemble`.
    """
    if not alternatives:
        raise HarnessError("compare: give at least one alternative scenario")
    if replicates < 2:
        raise HarnessError(f"--replicates: a comparison needs at least 2, got {replicates}")
    scs = [as_scenario(s, overrides) for s in [baseline, *alternatives]]
    check_ticks(scs, ticks)
    return dict(zip(_labels(scs), scs))


def paired_table(
    runs: pd.DataFrame, baseline: str, alternatives: list[str], metrics: list[str], unit: str
) -> pd.DataFrame:
    """Paired statistics per alternative and metric (see the module docstring)."""
    ok = runs[runs["status"] == "ok"]
    base = ok[ok["scenario"] == baseline].set_index("replicate")
    rows = []
    for alt in alternatives:
        alt_runs = ok[ok["scenario"] == alt].set_index("replicate")
        common = base.index.intersection(alt_runs.index).sort_values()
        block = []
        for name in metrics:
            b = base.loc[common, name].to_numpy(dtype=float)
            a = alt_runs.loc[common, name].to_numpy(dtype=float)
            keep = np.isfinite(a) & np.isfinite(b)
            d = paired_diff(b[keep], a[keep])
            block.append(
                {
                    "scenario": alt,
                    "metric": name,
                    "baseline_mean": d["base_mean"],
                    "alternative_mean": d["alt_mean"],
                    "diff_mean": d["diff_mean"],
                    "diff_ci_low": d["diff_ci_low"],
                    "diff_ci_high": d["diff_ci_high"],
                    "a12": a12(b[keep], a[keep]),
                    "p_value": wilcoxon_p(a[keep] - b[keep]),
                    "n_pairs": int(keep.sum()),
                    "unit": REGISTRY[name].unit.format(q=unit) if name in REGISTRY else "",
                }
            )
        adjusted = holm([r["p_value"] for r in block])
        for r, p in zip(block, adjusted):
            r["p_holm"] = float(p)
        rows += block
    return pd.DataFrame(rows)


def cost_effectiveness(
    runs: pd.DataFrame, baseline: str, alternative: str, unit: str
) -> dict | None:
    """Change in delivered quantity per million USD of policy cost, with its 95% interval.

    ``delivered`` (per week) becomes per year (x 52) and is divided by the paired
    change in ``policy_cost`` (USD per year), so the ratio reads "kg (or firearms)
    delivered per year, per million USD a year"; negative is good. Also the cost per
    unit kept off the market. None when the metrics are missing; the ratios are null
    when the alternative costs nothing more than the baseline. ``effect_detected`` says
    whether the paired 95% interval of the change in delivered excludes zero: only then
    is the ratio a finding (``cost_effectiveness_note`` says so in words), and each
    number's unit is spelled out in a ``*_unit`` field.
    """
    if not {"delivered", "policy_cost"} <= set(runs.columns):
        return None
    t = paired_table(runs, baseline, [alternative], ["delivered", "policy_cost"], unit)
    deliv, cost = (t[t["metric"] == m].iloc[0] for m in ("delivered", "policy_cost"))
    d_year = deliv["diff_mean"] * WEEKS_PER_YEAR
    d_cost = cost["diff_mean"]
    lo, hi = deliv["diff_ci_low"], deliv["diff_ci_high"]
    detected = bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))
    out = {
        "policy_cost_change": d_cost,
        "delivered_change_per_year": d_year,
        "delivered_change_per_million_usd": None,
        "ci_low": None,
        "ci_high": None,
        "usd_per_unit_averted": None,
        "unit": f"{unit} per year per million USD a year",
        "policy_cost_change_unit": "USD per year (mean over the weeks after burn-in)",
        "delivered_change_per_year_unit": f"{unit} per year",
        "usd_per_unit_averted_unit": f"USD per {unit} kept off the market",
        "effect_detected": detected,
        "cost_effectiveness_note": "",
    }
    if np.isfinite(d_cost) and d_cost > 0:
        scale = WEEKS_PER_YEAR / (d_cost / 1e6)
        out["delivered_change_per_million_usd"] = deliv["diff_mean"] * scale
        out["ci_low"] = lo * scale
        out["ci_high"] = hi * scale
        if d_year < 0:
            out["usd_per_unit_averted"] = d_cost / -d_year
    out["cost_effectiveness_note"] = _ce_note(out, lo, hi, unit)
    return out


def _ce_note(ce: dict, lo: float, hi: float, unit: str) -> str:
    """One sentence: whether the ratio means anything (only if the effect is detectable)."""
    interval = f"95% interval {lo:,.4g} .. {hi:,.4g} {unit}/week"
    if not ce["effect_detected"]:
        return (
            f"no detectable effect on delivered ({interval} includes zero): the "
            "cost-effectiveness ratio is not interpretable"
        )
    if ce["delivered_change_per_million_usd"] is None:
        return f"detectable effect on delivered ({interval}) at no extra policy cost"
    return f"detectable effect on delivered ({interval} excludes zero): {ce['unit']}"


def nominal_policy_cost(sc: Scenario) -> float:
    """USD per year of the scenario's ``[[policies]]`` when all are in force (their ``cost``).

    The metric ``policy_cost`` is this nominal cost averaged over every week after
    burn-in, so a policy that starts later counts only for the weeks it is in force.
    """
    return float(sum(float(p.get("cost", 0.0) or 0.0) for p in sc.data.get("policies", [])))


def check_metrics(metrics: list[str] | None, known: list[str] | None = None) -> list[str] | None:
    """Validate ``--metric`` names against the registry (or ``known``)."""
    if not metrics:
        return None
    pool = list(known) if known is not None else list(REGISTRY)
    for m in metrics:
        if m not in pool:
            hint = did_you_mean(m, pool)
            raise HarnessError(f"--metric: unknown metric {m!r}{hint} (known: {', '.join(pool)})")
    return list(dict.fromkeys(metrics))


def compare(
    baseline: Scenario | str | Path,
    alternatives: list[Scenario | str | Path],
    replicates: int = 10,
    seed: int = 0,
    *,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    metrics: list[str] | None = None,
    evaluator=None,
    **execution,
) -> Comparison:
    """Run a baseline and alternatives on the same seeds and compare them pairwise.

    Args:
        baseline: a Scenario, a scenario file, or a shipped scenario's name.
        alternatives: scenarios to compare with it (e.g. files that ``extends`` it and
            add ``[[policies]]``).
        replicates: paired replicates per scenario.
        seed: root seed; replicate k has the same run seed in every scenario.
        overrides: ``--set`` strings applied to every scenario.
        ticks: horizon override.
        metrics: metrics to compare (default: every registered metric).
        evaluator: what a run computes (default: the model).
        **execution: fields of :class:`~sim.harness.study.Execution`.

    Returns:
        A :class:`Comparison`: ``.table``, ``.cost_effectiveness``, ``.to_dict()``,
        ``.runs``, ``.timeseries``.
    """
    ex = Execution(**execution)
    arms = compare_arms(baseline, alternatives, replicates, overrides, ticks)
    metrics = check_metrics(metrics)
    labels, scs = list(arms), list(arms.values())
    seeds = run_seeds(seed, replicates)
    runs = [
        Run(a * replicates + k, label, k, s)
        for a, label in enumerate(labels)
        for k, s in enumerate(seeds)
    ]
    ev = evaluator or ModelEvaluator(arms, ticks=ticks)
    settings = {
        "kind": "compare",
        "scenarios": {k: sc.data for k, sc in arms.items()},
        "baseline": labels[0],
        "replicates": replicates,
        "root_seed": seed,
        "ticks": ticks,
        **describe_evaluator(ev),
    }
    manifest = base_manifest("compare", arms, seed, seeds, len(runs))
    overrides_by = {k: sc.overrides for k, sc in arms.items()}
    data = conduct(runs, ev, settings, manifest, ex, f"compare {labels[0]}", overrides_by)
    unit = quantity_unit(scs)
    names = [m for m in (metrics or data.metrics) if m in data.runs.columns]
    table = paired_table(data.runs, labels[0], labels[1:], names, unit) if len(data.runs) else None
    ce = {alt: cost_effectiveness(data.runs, labels[0], alt, unit) for alt in labels[1:]}
    result = Comparison(
        **vars(data),
        baseline=labels[0],
        alternatives=labels[1:],
        replicates=replicates,
        seed=seed,
        unit=unit,
        table=table if table is not None else pd.DataFrame(),
        cost_effectiveness=ce,
        nominal_costs={k: nominal_policy_cost(sc) for k, sc in arms.items()},
    )
    if ex.out is not None and data.state == "finished":
        write_compare_outputs(result)
    return result


def write_compare_outputs(result: Comparison) -> None:
    """compare.json and summary.csv (the paired table); figures: ``sim.plotting``."""
    out = Path(result.out)
    write_json(out / "compare.json", result.to_dict())
    result.table.to_csv(out / "summary.csv", index=False)
