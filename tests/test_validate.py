"""The stylized facts the model must reproduce (VALIDATION.md), each with paired seeds."""

import pytest

from sim.harness.validate import CHECKS, run_checks


@pytest.mark.parametrize("check", ["V1", "V2", "V5", "V14", "C1", "C2", "V9", "V11", "V12"])
def test_stylized_fact_holds(check):
    (result,) = run_checks([check])
    assert result.passed, result.value_text()


def test_every_registered_check_is_tested():
    assert set(CHECKS) == {"V1", "V2", "V5", "V14", "C1", "C2", "V9", "V11", "V12"}
