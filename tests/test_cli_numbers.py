"""Numbers in the rich tables of run and compare: one number of decimals per column."""

from __future__ import annotations

import re

from rich.console import Console

from sim.cli.reports import comparison_tables
from sim.cli.tables import column_fmt, fmt_p, metrics_table


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_small_and_large_in_one_column_share_decimals():
    f = column_fmt([0.0123, 12.3])
    assert decimals(f(0.0123)) == decimals(f(12.3))
    assert f(0.0123) == "0.012" and f(12.3) == "12.300"


def test_thousands_separated_and_missing():
    f = column_fmt([12345.6, 2.5])
    assert f(12345.6).startswith("12,345.")
    assert f(None) == "-" and f(float("nan")) == "-"
    assert column_fmt([0.0, 0.0])(0.0) == "0"


def test_p_values_in_one_style():
    assert fmt_p(0.0123) == "0.012"
    assert fmt_p(0.0004) == "<0.001"
    assert fmt_p(0.5) == "0.500"
    assert fmt_p(None) == "-"


def _numbers(line: str) -> list[str]:
    return re.findall(r"-?[\d,]+\.?\d*", line)


def test_run_metrics_table_columns_share_decimals():
    metrics = {
        "delivered": {"mean": 1678.56, "ci_low": 1581.9, "ci_high": 1775.2, "unit": "kg"},
        "interdiction_rate": {"mean": 0.0123, "ci_low": 0.01, "ci_high": 0.0146, "unit": ""},
    }
    c = Console(width=200, record=True)
    metrics_table(metrics, "t", c)
    rows = [ln for ln in c.export_text().splitlines() if "delivered" in ln or "interdiction" in ln]
    assert len(rows) == 2 and {decimals(n) for ln in rows for n in _numbers(ln)} == {3}, rows


def test_compare_table_columns_share_decimals():
    def m(b, a, d, lo, hi, p):
        return {"baseline_mean": b, "alternative_mean": a, "diff_mean": d, "diff_ci_low": lo,
                "diff_ci_high": hi, "a12": 0.5, "p_holm": p, "unit": "u"}  # fmt: skip

    doc = {
        "baseline": "a",
        "replicates": 4,
        "seed": 0,
        "unit": "kg",
        "alternatives": [
            {
                "scenario": "b",
                "metrics": {
                    "delivered": m(1678.5, 1600.2, -78.3, -120.1, -30.2, 0.0004),
                    "interdiction_rate": m(0.0123, 0.0146, 0.0023, 0.001, 0.0036, 0.25),
                },
            }
        ],
    }
    c = Console(width=200, record=True)
    comparison_tables(doc, c)
    text = c.export_text()
    assert "<0.001" in text and "0.250" in text
    assert "1,678.500" in text and "0.012" in text and "0.50" in text
