import numpy as np
import pytest
from scipy import stats

from sim.harness.stats import a12, holm, paired_diff, wilcoxon_p


def test_a12_known_values():
    assert a12([1, 2, 3], [4, 5, 6]) == 1.0
    assert a12([4, 5, 6], [1, 2, 3]) == 0.0
    assert a12([1, 2, 3], [1, 2, 3]) == 0.5
    # brute force on random samples with ties
    rng = np.random.default_rng(3)
    b, a = rng.integers(0, 5, 40), rng.integers(1, 6, 30)
    brute = np.mean([(x > y) + 0.5 * (x == y) for x in a for y in b])
    assert a12(b, a) == pytest.approx(brute)
    assert np.isnan(a12([], [1.0]))
    assert a12([1.0, np.nan], [2.0]) == 1.0


def test_holm_matches_hand_computation():
    p = [0.01, 0.04, 0.03, 0.2]
    # sorted: 0.01*4=0.04, 0.03*3=0.09, 0.04*2=0.08 -> monotone 0.09, 0.2*1=0.2
    np.testing.assert_allclose(holm(p), [0.04, 0.09, 0.09, 0.2])
    out = holm([0.5, np.nan, 0.6])
    assert np.isnan(out[1]) and out[0] == 1.0 and out[2] == 1.0
    assert holm([]).shape == (0,)


def test_wilcoxon_and_paired_diff():
    rng = np.random.default_rng(0)
    base = rng.normal(10, 1, 30)
    alt = base + 0.5 + rng.normal(0, 0.1, 30)
    assert wilcoxon_p(alt - base) < 1e-5
    assert wilcoxon_p(alt - base) == pytest.approx(stats.wilcoxon(alt - base).pvalue)
    assert wilcoxon_p(np.zeros(10)) == 1.0
    assert np.isnan(wilcoxon_p([np.nan]))
    d = paired_diff(base, alt)
    assert d["diff_ci_low"] < 0.5 < d["diff_ci_high"]
    assert d["diff_mean"] == pytest.approx(np.mean(alt - base))
