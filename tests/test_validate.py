"""The stylized facts the foundation must reproduce (VALIDATION.md V1, V2, V5, V14)."""

import pytest

from sim.harness.validate import run_checks


@pytest.mark.parametrize("check", ["V1", "V2", "V5", "V14"])
def test_stylized_fact_holds(check):
    (result,) = run_checks([check])
    assert result.passed, result.value_text()
