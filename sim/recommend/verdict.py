"""What a recommendation may claim: a detectable winner, how stable its rank, its regret.

A portfolio is recommended only when its paired 95% interval of the change in the
objective (after the confirmation runs, if any) excludes zero on the better side;
otherwise the verdict says that no portfolio beats the status quo detectably. The
verdict also states how often the ranking held (``p_best``, ``rank_held`` over
bootstrap resamples, and the rank on the search's own replicates beside the rank on
fresh ones) and warns when the robustness table shows the recommended portfolio
with more regret than the status quo.
"""

from __future__ import annotations

from sim.metrics import REGISTRY

NO_WINNER = "no portfolio beats the status quo detectably"


def benefit_interval(row: dict, sign: float) -> tuple[float, float]:
    """The 95% interval of the benefit (the change signed so that positive is better)."""
    lo, hi = sign * row["change_ci_low"], sign * row["change_ci_high"]
    return (min(lo, hi), max(lo, hi))


def detectable(row: dict, sign: float) -> bool:
    """Whether the portfolio's paired interval excludes zero on the better side."""
    lo, _ = benefit_interval(row, sign)
    return bool(lo > 0)


def _num(x: float) -> str:
    return f"{x:,.4g}"


def stability(rows: list[dict]) -> dict | None:
    """How often the top-ranked portfolio's place held (None without a ranking).

    ``p_best`` / ``rank_held``: shares of bootstrap resamples of the replicates in which
    it ranks first / keeps its rank; ``search_rank``: its rank on the search's own
    replicates (only when the finalists were confirmed on fresh ones).
    """
    if not rows:
        return None
    top = rows[0]
    out = {
        "portfolio": top["portfolio"],
        "p_best": top["p_best"],
        "rank_held": top["rank_held"],
        "replicates": top.get("replicates"),
        "search_rank": None,
    }
    if all("search_benefit" in r for r in rows):
        order = sorted(rows, key=lambda r: -r["search_benefit"])
        out["search_rank"] = 1 + next(
            k for k, r in enumerate(order) if r["portfolio"] == top["portfolio"]
        )
    return out


def stability_sentence(s: dict | None) -> str:
    """The stability as one sentence."""
    if not s:
        return ""
    text = (
        f"ranking stability: {s['portfolio']} ranks first in {s['p_best']:.0%} and keeps its "
        f"rank in {s['rank_held']:.0%} of bootstrap resamples of its {s['replicates']} "
        "replicates"
    )
    if s["search_rank"] is not None:
        text += f"; it ranked #{s['search_rank']} on the search's replicates, #1 on fresh ones"
    return text


def regret_warning(name: str, robustness: dict | None) -> str:
    """A warning if the robustness table shows ``name`` with more regret than the status quo."""
    if not robustness or not name:
        return ""
    rows = {r["portfolio"]: r for r in robustness["portfolios"]}
    sq = next(
        (r for r in robustness["portfolios"] if r.get("share_beats_status_quo") is None), None
    )
    mine = rows.get(name)
    if sq is None or mine is None:
        return ""
    worse = [
        f"{what} regret {_num(mine[k])} vs {_num(sq[k])}"
        for k, what in (("max_regret", "max"), ("mean_regret", "mean"))
        if mine[k] > sq[k] + 1e-12
    ]
    if not worse:
        return ""
    return (
        f"warning: across {robustness['worlds']} worlds {name} does worse than the status quo "
        f"in regret ({'; '.join(worse)}): it may not pay off if the uncertain parameters differ"
    )


def verdict(rows: list[dict], sign: float, metric: str, unit: str, confirmed: bool) -> str:
    """The headline: the recommended portfolio, or that none beats the status quo detectably."""
    if not rows:
        return f"{NO_WINNER}: no portfolio was ranked"
    top = rows[0]
    interval = f"{_num(top['change_ci_low'])} .. {_num(top['change_ci_high'])}"
    fresh = " on fresh replicates" if confirmed else ""
    change = f"changes {metric} by {_num(top['change'])} {unit} (95% interval {interval}{fresh})"
    if detectable(top, sign):
        return f"recommended: {top['portfolio']}; it {change}"
    lo, hi = benefit_interval(top, sign)
    where = "includes zero" if lo <= 0 <= hi else "lies on the worse side"
    return (
        f"{NO_WINNER}: the top-ranked, {top['portfolio']}, {change}, an interval that "
        f"{where}; no portfolio is recommended"
    )


def verdict_fields(rows: list[dict], settings: dict, unit: str, warnings: list[str]) -> dict:
    """``verdict``, ``stability`` and ``warnings`` of a recommendation's JSON document."""
    metric = settings["objective"]["metric"]
    sign = 1.0 if settings["objective"]["better"] == "higher" else -1.0
    unit = REGISTRY[metric].unit.format(q=unit) if metric in REGISTRY else ""
    return {
        "verdict": verdict(rows, sign, metric, unit, bool(settings.get("confirm"))),
        "stability": stability(rows),
        "warnings": list(warnings),
    }


__all__ = [
    "NO_WINNER",
    "benefit_interval",
    "detectable",
    "regret_warning",
    "stability",
    "stability_sentence",
    "verdict",
    "verdict_fields",
]
