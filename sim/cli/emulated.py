"""``xborder sensitivity --emulator gp|gbt``: Sobol indices of an emulator of the mean.

The dispatch of the sensitivity command's emulator mode, kept apart from
:mod:`sim.cli.studies`; the study itself is
:func:`sim.harness.emulated_sensitivity.emulator_sensitivity`.
"""

from __future__ import annotations

from sim.cli.helpers import fail


def emulated(kind: str, method: str, second_order: bool):
    """The emulator study with the signature of ``sensitivity`` (as the command calls it).

    Refuses options it does not use: another ``--method`` or ``--second-order``.
    """
    if method != "sobol":
        fail(f"--emulator: computes Sobol indices of the emulated mean; drop --method {method}")
    if second_order:
        fail("--emulator: second-order indices are not computed; drop --second-order")
    from sim.harness.emulated_sensitivity import emulator_sensitivity

    def study(sc, _method, params, n, replicates, seed, *, calc_second_order=False, **kw):
        return emulator_sensitivity(sc, kind, params, n, replicates, seed, **kw)

    return study
