"""The stylized facts the model must reproduce (docs/VALIDATION.md), each with paired seeds."""

import pandas as pd
import pytest

from sim.validation import CHECKS, Setting, run_checks
from sim.validation.supply import drug_corridors

ROWS = [
    "V1", "V2", "V5", "V6", "V7", "V9", "V11", "V12", "V14", "V15", "V16", "V17", "V18", "V19",
    "V20", "V21", "V22", "V23", "C1", "C2",
]  # fmt: skip

#: figure data each check returns (CheckResult.tables): table -> required columns
TABLES = {
    "V1": {"state_flow": {"state", "arm", "flow_mean", "ci_low", "ci_high"},
           "series": {"tick", "arm", "state", "flow"}, "meta": {"key", "value"}},
    "V2": {"sweep": {"capacity_factor", "metric", "mean", "ci_low", "ci_high"}},
    "V5": {"paths": {"path", "kind", "arm", "flow_mean", "ci_low", "ci_high"}},
    "V6": {"rates": {"scenario", "mean", "ci_low", "ci_high", "band_low", "band_high"}},
    "V7": {"series": {"scenario", "tick", "produced", "seized", "delivered"},
           "correlation": {"scenario", "replicate", "r"}},
    "V9": {"dose": {"share", "disruption_mean", "ci_low", "ci_high"}},
    "V11": {"latency": {"channel", "median_weeks", "q25", "q75", "n", "band_low", "band_high"}},
    "V12": {"series": {"tick", "arm", "interdiction_rate"}, "meta": {"key", "value"}},
    "V14": {"metrics": {"metric", "arm", "mean", "ci_low", "ci_high"}},
    "C1": {"effects": {"metric", "baseline_mean", "alternative_mean", "diff_mean",
                       "diff_ci_low", "diff_ci_high"}},
    "V15": {"price_rise": {"arm", "mean", "ci_low", "ci_high"}, "meta": {"key", "value"}},
    "V16": {"share_seized": {"arm", "mean", "ci_low", "ci_high"}, "meta": {"key", "value"}},
    "V17": {"rates": {"arm", "mean", "ci_low", "ci_high"}, "meta": {"key", "value"}},
    "V18": {"gains": {"arm", "mean", "ci_low", "ci_high"}, "meta": {"key", "value"}},
    "V19": {"windows": {"window", "measure", "mean", "ci_low", "ci_high"}},
    "V20": {"ladder": {"instrument", "median_weeks", "q25", "q75", "n", "band_low",
                       "band_high"}},
    "V21": {"partners": {"partner", "base", "double", "staffed", "n_base"}},
    "V22": {"effects": {"metric", "baseline_mean", "alternative_mean", "diff_mean",
                        "diff_ci_low", "diff_ci_high"}},
    "V23": {"effects": {"metric", "baseline_mean", "alternative_mean", "diff_mean",
                        "diff_ci_low", "diff_ci_high"}},
    "C2": {"failures": {"arm", "failures_mean", "ci_low", "ci_high"}},
}  # fmt: skip


#: rows whose paired runs take longest; `make test` covers their pipeline through the
#: quick experiments (tests/test_experiments.py), `make test-all` their verdict here
SLOW_ROWS = {"V2", "V9", "V16", "V17", "V18"}


@pytest.mark.parametrize(
    "check", [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_ROWS else c for c in ROWS]
)
def test_stylized_fact_holds(check):
    (result,) = run_checks([check])
    assert result.passed, result.value_text()
    for name, cols in TABLES[check].items():
        table = result.tables[name]
        assert isinstance(table, pd.DataFrame) and len(table), name
        assert cols <= set(table.columns), (name, cols - set(table.columns))


def test_every_registered_check_is_tested():
    assert list(CHECKS) == ROWS


def test_v6_covers_every_shipped_drug_corridor():
    found = drug_corridors()
    assert {"central_america_cocaine", "balkan_route_heroin", "mekong_synthetic_drugs"} <= set(
        found
    )
    assert not any(n.startswith("toy") or "firearms" in n for n in found)


def test_quick_setting_keeps_the_replicate_count():
    assert Setting(2, quick=True).more(48).replicates == 2
    assert Setting(2).more(48).replicates == 48
