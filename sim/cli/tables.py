"""Rich tables of ``xborder``: scenario descriptions, metric summaries, validation results."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli.helpers import console as _console
from sim.metrics import REGISTRY
from sim.policies import from_dict
from sim.policy_checks import check_candidates, check_policies
from sim.scenario import Scenario
from sim.world import STATE_DEFAULTS


def fmt(x) -> str:
    """A number for a table: thousands separated, three significant digits below 1."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    ax = abs(x)
    if ax >= 1e4:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:,.1f}"
    return f"{x:.3g}" if ax < 1 else f"{x:.3f}"


def _finite(values) -> list[float]:
    out = []
    for v in values:
        if v is not None and not isinstance(v, bool):
            try:
                f = float(v)
            except (TypeError, ValueError):
                continue
            if math.isfinite(f):
                out.append(f)
    return out


def column_decimals(values, most: int = 3) -> int:
    """Decimals for every number of a table column, chosen from the column's magnitudes.

    Enough for 3 significant digits of the largest |value| and 2 of the smallest
    non-zero one, but at most ``most``: 0.0123 and 12.3 in one column both get 3.
    """
    mags = [abs(v) for v in _finite(values) if v != 0]
    if not mags:
        return 0
    big = 2 - math.floor(math.log10(max(mags)))
    small = 1 - math.floor(math.log10(min(mags)))
    return max(0, min(most, max(big, small)))


def column_fmt(values, most: int = 3):
    """A formatter for one column: thousands separated, the same decimals for every number."""
    d = column_decimals(values, most)

    def f(x) -> str:
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return "-"
        return f"{x:,.{d}f}"

    return f


def fmt_p(p) -> str:
    """A p-value in one style: 0.012, or <0.001 below a thousandth; - when missing."""
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def metrics_table(metrics: dict, title: str, console: Console | None = None) -> None:
    """Print metric -> mean and 95% interval."""
    t = Table(title=title, title_justify="left")
    t.add_column("metric")
    t.add_column("mean", justify="right")
    t.add_column("95% interval", justify="right")
    t.add_column("unit")
    t.add_column("what it is", style="dim")
    mean = column_fmt(v["mean"] for v in metrics.values())
    ci = column_fmt(x for v in metrics.values() for x in (v["ci_low"], v["ci_high"]))
    for name, v in metrics.items():
        t.add_row(
            name,
            mean(v["mean"]),
            f"{ci(v['ci_low'])} .. {ci(v['ci_high'])}",
            v.get("unit", ""),
            REGISTRY[name].description,
        )
    (console or _console()).print(t)


LETTERS = {
    "mlat": "M",
    "add_mlat": "M",
    "extradition": "E",
    "extradition_treaty": "E",
    "jit": "J",
    "joint_team": "J",
    "database": "D",
    "create_database": "D",
    "join_database": "D",
}


def _cells(items, ids) -> dict:
    cell = {(a, b): set() for a in ids for b in ids}
    dbs: dict[str, set] = {}
    for ag in items:
        t = ag["type"]
        if t not in LETTERS:
            continue
        members = list(
            ag.get("between") or ag.get("parties") or ag.get("members") or ag.get("states") or []
        )
        if t in ("database", "create_database", "join_database"):
            members = sorted(dbs.setdefault(ag["name"], set()).union(members))
            dbs[ag["name"]] = set(members)
        for a in members:
            for b in members:
                if a != b:
                    cell[(a, b)].add(LETTERS[t])
    return cell


def agreement_matrix(sc: Scenario, policies: bool = False) -> Table:
    """States x states: M = MLAT, E = extradition, J = joint team, D = shared database.

    With ``policies``, the instruments the scenario's policies add later are shown too.
    """
    ids = [s["id"] for s in sc.data["states"]]
    items = list(sc.data.get("agreements", []))
    if policies:
        items += sc.data.get("policies", [])
    cell = _cells(items, ids)
    title = "with its policies" if policies else "in force at the start"
    t = Table(
        title=f"Agreements {title} (M mlat, E extradition, J joint team, D database)",
        title_justify="left",
    )
    t.add_column("")
    for b in ids:
        t.add_column(b, justify="center")
    for a in ids:
        t.add_row(a, *["." if a == b else "".join(sorted(cell[(a, b)])) or "-" for b in ids])
    return t


def law_trust_matrix(sc: Scenario) -> Table:
    """States x states: share of offences both criminalise (law overlap) / trust."""
    from sim.world import build_world

    w = build_world(sc)
    laws = w.laws0.astype(float)
    both = laws @ laws.T
    either = laws.shape[1] - (1 - laws) @ (1 - laws).T
    overlap = np.divide(both, either, out=np.ones_like(both), where=either > 0)
    t = Table(
        title="Law overlap (share of offences both criminalise) / trust (0..1)",
        title_justify="left",
    )
    t.add_column("")
    for b in w.state_ids:
        t.add_column(b, justify="center")
    for i, a in enumerate(w.state_ids):
        t.add_row(
            a,
            *[
                "." if i == j else f"{overlap[i, j]:.2f}/{w.trust0[i, j]:.2f}"
                for j in range(w.n_states)
            ],
        )
    offences = ", ".join(w.offences)
    t.caption = f"offences: {offences}"
    return t


def _willing(x) -> str:
    """A willingness with at least one decimal: 1.0, 0.5, 0.75, 0.0."""
    s = f"{float(x):.2f}"
    return s[:-1] if s.endswith("0") else s


def _weeks(p: dict) -> str:
    """``from week S`` (``until week E`` when it ends)."""
    s = f"from week {p.get('start', 0)}"
    return s + (f" until week {p['end']}" if p.get("end") is not None else "")


def databases_table(sc: Scenario) -> Table | None:
    """Shared databases in force: members with willingness to share, lag, coverage, conditions.

    Agreements and policies count, candidates (off unless switched on) do not.

    None when the scenario has no shared database and no sharing condition or suspension.
    """
    d = sc.data
    items = [dict(a, start=0) for a in d.get("agreements", [])] + list(d.get("policies", []))
    dbs: dict[str, dict] = {}
    for p in items:
        if p["type"] in ("database", "create_database"):
            db = dbs.setdefault(p["name"], dict(p, willing={}))
            for s in p.get("members", []):
                db["willing"][s] = p.get("willingness", 1.0)
    for p in items:
        if p["type"] == "join_database" and p.get("name") in dbs:
            db = dbs[p["name"]]
            when = "" if p.get("start", 0) <= db.get("start", 0) else f" (week {p['start']})"
            for s in p.get("states", []):
                db["willing"][s] = f"{_willing(p.get('willingness', 1.0))}{when}"
    conds = [p for p in items if p["type"] == "sharing_condition"]
    susp = [p for p in items if p["type"] == "suspend_cooperation"]
    if not (dbs or conds or susp):
        return None
    t = Table(
        title="Shared databases (member willingness to share, 0..1)",
        title_justify="left",
    )
    cols = ("database", "members (willingness)", "lag", "coverage", "red notices", "from week")
    for col in (*cols, "conditions"):
        t.add_column(col)
    for name, db in dbs.items():
        members = ", ".join(
            f"{s} {w if isinstance(w, str) else _willing(w)}" for s, w in db["willing"].items()
        )
        cond = [
            f"{p['state']} withholds from {', '.join(p['partners'])} ({_weeks(p)})"
            for p in conds
            if p["state"] in db["willing"]
        ]
        t.add_row(
            escape(name),
            members,
            "default" if db.get("lag") is None else str(db["lag"]),
            "default" if db.get("coverage") is None else fmt(db["coverage"]),
            "yes" if db.get("red_notices") else "no",
            str(db.get("start", 0)),
            "; ".join(cond) or "-",
        )
    notes = [
        f"condition: {p['state']} withholds from {', '.join(p['partners'])} ({_weeks(p)})"
        for p in conds
    ]
    notes += [
        f"suspension: cooperation between {' and '.join(p['between'])} suspended ({_weeks(p)})"
        for p in susp
    ]
    if not dbs:
        t.add_row("none", "-", "-", "-", "-", "-", "-")
    t.caption = "\n".join(notes) or "no sharing conditions or suspensions"
    t.caption_justify = "left"
    return t


def describe_scenario(sc: Scenario, console: Console | None = None) -> None:
    """Print what a scenario contains and what a run of it will measure."""
    c = console or _console()
    d = sc.data
    c.print(f"[bold]{sc.name}[/bold]  ({sc.path})")
    if sc.description:
        c.print(sc.description)
    c.print(
        f"{sc.ticks} weeks, burn-in {sc.burn_in}; {len(d['states'])} states, "
        f"{len(d.get('locations', []))} locations, {len(d.get('legs', []))} legs, "
        f"{len(d['organisations'])} organisations"
    )
    t = Table(title="States", title_justify="left")
    for col in (
        "id",
        "name",
        "capacity",
        "detection",
        "integrity (0..1)",
        "investigators",
        "extradites nationals",
        "laws",
    ):
        t.add_column(col)
    for s in d["states"]:
        t.add_row(
            s["id"],
            s.get("name", ""),
            fmt(s.get("capacity")),
            fmt(s.get("detection")),
            fmt(s.get("integrity", STATE_DEFAULTS["integrity"])),
            str(s.get("investigators", "-")),
            "yes" if s.get("extradites_nationals", True) else "no",
            ", ".join(s.get("laws", [])),
        )
    c.print(t)
    c.print(agreement_matrix(sc))
    if any(p["type"] in LETTERS for p in d.get("policies", [])):
        c.print(agreement_matrix(sc, policies=True))
    c.print(law_trust_matrix(sc))
    db_table = databases_table(sc)
    if db_table is not None:
        c.print(db_table)
    t = Table(title="Organisations", title_justify="left")
    for col in ("id", "commodity", "sources", "markets"):
        t.add_column(col)
    for o in d["organisations"]:
        t.add_row(
            o["id"], o.get("commodity", "cocaine"), ", ".join(o["sources"]), ", ".join(o["markets"])
        )
    c.print(t)
    pols = d.get("policies", [])
    c.print("[bold]Policies[/bold]" + ("" if pols else ": none (status quo)"))
    noop = {}
    for w in check_policies(sc):
        noop.setdefault(w.policy_index, []).append(w.reason)
    for i, p in enumerate(pols):
        c.print("  - " + escape(from_dict(p).describe()))
        for reason in noop.get(i, []):
            c.print("    [yellow]no effect[/yellow]: " + escape(reason))
    cands = sc.candidates
    if cands:
        c.print("[bold]Candidate policies[/bold] (off unless switched on by label):")
        noop = check_candidates(sc)
        for label, p in cands.items():
            c.print(f"  - {escape(label)}: " + escape(from_dict(p).describe()))
            for reason in noop.get(label, []):
                c.print("    [yellow]no effect[/yellow]: " + escape(reason))
    c.print("[bold]Measured[/bold]: " + ", ".join(REGISTRY))
    if sc.overrides:
        c.print("[bold]Overrides[/bold]: " + " ".join(sc.overrides))


def checks_table(results, console: Console | None = None) -> None:
    """Print validation checks: id, name, pass/fail, value and expectation."""
    t = Table(title="Validation (stylized facts, paired seeds)", title_justify="left")
    for col in ("id", "fact", "result", "measured", "expected"):
        t.add_column(col)
    for r in results:
        t.add_row(
            r.id,
            r.name,
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
            r.value_text(),
            r.expected,
        )
    (console or _console()).print(t)
