"""Which agreements next? Treaty-portfolio recommendation and scenario discovery.

Built on the harness (executors, runner, statistics); the model never imports it::

    from sim.recommend import recommend, discover
    rec = recommend("central_america_cocaine", budget="25M", max_agreements=3)
    rec.table()                                  # ranked portfolios, paired intervals
    discover("outputs/rec", "benefit", 0)        # where the best portfolio stops paying

The modules: ``candidates`` (what a scenario lacks, priced), ``evaluation`` (portfolio
runs on common random numbers), ``search`` (greedy, successive halving), ``ranking``
(paired effects, bootstrap rank stability, frontier), ``robustness`` (Latin hypercube
worlds, regret), ``prim`` and ``discovery`` (scenario discovery), ``recommendation``
(the entry point). Names load lazily, so a worker process that only evaluates
portfolios imports ``evaluation`` alone.
"""

from importlib import import_module

_WHERE = {
    "Candidate": "candidates",
    "enumerate_candidates": "candidates",
    "discover": "discovery",
    "load_points": "discovery",
    "Objective": "ranking",
    "Recommendation": "recommendation",
    "parse_budget": "recommendation",
    "parse_objective": "recommendation",
    "recommend": "recommendation",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.recommend.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
