"""The kinds of experiment and what each computes, with the keys of its experiment file.

Validation rows, policy portfolios, sensitivity and (:mod:`sim.experiments.recommend`)
recommendations. Each runner takes a loaded :class:`~sim.experiments.registry.Experiment`
(full or quick settings already resolved) and returns a
:class:`~sim.experiments.base.KindOutput`: its tables (name -> tidy DataFrame, the CSVs
that ``verify`` compares exactly) and provenance for the manifest (seeds, the resolved
scenarios). :data:`KINDS` (schemas) and :data:`RUNNERS` list every kind; a new kind is
a schema and a runner added to both.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from sim.experiments import calibrate, recommend
from sim.experiments.base import KindOutput, seed_list, status
from sim.harness.executors import HarnessError

#: key -> (type, required) for every experiment file
COMMON = {
    "name": (str, True),
    "description": (str, True),
    "kind": (str, True),
    "seed": (int, False),
    "replicates": (int, False),
    "ticks": (int, False),
    "figures": (list, False),
    "quick": (dict, False),
}
#: the keys of each kind, on top of COMMON
KINDS = {
    "validation": {"check": (str, True)},
    "portfolio": {
        "scenario": (str, True),
        "levers": (list, True),
        "combinations": (list, False),
        "metrics": (list, False),
    },
    "sensitivity": {
        "scenario": (str, True),
        "method": (str, False),
        "emulator": (str, False),
        "samples": (int, False),
        "params": (list, False),
        "metrics": (list, False),
    },
    "recommend": recommend.SCHEMA,
    "calibrate": calibrate.SCHEMA,
}
#: keys a [quick] table may override
QUICK = {
    "replicates": int,
    "ticks": int,
    "samples": int,
    "params": list,
    "worlds": int,
    "top": int,
    "max_agreements": int,
    "levers": list,
    "waves": int,
    "points": int,
    "particles": int,
    "generations": int,
}
#: sensitivity's default outputs
SENSITIVITY_METRICS = ["delivered", "interdiction_rate", "displacement"]
STATUS_QUO = "status quo"
#: leading columns of a portfolio's effects table
EFFECT_COLUMNS = [
    "alternative",
    "levers",
    "metric",
    "baseline_mean",
    "alternative_mean",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "a12",
    "p_value",
    "p_holm",
    "n_pairs",
    "unit",
]


# ------------------------------------------------------------------------ validation
def run_validation(exp, workers: int | None, progress: bool) -> KindOutput:
    """Run one docs/VALIDATION.md check: verdict.csv plus the check's own tables."""
    from sim.validation.registry import CHECKS, Setting

    check_id = exp.data["check"]
    if check_id not in CHECKS:
        raise HarnessError(
            f"{exp.path}: check: no check {check_id!r} in sim.validation.CHECKS "
            f"(known: {', '.join(CHECKS)})"
        )
    names = {f.name for f in dataclasses.fields(Setting)}
    kw = {"seed": exp.seed, "workers": workers}
    if "replicates" in exp.data:
        kw["replicates"] = exp.data["replicates"]
    if exp.quick and "quick" in names:
        kw["quick"] = True
    if exp.data.get("ticks") is not None:
        if "ticks" not in names:
            raise HarnessError(f"{exp.path}: ticks: the checks take no horizon (Setting.ticks)")
        kw["ticks"] = exp.data["ticks"]
    setting = Setting(**kw)
    with status(f"{exp.name}: check {check_id}", progress):
        result = CHECKS[check_id](setting)
    verdict = pd.DataFrame(
        [
            {"criterion": k, "value": float(v), "passed": bool(result.criteria.get(k, False))}
            for k, v in result.value.items()
        ],
        columns=["criterion", "value", "passed"],
    )
    tables = {"verdict": verdict}
    for name, df in (getattr(result, "tables", None) or {}).items():
        tables[name] = df.reset_index(drop=True)
    used = getattr(setting, "replicates", None)
    provenance = {
        "check": check_id,
        "check_name": result.name,
        "expected": result.expected,
        "passed": bool(result.passed),
        "setting": {k: getattr(setting, k) for k in names},
        "root_seed": exp.seed,
        "run_seeds": seed_list(exp.seed, used) if used else [],
        "note": "checks may raise the replicates to what their verdict needs (Setting.more)",
    }
    word = "PASSED" if result.passed else "FAILED"
    if exp.quick:  # quick settings exercise the pipeline; their verdict means nothing
        word = "pipeline check (quick settings; verdict needs the full run)"
    summary = f"{check_id} {result.name}: {word} ({result.value_text()})"
    return KindOutput(tables, provenance, summary)


# ------------------------------------------------------------------------- portfolio
def alternatives(exp, sc) -> dict[str, list[str]]:
    """Label -> candidate labels: each lever alone, then each combination."""
    levers = exp.data["levers"]
    known = list(sc.candidates)
    for lever in levers:
        if not isinstance(lever, str) or lever not in known:
            raise HarnessError(
                f"{exp.path}: levers: no candidate {lever!r} in scenario {sc.name} "
                f"(known: {', '.join(known) or 'none'})"
            )
    out = {lever: [lever] for lever in levers}
    for combo in exp.data.get("combinations", []):
        parts = list(levers) if combo == "all" else combo
        if (
            not isinstance(parts, list)
            or not parts
            or not all(isinstance(p, str) and p in levers for p in parts)
        ):
            raise HarnessError(
                f'{exp.path}: combinations: {combo!r} is not "all" or a list of levers '
                f"({', '.join(levers)})"
            )
        out["all" if combo == "all" else "+".join(parts)] = list(parts)
    return out


def run_portfolio(exp, workers: int | None, progress: bool) -> KindOutput:
    """Status quo vs each lever and combination, paired by seed; effects and cost-effectiveness."""
    from sim.harness.comparison import compare
    from sim.scenario import load_scenario

    base = load_scenario(exp.data["scenario"])
    alts = alternatives(exp, base)
    arms = [base.with_candidates([], name=STATUS_QUO)]
    arms += [base.with_candidates(levers, name=label) for label, levers in alts.items()]
    metrics = exp.data.get("metrics") or None
    cmp = compare(
        arms[0],
        arms[1:],
        exp.replicates,
        exp.seed,
        ticks=exp.data.get("ticks"),
        metrics=metrics,
        workers=workers,
        progress=progress,
    )
    bad = cmp.failed
    if len(bad):
        first = bad.iloc[0]
        raise RuntimeError(f"{len(bad)} runs failed; first: {first['scenario']}: {first['error']}")
    effects = cmp.table.rename(columns={"scenario": "alternative"})
    effects.insert(1, "levers", effects["alternative"].map(lambda a: " ".join(alts[a])))
    effects = effects[[*EFFECT_COLUMNS, *[c for c in effects if c not in EFFECT_COLUMNS]]]
    rows = []
    for label, levers in alts.items():
        ce = cmp.cost_effectiveness.get(label) or {}
        per_m = ce.get("delivered_change_per_million_usd")
        lo, hi = ce.get("ci_low"), ce.get("ci_high")
        rows.append(
            {
                "alternative": label,
                "levers": " ".join(levers),
                "n_levers": len(levers),
                "policy_cost_change": ce.get("policy_cost_change"),
                "delivered_change_per_year": ce.get("delivered_change_per_year"),
                "reduction_per_million_usd": None if per_m is None else 0.0 - per_m,
                "reduction_ci_low": None if hi is None else 0.0 - hi,
                "reduction_ci_high": None if lo is None else 0.0 - lo,
                "usd_per_unit_averted": ce.get("usd_per_unit_averted"),
                "unit": f"{cmp.unit} a year less delivered per million USD a year",
            }
        )
    ce_table = pd.DataFrame(rows).astype(
        {
            c: float
            for c in (
                "policy_cost_change",
                "delivered_change_per_year",
                "reduction_per_million_usd",
                "reduction_ci_low",
                "reduction_ci_high",
                "usd_per_unit_averted",
            )
        }
    )
    provenance = {
        "scenario": base.name,
        "scenario_path": str(base.path),
        "resolved_scenario": base.data,
        "alternatives": alts,
        "candidates": {lab: base.candidates[lab] for lab in exp.data["levers"]},
        "root_seed": exp.seed,
        "run_seeds": seed_list(exp.seed, exp.replicates),
        "runs": len(cmp.runs),
    }
    best = ce_table.sort_values("reduction_per_million_usd", ascending=False).iloc[0]
    summary = (
        f"{len(alts)} alternatives vs {STATUS_QUO}, {exp.replicates} paired replicates; "
        f"most cost-effective: {best['alternative']} "
        f"({best['reduction_per_million_usd']:.4g} {cmp.unit}/year less per million USD)"
    )
    return KindOutput({"effects": effects, "cost_effectiveness": ce_table}, provenance, summary)


# ----------------------------------------------------------------------- sensitivity
def run_sensitivity(exp, workers: int | None, progress: bool) -> KindOutput:
    """Sobol (or Morris/FAST) indices with their convergence and replicate noise.

    With ``emulator``: Sobol indices of an emulator of the mean
    (:func:`sim.experiments.emulated.run_emulated`).
    """
    from sim.experiments.emulated import noise_table, run_emulated
    from sim.harness.sensitivity_analysis import sensitivity
    from sim.scenario import load_scenario

    sc = load_scenario(exp.data["scenario"])
    method = exp.data.get("method", "sobol")
    metrics = exp.data.get("metrics") or SENSITIVITY_METRICS
    if exp.data.get("emulator"):
        return run_emulated(exp, sc, metrics, workers, progress)
    res = sensitivity(
        sc,
        method,
        exp.data.get("params") or None,
        exp.data.get("samples"),
        exp.replicates,
        exp.seed,
        metrics=metrics,
        ticks=exp.data.get("ticks"),
        workers=workers,
        progress=progress,
    )
    bad = res.failed
    if len(bad):
        raise RuntimeError(f"{len(bad)} runs failed; first: {bad.iloc[0]['error']}")
    conv = [
        {"metric": m, "n": d["n"], "param": p, "index": v, "conf": d["conf"].get(p)}
        for m in metrics
        for d in res.convergence.get(m, [])
        for p, v in d["index"].items()
    ]
    tables = {
        "indices": res.table(),
        "convergence": pd.DataFrame(conv, columns=["metric", "n", "param", "index", "conf"]),
        "noise": noise_table(res, metrics),
    }
    st = res.settings
    provenance = {
        "scenario": sc.name,
        "scenario_path": str(sc.path),
        "resolved_scenario": sc.data,
        "sample": st.to_dict(),
        "root_seed": exp.seed,
        "run_seeds": seed_list(exp.seed, exp.replicates),
        "runs": len(res.runs),
    }
    summary = (
        f"{method} on {len(st.names)} parameters, N={st.N}, {len(res.runs)} runs "
        f"({exp.replicates} per design point)"
    )
    return KindOutput(tables, provenance, summary)


RUNNERS = {
    "validation": run_validation,
    "portfolio": run_portfolio,
    "sensitivity": run_sensitivity,
    "recommend": recommend.run_recommend,
    "calibrate": calibrate.run_calibrate,
}
