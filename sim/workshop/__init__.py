"""The treaty game (facilitator mode): teams choose portfolios of agreements under a budget.

``xborder workshop SCENARIO --teams N --budget USD`` serves two kinds of page from
one solara server: each team, on its own device, picks agreements from the
scenario's ``[[candidates]]`` whose summed cost per year stays within the budget and
locks them; the facilitator's screen shows every team's portfolio as it changes, runs
every locked portfolio and the status quo on common seeds, shows the league table of
paired effects with 95% intervals, and reveals at the end the portfolio the
recommender (:mod:`sim.recommend`) chose for the same budget. Each round is saved
as a study (``manifest.json``, parquet tables, ``league.parquet``, ``workshop.json``).

The modules:

- ``game``: the shared game state (teams, choices, locks, the budget check, rounds),
  pure Python and thread-safe;
- ``league``: one round's run (:func:`sim.harness.comparison.compare` on common
  seeds), the recommender's pick, the league table, the saved study;
- ``server``: the solara server in its own process group (like ``xborder dashboard``);
- ``views`` and ``app``: the pages (``solara run sim.workshop.app``).

Names load lazily (``from sim.workshop import Game``), so importing the package
imports neither the harness nor solara.
"""

from importlib import import_module

_WHERE = {
    "Game": "game",
    "GameError": "game",
    "OverBudget": "game",
    "RoundResult": "league",
    "play_round": "league",
    "read_round": "league",
    "serve": "server",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.workshop.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
