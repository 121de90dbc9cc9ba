"""The treaty game's solara app: ``solara run sim.workshop.app`` (or ``xborder workshop``).

Routes:

- ``/?key=KEY`` (and ``&token=TOKEN`` when the room has one): the facilitator's screen;
  without the key, a lobby that sends teams to their own links;
- ``/team/N?token=TOKEN``: team N's screen.

Solara imports this module once per server, so :data:`GAME`, built from the settings
``xborder workshop`` puts in the environment (:data:`sim.workshop.server.SETTINGS_ENV`),
is the one game every browser session shares. Started by ``solara run`` alone, it
serves a demonstration game (toy corridor, two teams, 600k USD/year, not saved).
"""

from __future__ import annotations

import hmac
import json
import os
from urllib.parse import parse_qs

import solara

from sim.workshop.game import Game
from sim.workshop.server import SETTINGS_ENV
from sim.workshop.views import FacilitatorPage, Lobby, TeamPage, TokenRequired

#: What the app serves when started without ``xborder workshop`` (a demonstration).
DEMO = {"scenario": "toy_corridor", "teams": 2, "budget": 600_000.0, "out": None}


def game_from_settings(settings: dict) -> Game:
    """The game from ``xborder workshop``'s settings (see :func:`settings_for`)."""
    out = settings.get("out")
    return Game(
        settings["scenario"],
        int(settings["teams"]),
        settings["budget"],
        replicates=int(settings.get("replicates", 8)),
        seed=int(settings.get("seed", 0)),
        ticks=settings.get("ticks"),
        overrides=list(settings.get("overrides") or []),
        out=out if out is None else os.path.expanduser(out),
        workers=settings.get("workers"),
    )


def links(settings: dict, teams: int) -> list[str]:
    """Each team's join link."""
    base = settings.get("base_url", "").rstrip("/")
    token = settings.get("token")
    return [f"{base}/team/{k}" + (f"?token={token}" if token else "") for k in range(1, teams + 1)]


SETTINGS = json.loads(os.environ.get(SETTINGS_ENV, "null")) or DEMO
GAME = game_from_settings(SETTINGS)
LINKS = links(SETTINGS, len(GAME.snapshot().teams))


def given(search: str | None, name: str) -> str:
    """The value of query parameter ``name`` ("" when absent)."""
    return parse_qs((search or "").lstrip("?")).get(name, [""])[0]


def matches(search: str | None, name: str, secret: str | None) -> bool:
    """Whether the query carries ``name=secret`` (always true without a secret)."""
    if not secret:
        return True
    return hmac.compare_digest(given(search, name).encode(), str(secret).encode())


@solara.component
def Home():
    """``/``: the facilitator's screen with the key, else the lobby."""
    router = solara.use_router()
    if not matches(router.search, "token", SETTINGS.get("token")):
        return TokenRequired()
    if matches(router.search, "key", SETTINGS.get("key")):
        return FacilitatorPage(GAME, LINKS)
    return Lobby(GAME)


@solara.component
def Team():
    """``/team/N``: team N's screen (with the room's token, when it has one)."""
    router = solara.use_router()
    if not matches(router.search, "token", SETTINGS.get("token")):
        return TokenRequired()
    number = router.path.strip("/").split("/")[-1]
    if not number.isdigit():  # /team without a number
        return Lobby(GAME)
    return TeamPage(GAME, int(number))


@solara.component
def Layout(children=[]):  # noqa: B006 - solara's signature for layouts
    """A plain centred column (no navigation: teams must not wander to other pages)."""
    with solara.Column(style={"max-width": "1200px", "margin": "0 auto", "padding": "12px"}):
        for child in children:
            solara.display(child)


routes = [
    solara.Route(path="/", component=Home, layout=Layout),
    solara.Route(
        path="team",
        component=Team,
        children=[solara.Route(path=str(k)) for k in range(1, len(LINKS) + 1)],
    ),
]
