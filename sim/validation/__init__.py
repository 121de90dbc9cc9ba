"""Validation: the stylized facts of docs/VALIDATION.md, each a check with paired seeds.

Built on the harness (replicates, statistics); the model never imports it::

    from sim.validation import CHECKS, run_checks
    [r.as_dict() for r in run_checks(["V1", "V14"], replicates=20)]

Checks by theme: ``routes`` (V1 balloon effect, V2 dispersion, V5 diversion, V14 null
model), ``supply`` (V6 interdiction share, V7 seizures follow supply), ``legal`` (V9,
V11, V12, C1, C2: arrests, legal assistance, shared databases, agreements); ``base``
holds their building blocks and ``registry`` the checks by id. Names load lazily.
"""

from importlib import import_module

_WHERE = {
    "CheckResult": "base",
    "Setting": "base",
    "CHECKS": "registry",
    "run_checks": "registry",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.validation.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
