"""Reports of ``xborder``: comparisons, sensitivity, recommendations, scenario discovery.

Rich tables on the terminal and the recommendation as a Markdown table for READMEs
(failed runs: :func:`sim.cli.helpers.report_failures`).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.cli.helpers import console as _console
from sim.cli.tables import column_fmt, fmt, fmt_p
from sim.metrics import REGISTRY
from sim.recommend.verdict import NO_WINNER, stability_sentence


def comparison_tables(doc: dict, console: Console | None = None) -> None:
    """One table per alternative: metric, means, paired change with 95% CI, A12, Holm p."""
    c = console or _console()
    for alt in doc["alternatives"]:
        t = Table(
            title=f"{alt['scenario']} vs {doc['baseline']}: {doc['replicates']} paired "
            f"replicates (seed {doc.get('seed')})",
            title_justify="left",
            caption="change: alternative - baseline, paired by seed, 95% t interval; "
            "A12: chance an alternative run is higher (0.5 = no effect); "
            "p: Wilcoxon signed-rank, Holm-adjusted across metrics",
            caption_justify="left",
        )
        narrow = c.width < 120  # metric and unit share a cell; the alternative's mean goes
        cols = ("metric", "baseline", "change", "95% interval", "A12", "p")
        if not narrow:
            cols = ("metric", "baseline", "alternative", "change", "95% interval", "A12", "p")
        for col in cols:
            t.add_column(col, justify="left" if col == "metric" else "right", overflow="fold")
        if not narrow:
            t.add_column("unit")
        ms = alt["metrics"].values()
        base = column_fmt(x for v in ms for x in (v["baseline_mean"], v["alternative_mean"]))
        change = column_fmt(v["diff_mean"] for v in ms)
        ci = column_fmt(x for v in ms for x in (v["diff_ci_low"], v["diff_ci_high"]))
        a12 = column_fmt([0.5], 2)
        from sim.metrics import ACCOUNT

        items = alt["metrics"]
        first = [k for k in ACCOUNT if k in items]
        order = first + [k for k in items if k not in first]
        for name in order:
            v = items[name]
            if first and len(order) > len(first) and name == order[len(first)]:
                t.add_section()  # the flow account above, the other metrics below
            p = v.get("p_holm")
            mark = "" if p is None else ("[bold]" if p < 0.05 else "[dim]")
            unit = v.get("unit", "")
            row = [f"{name}\n[dim]{unit}[/]" if narrow and unit else name, base(v["baseline_mean"])]
            if not narrow:
                row.append(base(v["alternative_mean"]))
            row += [
                f"{mark}{change(v['diff_mean'])}",
                f"{ci(v['diff_ci_low'])} .. {ci(v['diff_ci_high'])}",
                a12(v["a12"]),
                fmt_p(p),
            ]
            if not narrow:
                row.append(unit)
            t.add_row(*row)
        c.print(t)
        cost_effectiveness_lines(alt, doc.get("unit") or "kg", c)


def cost_effectiveness_lines(alt: dict, unit: str, console: Console | None = None) -> None:
    """Policy cost (post-burn-in mean and nominal), and the ratio only for a detectable effect."""
    c = console or _console()
    ce = alt.get("cost_effectiveness")
    if not ce:
        return
    unit = ce.get("delivered_change_per_year_unit", f"{unit} per year").split(" per ")[0]
    nominal = alt.get("nominal_policy_cost")
    cost = (
        f"policy cost change: {fmt(ce['policy_cost_change'])} USD per year "
        "(policy_cost: mean over the weeks after burn-in"
    )
    if nominal is not None:
        cost += f"; nominal {fmt(nominal)} USD per year while in force"
    c.print(cost + ")", markup=False)
    change = fmt(ce["delivered_change_per_year"])
    c.print(f"change in delivered: {change} {unit} per year", markup=False)
    if not ce.get("effect_detected", True):
        c.print(
            "cost-effectiveness: no detectable effect (the 95% interval of the change in "
            "delivered includes zero), so no ratio is reported",
            markup=False,
        )
    elif ce["delivered_change_per_million_usd"] is None:
        c.print("cost-effectiveness: no ratio (the alternative costs nothing more)", markup=False)
    else:
        per = ce["usd_per_unit_averted"]
        c.print(
            f"cost-effectiveness: {fmt(ce['delivered_change_per_million_usd'])} "
            f"({fmt(ce['ci_low'])} .. {fmt(ce['ci_high'])}) {ce['unit']}"
            + (f"; {fmt(per)} USD per {unit} kept off the market" if per else ""),
            markup=False,
        )


def checks_report(results, console: Console | None = None) -> None:
    """One table per check: each criterion's statistic, unit, 95% interval and rule."""
    c = console or _console()
    for r in results:
        t = Table(
            title=f"{r.id} {r.name}: {'pass' if r.passed else 'FAIL'}",
            title_justify="left",
            caption=f"expected: {r.expected}",
            caption_justify="left",
        )
        for col in ("criterion", "statistic", "95% interval", "unit", "judged by", "ok"):
            right = col in ("statistic", "95% interval")
            t.add_column(col, justify="right" if right else "left", overflow="fold")
        for x in r.lines():
            ci = x["interval"]
            ok = x["passed"]
            t.add_row(
                x["criterion"],
                fmt(x["value"]),
                "-" if ci is None else _ci(*ci),
                x["unit"],
                x["rule"],
                "" if ok is None else ("[green]yes[/]" if ok else "[red]NO[/]"),
            )
        c.print(t)
    n = sum(r.passed for r in results)
    c.print(f"{n} of {len(results)} checks pass", markup=False)


def sensitivity_tables(doc: dict, metrics: list[str], console: Console | None = None) -> None:
    """One table per metric (a row per parameter: indices and intervals), then the flags.

    The last table has a row per metric: noise share (unclipped), the sum of the total
    indices, and the flags (``FLAG_NOTES`` of :mod:`sim.harness.indices`) with a footnote.
    """
    c = console or _console()
    morris = doc["method"] == "morris"
    keys = ("mu_star", "sigma") if morris else ("S1", "ST")
    em = doc.get("emulator")
    how = f"sobol on a {em['kind']} emulator of the mean" if em else doc["method"]
    for m in metrics:
        res = doc["metrics"].get(m, {})
        noise = res.get("noise_share")
        if "note" in res and keys[0] not in res:
            c.print(f"[bold]{m}[/]: {res['note']}")
            continue
        notes = (
            []
            if noise is None
            else [f"noise share {noise:.2f} (noise in a mean / variance of the means)"]
        )
        if val := res.get("validation"):
            notes.append(
                f"emulator, {val['folds']}-fold: Q2 {fmt(val['q2'])} (noise caps it near "
                f"{fmt(val.get('q2_ceiling'))}), "
                f"{fmt(val['coverage'])} of held-out means in their 95% intervals"
            )
        t = Table(
            title=f"{m}: {how}, {doc['runs']} runs",
            title_justify="left",
            caption="; ".join(notes) or None,
            caption_justify="left",
        )
        t.add_column("parameter")
        for k in keys:
            t.add_column(k, justify="right")
            if f"{k}_conf" in res:
                t.add_column("+-", justify="right", style="dim")
        for p in doc["params"]:
            row = [p]
            for k in keys:
                row.append(fmt(res[k][p]))
                if f"{k}_conf" in res:
                    row.append(fmt(res[f"{k}_conf"][p]))
            t.add_row(*row)
        c.print(t)
        if res.get("flags"):
            c.print(f"[bold red]FLAGGED: {', '.join(res['flags'])}[/] (see index quality)")
    _flags_table(doc, metrics, c)


def _flags_table(doc: dict, metrics: list[str], c: Console) -> None:
    shown = [m for m in metrics if m in doc["metrics"]]
    if not shown:
        return
    t = Table(title="index quality", title_justify="left")
    for col in ("metric", "noise share", "ST sum", "flags"):
        t.add_column(col, justify="right" if col in ("noise share", "ST sum") else "left")
    seen: list[str] = []
    for m in shown:
        res = doc["metrics"][m]
        flags = res.get("flags") or []
        seen += [f for f in flags if f not in seen]
        noise, total = res.get("noise_share"), res.get("st_sum")
        t.add_row(
            m,
            "-" if noise is None else f"{noise:.2f}",
            "-" if total is None else f"{total:.2f}",
            res["note"] if "note" in res else (", ".join(flags) or "ok"),
        )
    c.print(t)
    notes = doc.get("flag_notes", {})
    for f in seen:
        c.print(f"  {f}: {notes.get(f, '')}", markup=False)
    if not seen:
        th = doc.get("flag_thresholds", {})
        c.print(
            f"  no metric flagged (noise share <= {th.get('noise_share')}, "
            f"ST sum <= {th.get('st_sum')})",
            markup=False,
        )


# ----------------------------------------------------------------- recommendations
def _unit(doc: dict) -> str:
    m = doc["objective"]["metric"]
    return REGISTRY[m].unit.format(q=doc.get("unit", "kg")) if m in REGISTRY else ""


def _ce_unit(doc: dict) -> str:
    m = doc["objective"]["metric"]
    unit = _unit(doc)
    word = "less" if doc["objective"]["better"] == "lower" else "more"
    if unit.endswith("/week"):
        return f"{unit[: -len('/week')]} {word} {m.replace('_', ' ')} over the window per M USD"
    return f"{word} {m.replace('_', ' ')} ({unit}) per M USD"


def _ci(lo, hi) -> str:
    return f"{fmt(lo)} .. {fmt(hi)}"


def recommend_tables(doc: dict, console: Console | None = None) -> None:
    """The ranked portfolios, the status quo, and the robustness table if there is one."""
    c = console or _console()
    obj = doc["objective"]
    n_cand = len(doc["candidates"])
    sq = doc["status_quo"]
    c.print(
        f"[bold]{doc['scenario']}[/]: {n_cand} candidate{'s' if n_cand != 1 else ''}, "
        f"budget {doc['budget_usd'] / 1e6:,.2f} "
        f"M USD over weeks {doc['start']}-{doc['ticks']}, at most {doc['max_agreements']} "
        f"per portfolio; objective {obj['metric']} ({obj['better']} is better); "
        f"{doc['search']} search, {doc['runs']} runs, seed {doc['seed']}"
    )
    c.print(
        f"status quo {obj['metric']}: {fmt(sq['mean'])} ({_ci(sq['ci_low'], sq['ci_high'])}) "
        f"{_unit(doc)}"
    )
    t = Table(
        title=f"portfolios ranked by paired effect, {doc['replicates']} replicates each"
        + (" (fresh seeds, not those the search chose on)" if doc.get("confirm") else ""),
        title_justify="left",
        caption=f"change: portfolio - status quo, paired by seed, 95% t interval ({_unit(doc)}); "
        f"per M USD: {_ce_unit(doc)}; P(best) / rank held: share of bootstrap resamples of the "
        "replicates in which it ranks first / keeps its rank. Costs illustrative unless given.",
        caption_justify="left",
    )
    for col in ("#", "portfolio", "cost M USD", "change", "95% interval", "per M USD", "P(best)",
                "rank held"):  # fmt: skip
        t.add_column(col, justify="left" if col == "portfolio" else "right")
    for r in doc["portfolios"]:
        t.add_row(
            str(r["rank"]),
            r["portfolio"],
            f"{r['cost_total_usd'] / 1e6:,.2f}",
            fmt(r["change"]),
            _ci(r["change_ci_low"], r["change_ci_high"]),
            fmt(r["benefit_per_million_usd"]),
            f"{r['p_best']:.2f}",
            f"{r['rank_held']:.2f}",
        )
    c.print(t)
    shown = {lab for r in doc["portfolios"] for lab in r.get("candidates", [])}
    own = [x for x in doc["candidates"] if x["origin"] == "scenario" and x["label"] in shown]
    for x in own:
        c.print(f"  {x['label']}: {x['what']} (the scenario's candidate)")
    if doc.get("verdict"):
        c.print(doc["verdict"], markup=False, style="bold")
    if doc.get("stability"):
        c.print(stability_sentence(doc["stability"]), markup=False)
    for w in doc.get("warnings") or []:
        c.print(w, markup=False, style="yellow")
    if doc.get("note") and not doc["note"].startswith(NO_WINNER):
        c.print(f"note: {doc['note']}", markup=False)
    rob = doc.get("robustness")
    if rob:
        t = Table(
            title=f"robustness: {rob['worlds']} worlds (Latin hypercube of "
            f"{', '.join(rob['params'])}), {rob['world_replicates']} paired replicates each",
            title_justify="left",
            caption="regret: shortfall of the benefit from the best option in each world; "
            "sorted by the largest regret (minimax regret). best in: share of worlds where no "
            "option did better (options with identical runs tie, so shares may add up to more "
            "than 100%)",
            caption_justify="left",
        )
        for col in ("portfolio", "mean benefit", "mean regret", "max regret", "beats status quo",
                    "best in"):  # fmt: skip
            t.add_column(col, justify="left" if col == "portfolio" else "right")
        for r in rob["portfolios"]:
            beats = r["share_beats_status_quo"]
            t.add_row(
                r["portfolio"],
                fmt(r["mean_benefit"]),
                fmt(r["mean_regret"]),
                fmt(r["max_regret"]),
                "-" if beats is None else f"{beats:.0%}",
                f"{r['share_best']:.0%}",
            )
        c.print(t)


def recommend_markdown(doc: dict, top: int = 5) -> str:
    """The ranking as a Markdown table (for READMEs and reports)."""
    unit = _unit(doc)
    lines = [
        f"| # | portfolio | cost (M USD) | change in {doc['objective']['metric']} ({unit}) "
        f"[95% CI] | per M USD | P(best) |",
        "|---|---|---:|---|---:|---:|",
    ]
    for r in doc["portfolios"][:top]:
        lines.append(
            f"| {r['rank']} | {r['portfolio']} | {r['cost_total_usd'] / 1e6:,.1f} | "
            f"{fmt(r['change'])} [{_ci(r['change_ci_low'], r['change_ci_high'])}] | "
            f"{fmt(r['benefit_per_million_usd'])} | {r['p_best']:.2f} |"
        )
    lines += [
        "",
        f"change: portfolio - status quo, paired by seed, 95% interval; per M USD: "
        f"{_ce_unit(doc)}; P(best): share of bootstrap resamples of the replicates in which "
        "it ranks first. Unit costs illustrative.",
    ]
    return "\n".join(lines)


def discover_tables(doc: dict, console: Console | None = None) -> None:
    """One table per PRIM box: the restricted parameters with their ranges and quasi-p."""
    c = console or _console()
    c.print(
        f"[bold]{doc['subject'] or doc['study']}[/]: {doc['failures']} of {doc['points']} worlds "
        f"fail ({doc['metric']} {doc['fail_if']} {doc['threshold']}; base rate "
        f"{fmt(doc['base_rate'])})"
    )
    if not doc["boxes"]:
        c.print("no box: nothing fails" if not doc["failures"] else "no box found")
    for k, b in enumerate(doc["boxes"]):
        t = Table(
            title=f"box {k + 1}: coverage {b['coverage']:.2f}, density {b['density']:.2f}, "
            f"mass {b['mass']:.2f} ({b['n']} worlds)",
            title_justify="left",
            caption="coverage: share of all failures inside; density: share of the box's worlds "
            "that fail; qp: quasi-p-value of the restriction (small = it matters)",
            caption_justify="left",
        )
        for col in ("parameter", "low", "high", "qp"):
            t.add_column(col, justify="left" if col == "parameter" else "right")
        for name, lim in b["limits"].items():
            lo = "(min)" if lim["low"] is None else fmt(lim["low"])
            hi = "(max)" if lim["high"] is None else fmt(lim["high"])
            t.add_row(name, lo, hi, f"{lim['qp']:.2g}")
        c.print(t)
    for w in doc.get("warnings") or []:
        c.print(w, markup=False, style="yellow")


__all__ = [
    "checks_report",
    "comparison_tables",
    "cost_effectiveness_lines",
    "discover_tables",
    "recommend_markdown",
    "recommend_tables",
    "sensitivity_tables",
]
