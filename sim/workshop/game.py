"""The treaty game's shared state: teams, their portfolios, the budget, the rounds.

One :class:`Game` lives in the server process and every browser session (the
facilitator's and each team's) reads and changes it; a lock guards it and every
change is announced to the subscribed pages (:meth:`Game.subscribe`), so the
facilitator sees a team's portfolio the moment the team changes or locks it.

The menu is the scenario's ``[[candidates]]`` (their ``label``, ``cost`` in USD per
year, a missing cost taking the lever's default as in ``xborder recommend``). A
portfolio is a set of candidate labels whose summed cost per year is at most the
budget (USD per year): a choice that would exceed it is refused with
:class:`OverBudget`, whose message the team's page shows. A round runs every locked
portfolio and the status quo on common seeds (:func:`sim.workshop.league.play_round`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sim.harness.executors import HarnessError
from sim.harness.study import as_scenario, check_ticks
from sim.recommend.candidates import Candidate, enumerate_candidates
from sim.recommend.recommendation import parse_budget
from sim.scenario import Scenario

#: At most this many teams (a room, not a stadium).
MAX_TEAMS = 40
#: Where rounds are saved unless ``--out`` says otherwise.
DEFAULT_OUT = Path("outputs/workshop")


class GameError(HarnessError):
    """A move the game refuses; its message is shown as it is in the page (and the CLI)."""


class OverBudget(GameError):
    """A portfolio whose summed cost per year would exceed the budget."""


def usd(x: float) -> str:
    """``1,250,000 USD/year``."""
    return f"{x:,.0f} USD/year"


def menu_of(sc: Scenario, ticks: int | None = None) -> list[Candidate]:
    """The agreements on offer: the scenario's own ``[[candidates]]``, priced per year.

    Raises:
        GameError: the scenario has no candidates table.
    """
    if not sc.candidates:
        raise GameError(
            f"{sc.path}: candidates: {sc.name} has no [[candidates]] to choose from "
            "(the game's menu is the scenario's candidates table; see xborder describe)"
        )
    return enumerate_candidates(sc, ["scenario"], ticks=ticks or sc.ticks)


@dataclass(frozen=True)
class Team:
    """One team's portfolio.

    Attributes:
        number: 1..N, as in its link ``/team/N``.
        choice: the candidate labels chosen, in menu order.
        locked: whether the team has committed to it for the next run.
    """

    number: int
    choice: tuple[str, ...] = ()
    locked: bool = False

    @property
    def name(self) -> str:  # noqa: D102
        return f"Team {self.number}"


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of the game for one page render (see :meth:`Game.snapshot`)."""

    teams: tuple[Team, ...]
    status: str
    round: int
    error: str
    result: object | None
    revealed: bool


@dataclass
class Game:
    """The game: settings, the menu, the teams, the rounds.

    Args:
        scenario: the status quo (Scenario, file or shipped name).
        teams: how many teams play (1..MAX_TEAMS).
        budget: USD per year each team may spend (number or text: ``600k``, ``2.5M``).
        replicates: paired replicates of every arm in a round (at least 2).
        seed: root seed of the rounds' common seeds.
        ticks: horizon override (default: the scenario's).
        overrides: ``--set`` strings applied to the scenario.
        out: rounds are saved as studies in ``out/round-K`` (None: not saved).
        workers: local processes for the runs (None: the cores; 1: serial).

    Raises:
        GameError or HarnessError: a bad setting (the message names it).
    """

    scenario: Scenario | str | Path
    teams: int
    budget: float | str
    replicates: int = 8
    seed: int = 0
    ticks: int | None = None
    overrides: list[str] | None = None
    out: Path | None = DEFAULT_OUT
    workers: int | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _listeners: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.sc = as_scenario(self.scenario, self.overrides)
        check_ticks([self.sc], self.ticks)
        self.budget = parse_budget(self.budget)
        if not 1 <= int(self.teams) <= MAX_TEAMS:
            raise GameError(f"--teams: must be in 1..{MAX_TEAMS}, got {self.teams}")
        if self.replicates < 2:
            raise GameError(
                f"--replicates: a paired comparison needs at least 2, got {self.replicates}"
            )
        self.menu = menu_of(self.sc, self.ticks)
        self.costs = {c.label: c.cost_per_year for c in self.menu}
        cheapest = min(self.costs.values())
        if cheapest > self.budget + 1e-6:
            raise GameError(
                f"--budget: {usd(self.budget)} affords no agreement (the cheapest costs "
                f"{usd(cheapest)})"
            )
        self.out = Path(self.out) if self.out is not None else None
        self._teams = [Team(k) for k in range(1, int(self.teams) + 1)]
        self.status = "choosing"  # choosing -> running -> results -> (new round) choosing
        self.round = 0
        self.error = ""
        self.result = None
        self.revealed = False

    # ------------------------------------------------------------------ reading
    @property
    def horizon(self) -> int:
        """Weeks simulated per run."""
        return int(self.ticks or self.sc.ticks)

    def cost(self, labels) -> float:
        """Summed cost per year of a set of candidate labels."""
        return float(sum(self.costs[x] for x in labels))

    def team(self, number: int) -> Team:
        """Team ``number`` (1-based); GameError for a team that does not play."""
        if not 1 <= int(number) <= len(self._teams):
            raise GameError(f"there is no team {number} (teams 1..{len(self._teams)} play)")
        return self._teams[int(number) - 1]

    def snapshot(self) -> Snapshot:
        """Everything a page shows, read at once under the lock."""
        with self._lock:
            return Snapshot(
                tuple(self._teams), self.status, self.round, self.error, self.result, self.revealed
            )

    # ------------------------------------------------------------------ choosing
    def choose(self, number: int, labels) -> Team:
        """Set team ``number``'s portfolio to ``labels`` (in menu order).

        Raises:
            GameError: an unknown label, a locked team, or a round running or shown.
            OverBudget: the labels cost more per year than the budget.
        """
        labels = list(dict.fromkeys(labels))
        for x in labels:
            if x not in self.costs:
                raise GameError(f"no agreement {x!r} on the menu (known: {', '.join(self.costs)})")
        chosen = tuple(c.label for c in self.menu if c.label in labels)
        total = self.cost(chosen)
        with self._lock:
            team = self._movable(number)
            if total > self.budget + 1e-6:
                extra = sorted(set(chosen) - set(team.choice))
                what = f"adding {', '.join(extra)} " if extra else ""
                raise OverBudget(
                    f"Refused: {what}would bring {team.name}'s portfolio to {usd(total)}, over "
                    f"the budget of {usd(self.budget)} by {usd(total - self.budget)}. Drop an "
                    "agreement first, or choose a cheaper one."
                )
            self._teams[team.number - 1] = replace(team, choice=chosen)
        self._notify()
        return self.team(number)

    def add(self, number: int, label: str) -> Team:
        """Add one agreement to a team's portfolio (refused over budget)."""
        return self.choose(number, [*self.team(number).choice, label])

    def remove(self, number: int, label: str) -> Team:
        """Drop one agreement from a team's portfolio."""
        return self.choose(number, [x for x in self.team(number).choice if x != label])

    def lock(self, number: int, locked: bool = True) -> Team:
        """Commit (or, with ``locked=False``, reopen) a team's portfolio for the next run."""
        with self._lock:
            team = self.team(number)
            if self.status != "choosing":
                raise GameError(self._closed_message())
            self._teams[team.number - 1] = replace(team, locked=locked)
        self._notify()
        return self.team(number)

    def _movable(self, number: int) -> Team:
        team = self.team(number)
        if self.status != "choosing":
            raise GameError(self._closed_message())
        if team.locked:
            raise GameError(f"{team.name}'s portfolio is locked: unlock it to change it")
        return team

    def _closed_message(self) -> str:
        if self.status == "running":
            return "the facilitator is running the game: portfolios are frozen"
        return "this round has been played: wait for the facilitator's next round"

    # ------------------------------------------------------------------ rounds
    def begin(self) -> tuple[int, dict[str, tuple[str, ...]]]:
        """Start a round: freeze the locked portfolios; return its number and them.

        Raises:
            GameError: no team has locked a portfolio, or a round is running or shown.
        """
        with self._lock:
            if self.status != "choosing":
                raise GameError(
                    "a run is already under way"
                    if self.status == "running"
                    else "this round has been played: start a new round first"
                )
            portfolios = {t.name: t.choice for t in self._teams if t.locked}
            if not portfolios:
                raise GameError("no team has locked a portfolio yet: nothing to run")
            self.status, self.error, self.result, self.revealed = "running", "", None, False
            self.round += 1
            number = self.round
        self._notify()
        return number, portfolios

    def play(self, number: int, portfolios: dict[str, tuple[str, ...]]):
        """Run round ``number`` (blocking); on failure the teams may choose again.

        Returns:
            The :class:`~sim.workshop.league.RoundResult`.
        """
        from sim.workshop.league import play_round

        try:
            result = play_round(
                self.sc,
                self.menu,
                portfolios,
                self.budget,
                replicates=self.replicates,
                seed=self.seed,
                ticks=self.ticks,
                out=self._round_dir(),
                workers=self.workers,
                number=number,
            )
        except Exception as e:  # shown on the facilitator's page; the game goes on
            with self._lock:
                self.status, self.error = "choosing", f"the run failed: {e}"
            self._notify()
            raise
        with self._lock:
            self.status, self.result = "results", result
        self._notify()
        return result

    def run(self):
        """Run a round now (blocking): :meth:`begin` then :meth:`play`."""
        return self.play(*self.begin())

    def start(self) -> threading.Thread:
        """Run a round in a background thread (the pages stay live); GameError at once."""
        args = self.begin()

        def work():
            try:
                self.play(*args)
            except Exception:  # noqa: S110 - already reported through self.error
                pass

        thread = threading.Thread(target=work, name=f"workshop-round-{args[0]}", daemon=True)
        thread.start()
        return thread

    def reveal(self) -> None:
        """Show the recommender's portfolio (after a round has been played)."""
        with self._lock:
            if self.result is None:
                raise GameError("nothing to reveal before the game has been run")
            self.revealed = True
        self._notify()

    def new_round(self) -> None:
        """Reopen every portfolio for another round (the last round stays saved)."""
        with self._lock:
            if self.status == "running":
                raise GameError("a run is under way: wait for its league table")
            self._teams = [replace(t, locked=False) for t in self._teams]
            self.status, self.error, self.result, self.revealed = "choosing", "", None, False
        self._notify()

    def _round_dir(self) -> Path | None:
        """``out/round-K``: the first K whose directory does not exist yet."""
        if self.out is None:
            return None
        k = 1
        while (self.out / f"round-{k}").exists():
            k += 1
        return self.out / f"round-{k}"

    # ------------------------------------------------------------------ listeners
    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after every change; returns the function that unsubscribes."""
        key = object()
        with self._lock:
            self._listeners[key] = listener

        def unsubscribe():
            with self._lock:
                self._listeners.pop(key, None)

        return unsubscribe

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners.values())
        for listener in listeners:
            try:
                listener()
            except Exception:  # noqa: S112 - a closed page must not stop the others
                continue


__all__ = ["DEFAULT_OUT", "MAX_TEAMS", "Game", "GameError", "OverBudget", "Snapshot", "Team"]
