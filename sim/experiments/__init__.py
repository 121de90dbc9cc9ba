"""Reproducible experiments: one TOML file per study in ``experiments/``, exact tables.

Built on the harness, the validation checks and the recommender; the model never
imports it::

    from sim.experiments import list_experiments, run_experiment, verify_experiment
    res = run_experiment("agreements_portfolio", quick=True)   # tables, figures, manifest
    verify_experiment("agreements_portfolio", quick=True).ok   # every cell as committed

The modules: ``registry`` (experiment files, running), ``verify`` (comparison with the
committed tables), ``kinds`` (what each kind computes; ``recommend`` for the
recommendation kind, ``base`` for what they share), ``tables`` (exact CSV, figure
recipes). Names load lazily.
"""

from importlib import import_module

_WHERE = {
    "Experiment": "registry",
    "ExperimentError": "registry",
    "ExperimentResult": "registry",
    "list_experiments": "registry",
    "load_experiment": "registry",
    "plot_experiment": "registry",
    "run_experiment": "registry",
    "VerifyResult": "verify",
    "update_expected": "verify",
    "verify_experiment": "verify",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.experiments.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
