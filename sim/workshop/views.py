"""The treaty game's pages: a team's portfolio, the facilitator's screen, the league table.

Every page re-renders when the shared game changes (:func:`use_game`): a change
made in one browser session (a team adding an agreement, the facilitator running
the game) reaches every other session at once.
"""

from __future__ import annotations

import html
import math
from functools import partial

import solara

from sim.workshop.game import Game, GameError, Snapshot, usd
from sim.workshop.league import METRICS, RECOMMENDER, RoundResult

CSS = """
.xb-table table { border-collapse: collapse; margin: 8px 0 4px 0; }
.xb-table th, .xb-table td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
.xb-table th { background: #f3f3f3; }
.xb-table td.num { text-align: right; white-space: nowrap; }
.xb-table .detectable { font-weight: bold; }
.xb-table tr.xb-recommender-row td { background: #fff4e0; }
.xb-table tr.xb-own-row td { background: #e8f1ff; font-weight: 500; }
.xb-offer { align-items: center; border-bottom: 1px solid #eee; padding: 2px 0; }
.xb-note { color: #555; font-size: 90%; }
"""


def use_game(game: Game) -> Snapshot:
    """The game as this page shows it; re-render whenever any session changes it."""
    _, set_version = solara.use_state(0)

    def connect():
        from solara.server import kernel_context

        try:
            context = kernel_context.get_current_context()
        except Exception:  # not inside a server (a test render): no live updates
            return None

        def changed():
            with context:
                set_version(lambda v: v + 1)

        return game.subscribe(changed)

    solara.use_effect(connect, [])
    return game.snapshot()


def num(x: float) -> str:
    """A number for the table: thousands separated, about three significant digits."""
    if x is None or not math.isfinite(x):
        return "n/a"
    a = abs(x)
    text = f"{x:,.0f}" if a >= 100 else f"{x:.1f}" if a >= 10 else f"{x:.2f}"
    return "0" if text.strip("-0.,") == "" else text


def interval(row, metric: str) -> str:
    """``-12.3 [-30.1 .. 5.4]``, in bold when the interval excludes zero."""
    text = (
        f"{num(row[f'{metric}_change'])} "
        f"[{num(row[f'{metric}_ci_low'])} .. {num(row[f'{metric}_ci_high'])}]"
    )
    cls = "num detectable" if row[f"{metric}_detectable"] else "num"
    return f'<td class="{cls}">{html.escape(text)}</td>'


def league_html(result: RoundResult, revealed: bool, own: str = "") -> str:
    """The league table as HTML: one row per team (and the recommender once revealed).

    ``own``: the arm whose row is marked (a team's page marks its own).
    """
    df = result.league if revealed else result.teams()
    ranks = df["delivered_change"].round(9).rank(method="min").astype(int)
    units = result.settings.get("units", {})
    head = "".join(
        f"<th>{html.escape(label)}<br>({html.escape(units.get(m, ''))})</th>"
        for m, label in METRICS.items()
    )
    rows = []
    for rank, (_, r) in zip(ranks, df.iterrows()):
        recommender = r["kind"] == RECOMMENDER
        cls = "xb-recommender-row" if recommender else "xb-own-row" if r["arm"] == own else ""
        cls = f' class="{cls}"' if cls else ""
        who = "The recommender" if recommender else r["arm"]
        cells = "".join(interval(r, m) for m in METRICS)
        rows.append(
            f"<tr{cls}><td>{rank}</td><td>{html.escape(who)}</td>"
            f"<td>{html.escape(r['portfolio'])}</td>"
            f'<td class="num">{num(r["cost_usd_per_year"])}</td>{cells}</tr>'
        )
    sq = result.status_quo
    sq_cells = "".join(f'<td class="num">{num(sq.get(m, float("nan")))}</td>' for m in METRICS)
    return (
        "<table><thead><tr><th>#</th><th>Team</th><th>Portfolio</th>"
        f"<th>Cost<br>(USD/year)</th>{head}</tr></thead><tbody>"
        f'<tr class="xb-status-quo"><td></td><td>Status quo</td><td>(level, not a change)</td>'
        f'<td class="num">0</td>{sq_cells}</tr>' + "".join(rows) + "</tbody></table>"
    )


@solara.component
def LeagueTable(result: RoundResult, revealed: bool, own: str = ""):
    """The league: changes against the status quo with intervals, ranked by delivered."""
    s = result.settings
    with solara.Column(classes=["xb-league", "xb-table"]):
        solara.Markdown(
            f"### League table, round {result.number}\n\n"
            f"Change against the status quo on the same {s['replicates']} seeds (common "
            f"random numbers, {s['ticks']} weeks, averaged after week {s['burn_in']}): mean "
            "of the paired differences and its 95% interval. Ranked by the change in "
            "delivered (lower is better); **bold**: the interval excludes zero."
        )
        solara.HTML(tag="div", unsafe_innerHTML=league_html(result, revealed, own))
        if s.get("failed_runs"):
            solara.Warning(f"{s['failed_runs']} runs failed (see runs.parquet, column error)")


@solara.component
def RecommenderReveal(result: RoundResult):
    """The recommender's portfolio, its verdict, and how it was found."""
    rec = result.recommender
    verdict = (
        "On its own seeds it beats the status quo detectably."
        if rec["beats_status_quo_detectably"]
        else f"On its own seeds {rec['note']}: this is its top-ranked portfolio."
    )
    with solara.Column(classes=["xb-recommender"]):
        solara.Markdown(
            f"### The recommender's portfolio: {html.escape(rec['portfolio'])}\n\n"
            f"Cost {usd(rec['cost_usd_per_year'])}, within the same budget of "
            f"{usd(result.settings['budget_usd_per_year'])}, from the same menu. "
            f"Found by {rec['search']['method']} to reduce delivered, with "
            f"{rec['search']['replicates']} replicates on seeds of its own. {verdict} "
            "Its row in the league was measured on the league's seeds, like yours."
        )


@solara.component
def TeamPage(game: Game, number: int):
    """One team's screen: the menu, the budget, the lock, and the league after the run."""
    snap = use_game(game)
    refusal, set_refusal = solara.use_state("")
    team = snap.teams[number - 1]
    open_ = snap.status == "choosing" and not team.locked

    def act(fn, *args):
        try:
            fn(*args)
            set_refusal("")
        except GameError as e:
            set_refusal(str(e))

    solara.Title(f"{team.name}: the treaty game")
    solara.Style(CSS)
    total = game.cost(team.choice)
    solara.Markdown(
        f"## {team.name}: choose your agreements\n\n"
        f"Scenario **{html.escape(game.sc.name)}**. {html.escape(game.sc.description)}\n\n"
        f"Your budget: **{usd(game.budget)}**. Pick the agreements your team would sign; "
        "their summed cost per year must stay within the budget. Then lock your portfolio: "
        "the facilitator runs every team's portfolio on the same seeds."
    )
    with solara.Column(classes=["xb-menu"]):
        for c in game.menu:
            chosen = c.label in team.choice
            with solara.Row(classes=["xb-offer"]):
                solara.Button(
                    "Remove" if chosen else "Add",
                    on_click=partial(act, game.remove if chosen else game.add, number, c.label),
                    disabled=not open_,
                    color="primary" if not chosen else None,
                    outlined=chosen,
                    style={"min-width": "90px"},
                )
                solara.Markdown(
                    f"{'**[chosen]** ' if chosen else ''}**{html.escape(c.label)}**: "
                    f"{html.escape(c.what)}; {usd(c.cost_per_year)}"
                )
    if refusal:
        with solara.Column(classes=["xb-refusal"]):
            solara.Error(refusal)
    with solara.Column(classes=["xb-portfolio"]):
        solara.Markdown(
            f"**Your portfolio:** {html.escape(' + '.join(team.choice) or 'nothing yet')}; "
            f"{usd(total)} of {usd(game.budget)} ({usd(game.budget - total)} left). "
            + ("**Locked.** Waiting for the facilitator." if team.locked else "Not locked.")
        )
    with solara.Row():
        if team.locked:
            solara.Button(
                "Unlock to change",
                on_click=partial(act, game.lock, number, False),
                disabled=snap.status != "choosing",
            )
        else:
            solara.Button(
                "Lock our portfolio",
                on_click=partial(act, game.lock, number, True),
                disabled=snap.status != "choosing",
                color="primary",
            )
    if snap.status == "running":
        solara.Info(f"The facilitator is running round {snap.round}: the league table follows.")
    if snap.result is not None:
        LeagueTable(snap.result, snap.revealed, team.name)
        if snap.revealed:
            RecommenderReveal(snap.result)


def teams_html(game: Game, snap: Snapshot) -> str:
    """Every team's portfolio, status and cost, as an HTML table."""
    rows = []
    for t in snap.teams:
        status = "locked" if t.locked else "choosing"
        rows.append(
            f'<tr class="xb-team-{t.number}"><td>{t.name}</td><td>{status}</td>'
            f"<td>{html.escape(' + '.join(t.choice) or '(nothing yet)')}</td>"
            f'<td class="num">{num(game.cost(t.choice))}</td></tr>'
        )
    return (
        "<table><thead><tr><th>Team</th><th>Status</th><th>Portfolio</th>"
        "<th>Cost (USD/year)</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


@solara.component
def FacilitatorPage(game: Game, links: list[str]):
    """The facilitator's screen: team links, portfolios live, the run, the league, the reveal."""
    snap = use_game(game)
    message, set_message = solara.use_state("")

    def act(fn):
        try:
            fn()
            set_message("")
        except GameError as e:
            set_message(str(e))

    solara.Title(f"The treaty game: {game.sc.name}")
    solara.Style(CSS)
    solara.Markdown(
        f"## The treaty game: {html.escape(game.sc.name)}\n\n"
        f"{html.escape(game.sc.description)}\n\n"
        f"Budget per team: **{usd(game.budget)}**. {len(game.menu)} agreements on the menu. "
        f"A run: the status quo and every locked portfolio, {game.replicates} replicates of "
        f"{game.horizon} weeks each, on the same seeds (root seed {game.seed})."
    )
    with solara.Column(classes=["xb-links"]):
        solara.Markdown(
            "**Team links** (one per team, on its own device):\n\n"
            + "\n".join(f"- Team {k}: <{url}>" for k, url in enumerate(links, start=1))
        )
    with solara.Column(classes=["xb-teams", "xb-table"]):
        solara.Markdown(f"### Portfolios (round {max(snap.round, 1)})")
        solara.HTML(tag="div", unsafe_innerHTML=teams_html(game, snap))
    locked = sum(t.locked for t in snap.teams)
    with solara.Row():
        solara.Button(
            "Run the game",
            on_click=partial(act, game.start),
            disabled=snap.status != "choosing" or locked == 0,
            color="primary",
        )
        if snap.status == "results":
            if not snap.revealed:
                solara.Button(
                    "Reveal the recommender's portfolio", on_click=partial(act, game.reveal)
                )
            solara.Button("Start a new round", on_click=partial(act, game.new_round))
    solara.Markdown(
        f"{locked} of {len(snap.teams)} teams locked; teams that have not locked sit the "
        "round out. The recommender's portfolio for the same budget is computed with the "
        "run and revealed at the end.",
        style={"color": "#555"},
    )
    if message:
        solara.Error(message)
    if snap.error:
        solara.Error(snap.error)
    if snap.status == "running":
        with solara.Column(classes=["xb-running"]):
            solara.Info(
                f"Running round {snap.round}: the recommender's search, then the status quo, "
                f"{locked} portfolios and the recommender's, {game.replicates} seeds each."
            )
            solara.ProgressLinear(True)
    if snap.result is not None:
        LeagueTable(snap.result, snap.revealed)
        if snap.revealed:
            RecommenderReveal(snap.result)
        if snap.result.out is not None:
            solara.Markdown(
                f"Saved for the debrief: `{snap.result.out}` (manifest.json, runs.parquet, "
                "league.parquet, workshop.json); took "
                f"{snap.result.seconds:.0f} s.",
                style={"color": "#555"},
            )


@solara.component
def Lobby(game: Game):
    """The front page without the facilitator's key: where to go instead."""
    solara.Title("The treaty game")
    with solara.Column(classes=["xb-lobby"]):
        solara.Markdown(
            f"## The treaty game: {html.escape(game.sc.name)}\n\n"
            "Teams: open your team's own link (`/team/N`), which the facilitator gives you. "
            "The facilitator's screen needs the facilitator's link."
        )


@solara.component
def TokenRequired():
    """A page without the room's join token: only a request for the join link."""
    with solara.Column(classes=["xb-token-required"]):
        solara.Markdown(
            "## The treaty game\n\nThis room needs its join link: ask the facilitator for "
            "the address ending in `?token=...`."
        )


__all__ = [
    "FacilitatorPage",
    "LeagueTable",
    "Lobby",
    "RecommenderReveal",
    "TeamPage",
    "TokenRequired",
    "league_html",
    "use_game",
]
