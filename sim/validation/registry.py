"""The stylized-fact checks of docs/VALIDATION.md by id, and the runner of a selection.

The checks are grouped by theme: routes (:mod:`sim.validation.routes`: V1, V2, V5,
V14), supply and calibration (:mod:`sim.validation.supply`: V6, V7), legal
cooperation (:mod:`sim.validation.legal`: V9, V11, V12, C1, C2), markets and
inspection (:mod:`sim.validation.markets`: V15, V16), information sharing
(:mod:`sim.validation.sharing`: V17, V18, V19), justice as a process
(:mod:`sim.validation.justice`: V20-V23); their building
blocks (results, settings, verdicts) are in :mod:`sim.validation.base`.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.validation.base import CheckResult, Setting
from sim.validation.justice import JUSTICE_CHECKS
from sim.validation.legal import LEGAL_CHECKS
from sim.validation.markets import MARKET_CHECKS
from sim.validation.routes import ROUTE_CHECKS
from sim.validation.sharing import SHARING_CHECKS
from sim.validation.supply import SUPPLY_CHECKS

#: the rows of docs/VALIDATION.md, in its order
ORDER = (
    "V1", "V2", "V5", "V6", "V7", "V9", "V11", "V12", "V14", "V15", "V16", "V17", "V18", "V19",
    "V20", "V21", "V22", "V23", "C1", "C2",
)  # fmt: skip
_ALL = {
    **ROUTE_CHECKS,
    **LEGAL_CHECKS,
    **SUPPLY_CHECKS,
    **MARKET_CHECKS,
    **SHARING_CHECKS,
    **JUSTICE_CHECKS,
}
CHECKS: dict[str, Callable[[Setting], CheckResult]] = {
    k: _ALL[k] for k in sorted(_ALL, key=lambda k: (ORDER + (k,)).index(k))
}


def run_checks(
    ids, replicates: int | None = None, seed: int = 0, workers=None, quick: bool = False
) -> list[CheckResult]:
    """Run the named checks with ``replicates`` paired runs per arm."""
    st = Setting(replicates or Setting.replicates, seed, workers, quick)
    return [CHECKS[i](st) for i in ids]


__all__ = ["CHECKS", "ORDER", "CheckResult", "Setting", "run_checks"]
