"""Rich tables for comparisons, sensitivity indices and failed runs (stdout / stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.describe import _console, _fmt


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
        for col in ("metric", "baseline", "alternative", "change", "95% interval", "A12", "p"):
            t.add_column(col, justify="left" if col == "metric" else "right")
        t.add_column("unit")
        for name, v in alt["metrics"].items():
            p = v.get("p_holm")
            mark = "" if p is None else ("[bold]" if p < 0.05 else "[dim]")
            t.add_row(
                name,
                _fmt(v["baseline_mean"]),
                _fmt(v["alternative_mean"]),
                f"{mark}{_fmt(v['diff_mean'])}",
                f"{_fmt(v['diff_ci_low'])} .. {_fmt(v['diff_ci_high'])}",
                _fmt(v["a12"]),
                "-" if p is None else f"{p:.3g}",
                v.get("unit", ""),
            )
        c.print(t)
        ce = alt.get("cost_effectiveness")
        if ce:
            if ce["delivered_change_per_million_usd"] is None:
                c.print(
                    f"cost-effectiveness: policy cost change {_fmt(ce['policy_cost_change'])} "
                    "USD/year: no ratio (the alternative costs nothing more)"
                )
            else:
                per = ce["usd_per_unit_averted"]
                c.print(
                    f"cost-effectiveness: {_fmt(ce['delivered_change_per_million_usd'])} "
                    f"({_fmt(ce['ci_low'])} .. {_fmt(ce['ci_high'])}) {ce['unit']}"
                    + (f"; {_fmt(per)} USD per unit kept off the market" if per else "")
                )


def sensitivity_tables(doc: dict, metrics: list[str], console: Console | None = None) -> None:
    """One table per metric: a row per parameter with its indices and intervals."""
    c = console or _console()
    morris = doc["method"] == "morris"
    keys = ("mu_star", "sigma") if morris else ("S1", "ST")
    for m in metrics:
        res = doc["metrics"].get(m, {})
        noise = res.get("noise_share")
        if "note" in res and keys[0] not in res:
            c.print(f"[bold]{m}[/]: {res['note']}")
            continue
        t = Table(
            title=f"{m}: {doc['method']}, {doc['runs']} runs",
            title_justify="left",
            caption=None if noise is None else f"replicate noise: {noise:.0%} of the variance",
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
                row.append(_fmt(res[k][p]))
                if f"{k}_conf" in res:
                    row.append(_fmt(res[f"{k}_conf"][p]))
            t.add_row(*row)
        c.print(t)


def failure_lines(runs, limit: int = 10) -> list[str]:
    """One line per failed run (at most ``limit``), then how many more."""
    bad = runs[runs["status"] != "ok"] if len(runs) else runs
    lines = [
        f"run {int(r.run)} ({r.scenario}, replicate {int(r.replicate)}, seed {int(r.seed)}) "
        f"failed: {r.error}"
        for r in bad.head(limit).itertuples()
    ]
    if len(bad) > limit:
        lines.append(f"... and {len(bad) - limit} more (see runs.parquet, column error)")
    return lines
