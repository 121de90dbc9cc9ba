"""Statistics across replicates: means with 95% intervals, paired differences."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of the finite values (NaN if there are none)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (float("nan"),) * 3
    m = float(x.mean())
    if len(x) < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def paired_diff(base, alt, level: float = 0.95) -> dict[str, float]:
    """Mean of alt - base over paired replicates, with its interval."""
    b, a = np.asarray(base, dtype=float), np.asarray(alt, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    m, lo, hi = mean_ci(a[ok] - b[ok], level)
    return {
        "base_mean": float(np.mean(b[ok])) if ok.any() else float("nan"),
        "alt_mean": float(np.mean(a[ok])) if ok.any() else float("nan"),
        "diff_mean": m,
        "diff_ci_low": lo,
        "diff_ci_high": hi,
    }


def summarize_values(values, name: str = "") -> dict[str, float]:
    """Mean and 95% interval; clipped at 0 for registered metrics (never negative)."""
    from sim.metrics import REGISTRY

    m, lo, hi = mean_ci(values)
    if name in REGISTRY and lo == lo:
        lo = max(lo, 0.0)
    return {"mean": m, "ci_low": lo, "ci_high": hi}


def a12(base, alt) -> float:
    """Vargha-Delaney A12: the chance that an alternative run beats a baseline run.

    ``P(alt > base) + 0.5 P(alt == base)`` over all pairs of finite values: 0.5 means
    no effect; 0.56 / 0.64 / 0.71 are the usual small / medium / large thresholds
    (Vargha & Delaney 2000). NaN when a side has no values.
    """
    b = np.asarray(base, dtype=float)
    a = np.asarray(alt, dtype=float)
    b, a = b[np.isfinite(b)], a[np.isfinite(a)]
    m, n = len(a), len(b)
    if not m or not n:
        return float("nan")
    ranks = stats.rankdata(np.concatenate([a, b]))  # midranks for ties
    return float((ranks[:m].sum() / m - (m + 1) / 2) / n)


def wilcoxon_p(diff) -> float:
    """Two-sided p of the Wilcoxon signed-rank test of paired differences (zeros dropped).

    1.0 when every difference is zero (nothing to test), NaN with no finite values.
    """
    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    if not len(d):
        return float("nan")
    if not np.any(d != 0):
        return 1.0
    return float(stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (NaN entries are left out of the family)."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    k = len(idx)
    if not k:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    adj = np.maximum.accumulate((k - np.arange(k)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out
