"""The comparison statistics behave as documented: pairing by replicate, A12's direction.

The paired table (``sim.harness.comparison.paired_table``) is checked against
statistics computed by hand from per-replicate differences aligned by replicate
number, on a runs table built so that the pairing matters: replicates differ a lot
from one another while each alternative run differs little from its twin, rows come
shuffled, one replicate is missing from an arm, one alternative run failed and one
value is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.harness.comparison import paired_table
from sim.harness.stats import a12, holm, mean_ci, paired_diff, summarize_values, wilcoxon_p

N = 10
METRICS = ["delivered", "seized", "ratio"]


def values() -> dict[str, dict[str, np.ndarray]]:
    """Per arm and metric, the value of replicate k at index k."""
    rng = np.random.default_rng(11)
    base = {
        "delivered": rng.normal(1000.0, 300.0, N),  # replicates differ a lot ...
        "seized": rng.normal(50.0, 20.0, N),
        "ratio": rng.uniform(0.2, 0.8, N),
    }
    alt = {  # ... each alternative run differs little from its twin
        "delivered": base["delivered"] - 400.0 + rng.normal(0.0, 40.0, N),
        "seized": base["seized"] + 30.0 + rng.normal(0.0, 3.0, N),
        "ratio": base["ratio"] + rng.normal(0.0, 0.01, N),
    }
    small = {k: v + rng.normal(0.0, 1e-3, N) * v.std() for k, v in base.items()}
    base["seized"][5] = np.nan  # one baseline value missing
    return {"base": base, "alt": alt, "small": small}


def runs_table() -> pd.DataFrame:
    vals = values()
    rows = []
    for arm, per_metric in vals.items():
        for k in range(N):
            if arm == "alt" and k == 8:
                continue  # replicate 8 of the alternative never ran
            row = {"run": len(rows), "scenario": arm, "replicate": k, "seed": 1000 + k}
            row["status"] = "error" if (arm == "alt" and k == 3) else "ok"
            row.update({m: per_metric[m][k] for m in METRICS})
            if row["status"] == "error":
                row.update({m: 1e9 for m in METRICS})
            rows.append(row)
    # rows in no particular order: pairing must go by replicate, not by position
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)


def by_hand(arm: str, metric: str) -> dict:
    vals = values()
    b, a = vals["base"][metric], vals[arm][metric]
    reps = [k for k in range(N) if not (arm == "alt" and k in (3, 8))]
    reps = [k for k in reps if np.isfinite(a[k]) and np.isfinite(b[k])]
    b, a = b[reps], a[reps]
    d = a - b
    mean, lo, hi = mean_ci(d)
    return {
        "n_pairs": len(reps),
        "baseline_mean": b.mean(),
        "alternative_mean": a.mean(),
        "diff_mean": mean,
        "diff_ci_low": lo,
        "diff_ci_high": hi,
        "p_value": stats.wilcoxon(d).pvalue,
        "a12": np.mean([(x > y) + 0.5 * (x == y) for x in a for y in b]),
    }


def test_paired_table_pairs_replicate_k_with_replicate_k():
    """Guards "the paired comparison pairing replicate k with k+1".

    Interval, p-value, A12 and means equal those computed by hand from differences
    aligned by replicate number; p-values are Holm-adjusted per alternative.
    """
    table = paired_table(runs_table(), "base", ["alt", "small"], METRICS, "kg")
    assert table[["scenario", "metric"]].values.tolist() == [
        [arm, m] for arm in ("alt", "small") for m in METRICS
    ]
    for arm in ("alt", "small"):
        rows = table[table["scenario"] == arm].set_index("metric")
        for metric in METRICS:
            want, got = by_hand(arm, metric), rows.loc[metric]
            for key, value in want.items():
                assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), (arm, metric, key)
        np.testing.assert_allclose(rows["p_holm"], holm(rows["p_value"]), rtol=1e-12)
    alt = table[table["scenario"] == "alt"].set_index("metric")
    assert alt.loc["delivered", "n_pairs"] == N - 2 and alt.loc["seized", "n_pairs"] == N - 3
    # the paired intervals are narrow: each run is compared with its own twin
    delivered = alt.loc["delivered"]
    assert -460 < delivered["diff_ci_low"] < -400 < delivered["diff_ci_high"] < -340
    assert delivered["p_value"] < 0.01
    assert alt.loc["ratio", "diff_ci_low"] < 0 < alt.loc["ratio", "diff_ci_high"]
    assert alt.loc["delivered", "unit"] == "kg/week"
    assert table[table["scenario"] == "small"]["n_pairs"].tolist() == [N, N - 1, N]


def test_paired_table_check_fails_when_replicates_are_shifted():
    """The hand computation above would catch pairing replicate k with k+1."""
    runs = runs_table()
    shifted = runs.copy()
    alt = shifted["scenario"] == "alt"
    shifted.loc[alt, "replicate"] = (shifted.loc[alt, "replicate"] + 1) % N
    table = paired_table(shifted, "base", ["alt"], ["delivered"], "kg").iloc[0]
    want = by_hand("alt", "delivered")
    assert table["diff_ci_high"] - table["diff_ci_low"] > 5 * (
        want["diff_ci_high"] - want["diff_ci_low"]
    )
    assert table["p_value"] != pytest.approx(want["p_value"])


def test_a12_direction_agrees_with_the_difference():
    """Guards "A12 with the arms swapped".

    ``a12(base, alt)`` is documented as P(alt > base) + 0.5 P(tie): a clearly larger
    alternative gives A12 > 0.5 (and a positive mean difference), a clearly smaller
    one A12 < 0.5; swapping the arms gives 1 - A12. The paired table reports A12 in
    the same orientation as its differences.
    """
    rng = np.random.default_rng(5)
    base = rng.normal(10.0, 1.0, 30)
    larger = base + 2.5 + rng.normal(0.0, 0.2, 30)
    assert a12(base, larger) > 0.9 and paired_diff(base, larger)["diff_mean"] > 0
    assert a12(larger, base) < 0.1 and paired_diff(larger, base)["diff_mean"] < 0
    assert a12(base, larger) + a12(larger, base) == pytest.approx(1.0)
    assert a12([1.0, 2.0], [2.0, 3.0]) == pytest.approx(0.875)  # (1 + 1 + 0.5 + 1) / 4

    table = paired_table(runs_table(), "base", ["alt"], METRICS, "kg").set_index("metric")
    seized, delivered = table.loc["seized"], table.loc["delivered"]
    assert seized["diff_mean"] > 0 and seized["a12"] > 0.75  # alternative seizes more
    assert delivered["diff_mean"] < 0 and delivered["a12"] < 0.25  # and delivers less


def test_mean_ci_and_paired_diff_by_hand():
    """Student-t interval and paired difference against the textbook formulas."""
    x = np.array([3.0, 7.0, 8.0, 12.0, np.nan, 5.0])
    m, lo, hi = mean_ci(x)
    f = x[np.isfinite(x)]
    half = stats.t.ppf(0.975, len(f) - 1) * f.std(ddof=1) / np.sqrt(len(f))
    assert (m, lo, hi) == pytest.approx((f.mean(), f.mean() - half, f.mean() + half))
    m90 = mean_ci(x, level=0.9)
    assert m90[1] > lo and m90[2] < hi
    assert mean_ci([4.0]) == (4.0, 4.0, 4.0)
    assert all(np.isnan(v) for v in mean_ci([np.nan]))

    base = np.array([10.0, 20.0, np.nan, 40.0, 50.0])
    alt = np.array([11.0, 23.0, 30.0, np.nan, 54.0])
    d = paired_diff(base, alt)
    assert d["base_mean"] == pytest.approx(80.0 / 3) and d["alt_mean"] == pytest.approx(88.0 / 3)
    want = mean_ci([1.0, 3.0, 4.0])
    assert (d["diff_mean"], d["diff_ci_low"], d["diff_ci_high"]) == pytest.approx(want)


def test_summarize_values_clips_registered_metrics_at_zero():
    """Guards the summary interval: clipped at 0 for registered metrics only."""
    out = summarize_values([0.0, 0.0, 0.0, 9.0], "seized")
    assert out["mean"] == pytest.approx(2.25) and out["ci_low"] == 0.0
    raw = summarize_values([0.0, 0.0, 0.0, 9.0], "not_a_metric")
    assert raw["ci_low"] < 0 and raw["ci_high"] == out["ci_high"]


def test_wilcoxon_p_and_holm_edge_cases():
    """Guards the test and its adjustment: two-sided Wilcoxon on finite values; Holm by hand."""
    d = np.array([0.5, -0.2, 1.1, 0.0, 0.9, 1.3, 0.7, np.nan])
    f = d[np.isfinite(d)]
    assert wilcoxon_p(d) == pytest.approx(stats.wilcoxon(f, zero_method="wilcox").pvalue)
    assert wilcoxon_p(-d) == pytest.approx(wilcoxon_p(d))  # two-sided
    np.testing.assert_allclose(holm([0.01, 0.02]), [0.02, 0.02])
    np.testing.assert_allclose(holm([0.3, 0.01, 0.04]), [0.3, 0.03, 0.08])
