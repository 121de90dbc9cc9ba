"""``xborder workshop``: the treaty game in facilitator mode (a separate solara server)."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.helpers import call, fail, load, policy_warnings
from sim.cli.options import (
    HostOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    TicksOpt,
    TokenOpt,
    WorkersOpt,
    join_token,
)


def workshop(
    scenario: ScenarioArg,
    budget: Annotated[
        str,
        typer.Option(
            help="USD per year each team may spend: the summed cost per year of its "
            "agreements (600k, 2.5M, 2e6)."
        ),
    ],
    teams: Annotated[int, typer.Option("--teams", "-n", help="Number of teams (1-40).")] = 4,
    replicates: Annotated[
        int,
        typer.Option("-r", "--replicates", help="Seeds per portfolio in a run (at least 2)."),
    ] = 8,
    seed: SeedOpt = 0,
    ticks: TicksOpt = None,
    set_: SetOpt = None,
    out: Annotated[
        Path,
        typer.Option(help="Save each round here as a study: OUT/round-1, OUT/round-2, ..."),
    ] = Path("outputs/workshop"),
    workers: WorkersOpt = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8766,
    host: HostOpt = "127.0.0.1",
    token: TokenOpt = None,
    key: Annotated[
        str | None,
        typer.Option(help="The facilitator's key (?key=...). Default: a random one."),
    ] = None,
) -> None:
    r"""Play the treaty game: teams choose agreements under a budget, then compare.

    Each team opens its own link (/team/N) on its own device and picks agreements
    from the scenario's candidates table whose summed cost per year fits --budget
    (an over-budget choice is refused), then locks its portfolio. The facilitator's
    screen (the printed URL with ?key=...) shows every portfolio as teams choose,
    runs the status quo and every locked portfolio on the same seeds, and shows a
    league table of the changes in delivered, seized, leaders out of reach and
    policy cost, with 95% intervals. The recommender's portfolio for the same
    budget (xborder recommend, small settings) is revealed at the end. Each round
    is saved as a study in OUT/round-K (manifest.json, runs.parquet,
    league.parquet, workshop.json) for the debrief.

    It listens on 127.0.0.1 unless --host says otherwise; Ctrl-C or SIGTERM stops
    the server and every run it started. Needs the dashboard extra: pip install
    'xborder\[dashboard]'. Works offline.

    Examples:
      xborder workshop toy_corridor --teams 3 --budget 600k
      xborder workshop central_america_cocaine --teams 6 --budget 25M -r 16
      xborder workshop central_america_cocaine -n 6 --budget 25M --host 0.0.0.0 --token auto
    """
    sc = load(scenario, set_)
    policy_warnings([sc], strict=False)
    from sim.workshop.game import Game

    game = call(
        Game,
        sc,
        teams,
        budget,
        replicates=replicates,
        seed=seed,
        ticks=ticks,
        out=out,
        workers=workers,
    )
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file, not a directory")
    if importlib.util.find_spec("solara") is None:  # pragma: no cover
        fail("workshop: needs solara (pip install 'xborder[dashboard]')")
    from sim.workshop.server import lan_address, port_in_use, serve

    token = join_token(token, host)
    key = key or secrets.token_urlsafe(9)
    if port_in_use(host, port):
        fail(f"workshop: port {port} on {host} is in use (choose another with --port)")
    shown = lan_address() if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    settings = {
        "scenario": str(sc.path),
        "overrides": list(sc.overrides),
        "teams": teams,
        "budget": game.budget,
        "replicates": replicates,
        "seed": seed,
        "ticks": ticks,
        "out": str(out.resolve()),
        "workers": workers,
        "token": token,
        "key": key,
        "base_url": base,
    }
    join = f"?token={token}" if token else ""
    facilitator = f"{base}/?key={key}" + (f"&token={token}" if token else "")
    typer.echo(f"xborder workshop: facilitator: {facilitator} (Ctrl-C to stop)", err=True)
    for k in range(1, teams + 1):
        typer.echo(f"  team {k}: {base}/team/{k}{join}", err=True)
    typer.echo(f"  rounds saved in {out}/round-K", err=True)
    raise typer.Exit(serve(settings, port, host))
