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
