"""Issue 17: the treaty game (facilitator mode): game logic, a round, the CLI, the real server.

The browser test starts the real ``xborder workshop`` command on 127.0.0.1 and drives
Debian's Chromium with Playwright through the game: two teams on their own browser
contexts choose (one is refused over budget), lock, the facilitator runs the game and
the league table and the recommender's portfolio appear.
"""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.harness.executors import HarnessError
from sim.rng import run_seeds
from sim.scenario import Scenario
from sim.workshop.game import Game, GameError, OverBudget
from sim.workshop.league import RECOMMENDER, STATUS_QUO, priced_by_year, read_round
from tests.servers import ARGS, CHROMIUM, answers, free_port, sync_playwright, xborder

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 600_000  # toy menu: mlat_MKT_NOR 250k/year, surge_MID 500k/year: both are 750k
TICKS = 70  # 18 weeks after the toy's burn-in: enough for a league, quick to run


# ------------------------------------------------------------------ the game's rules
def test_budget_check_refuses_and_keeps_the_last_choice():
    g = Game("toy_corridor", 2, "600k", out=None)
    assert g.budget == BUDGET
    assert {c.label: c.cost_per_year for c in g.menu} == {
        "mlat_MKT_NOR": 250_000.0,
        "surge_MID": 500_000.0,
    }
    g.add(1, "surge_MID")
    with pytest.raises(OverBudget, match=r"750,000 USD/year, over the budget of 600,000"):
        g.add(1, "mlat_MKT_NOR")
    assert g.team(1).choice == ("surge_MID",)  # the refused choice left no trace
    with pytest.raises(OverBudget):
        g.choose(2, ["surge_MID", "mlat_MKT_NOR"])
    assert g.team(2).choice == ()
    g.choose(2, ["mlat_MKT_NOR"])
    with pytest.raises(GameError, match="no agreement 'mlat'"):
        g.add(2, "mlat")
    g.lock(1)
    with pytest.raises(GameError, match="locked"):
        g.remove(1, "surge_MID")
    g.lock(1, False)
    g.remove(1, "surge_MID")
    assert g.team(1).choice == () and g.cost(["surge_MID", "mlat_MKT_NOR"]) == 750_000
    with pytest.raises(GameError, match="there is no team 3"):
        g.add(3, "surge_MID")
    with pytest.raises(GameError, match="no team has locked"):
        g.run()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": "100k"}, "affords no agreement"),
        ({"budget": "lots"}, "--budget: expected a positive amount"),
        ({"teams": 0}, "--teams"),
        ({"replicates": 1}, "--replicates"),
        ({"ticks": 40}, "--ticks"),
    ],
)
def test_bad_settings_name_the_problem(kwargs, message):
    settings = {"teams": 2, "budget": "600k", **kwargs}
    with pytest.raises(HarnessError, match=message):  # the CLI prints these in one line
        Game("toy_corridor", settings.pop("teams"), settings.pop("budget"), **settings)


def test_a_scenario_without_candidates_has_no_game(toy):
    bare = Scenario(toy.name, toy.path, {k: v for k, v in toy.data.items() if k != "candidates"})
    with pytest.raises(GameError, match=r"no \[\[candidates\]\] to choose from"):
        Game(bare, 2, "1M", out=None)


def test_listeners_hear_every_change():
    g = Game("toy_corridor", 2, "600k", out=None)
    heard = []
    stop = g.subscribe(lambda: heard.append(g.snapshot().teams[0].choice))
    g.add(1, "mlat_MKT_NOR")
    with pytest.raises(OverBudget):
        g.add(1, "surge_MID")  # refused: nothing changed, nothing announced
    g.lock(1)
    stop()
    g.lock(1, False)
    assert heard == [("mlat_MKT_NOR",), ("mlat_MKT_NOR",)]


def test_the_recommender_pays_per_year_like_the_teams(toy):
    from sim.recommend.candidates import enumerate_candidates

    data = json.loads(json.dumps(toy.data))
    data["candidates"][1]["start"] = 60  # surge_MID in force for 200 of 260 weeks
    sc = Scenario(toy.name, toy.path, data)
    menu = enumerate_candidates(sc, ["scenario"])
    priced = enumerate_candidates(priced_by_year(sc, menu, 260), ["scenario"])
    # total over the horizon = cost per year x 260 / 52 whatever the start
    assert [c.total_cost for c in priced] == pytest.approx([250_000 * 5, 500_000 * 5])
    assert menu[1].total_cost == pytest.approx(500_000 * 200 / 52)  # unpriced: less


# ------------------------------------------------------------------ a round, saved
@pytest.fixture(scope="module")
def played(tmp_path_factory):
    out = tmp_path_factory.mktemp("workshop")
    g = Game("toy_corridor", 3, BUDGET, replicates=3, ticks=TICKS, out=out, workers=1)
    g.choose(1, ["surge_MID"])
    g.choose(2, ["mlat_MKT_NOR"])
    g.choose(3, ["mlat_MKT_NOR"])  # team 3 does not lock: it sits the round out
    g.lock(1)
    g.lock(2)
    result = g.run()
    return g, result, out / "round-1"


def test_a_round_runs_every_locked_portfolio_on_common_seeds(played):
    g, result, path = played
    runs = pd.read_parquet(path / "runs.parquet")
    assert set(runs["scenario"]) == {STATUS_QUO, "Team 1", "Team 2", RECOMMENDER}
    assert (runs["status"] == "ok").all() and len(runs) == 4 * 3
    seeds = runs.groupby("replicate")["seed"].agg(set)
    assert all(len(s) == 1 for s in seeds)  # replicate k: one seed in every arm
    assert [next(iter(s)) for s in seeds] == run_seeds(0, 3)
    assert g.status == "results" and g.round == 1
    with pytest.raises(GameError, match="has been played"):
        g.add(2, "surge_MID")


def test_the_league_has_paired_intervals(played):
    _, result, path = played
    league = result.league
    assert list(league["arm"].sort_values()) == ["Team 1", "Team 2", RECOMMENDER]
    for m in ("delivered", "seized", "safe_haven_leaders", "policy_cost"):
        lo, mid, hi = (league[f"{m}_{k}"].to_numpy() for k in ("ci_low", "change", "ci_high"))
        assert np.isfinite([lo, mid, hi]).all() and (lo <= mid + 1e-9).all()
        assert (mid <= hi + 1e-9).all()
    # the interval is the Student-t interval of the paired differences in runs.parquet
    runs = pd.read_parquet(path / "runs.parquet")
    by = {a: runs[runs["scenario"] == a].sort_values("replicate") for a in (STATUS_QUO, "Team 1")}
    d = by["Team 1"]["delivered"].to_numpy() - by[STATUS_QUO]["delivered"].to_numpy()
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    row = league[league["arm"] == "Team 1"].iloc[0]
    assert row["delivered_change"] == pytest.approx(d.mean())
    assert row["delivered_ci_low"] == pytest.approx(d.mean() - half)
    assert row["delivered_ci_high"] == pytest.approx(d.mean() + half)
    assert row["policy_cost_change"] == pytest.approx(500_000)  # surge_MID from week 0
    assert list(league["rank"]) == sorted(league["rank"])
    assert (league["delivered_change"].diff().dropna() >= -1e-9).all()  # best (lowest) first
    rec = result.recommender
    assert rec["agreements"] and rec["cost_usd_per_year"] <= BUDGET
    assert league.set_index("arm").loc[RECOMMENDER, "portfolio"] == rec["portfolio"]


def test_the_round_is_a_readable_study(played):
    g, result, path = played
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["state"] == "finished" and manifest["status"] == {"ok": 12, "error": 0}
    assert manifest["workshop"]["portfolios"] == {
        "Team 1": ["surge_MID"],
        "Team 2": ["mlat_MKT_NOR"],
    }
    assert manifest["workshop"]["budget_usd_per_year"] == BUDGET
    for name in ("timeseries.parquet", "summary.csv", "compare.json", "league.parquet"):
        assert (path / name).is_file(), name
    back = read_round(path)
    pd.testing.assert_frame_equal(back.league, result.league)
    assert back.recommender == json.loads(json.dumps(result.recommender))
    assert back.settings["replicates"] == 3 and back.settings["ticks"] == TICKS
    g.new_round()  # everyone may choose again; the next round gets its own directory
    assert not any(t.locked for t in g.snapshot().teams) and g.result is None
    assert g._round_dir() == path.parent / "round-2"


def test_league_html_hides_the_recommender_until_revealed(played):
    pytest.importorskip("solara")
    from sim.workshop.views import league_html

    _, result, _ = played
    hidden, shown = league_html(result, False), league_html(result, True)
    assert "Team 1" in hidden and "Team 2" in hidden and "The recommender" not in hidden
    assert "The recommender" in shown and 'class="xb-recommender-row"' in shown


# ------------------------------------------------------------------ the command line
def test_cli_help_and_bad_input(capsys):
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.cli.app import main

    r = CliRunner().invoke(app, ["workshop", "--help"])
    assert r.exit_code == 0 and "--budget" in r.output and "league" in r.output
    assert "xborder workshop toy_corridor" in r.output  # an example
    for argv, text in [
        (["workshop", "toy_corridor", "--budget", "lots"], "--budget: expected a positive"),
        (["workshop", "toy_corridor", "--budget", "100k"], "affords no agreement"),
        (["workshop", "toy_corridor", "--budget", "1M", "--teams", "0"], "--teams"),
        (["workshop", "no_such_scenario", "--budget", "1M"], "no_such_scenario"),
    ]:
        assert main(argv) == 2, argv
        err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
        assert len(err) == 1 and text in err[0], (argv, err)


def test_cli_port_in_use_is_one_line():
    port = _free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        r = subprocess.run(
            [*_cmd(), "workshop", "toy_corridor", "--budget", "600k", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0] and "in use" in lines[0], r.stderr


# ------------------------------------------------------------------ the real server
_free_port, _cmd, _answers = free_port, xborder, answers


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (the solara server of our command)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.fixture
def server(tmp_path):
    """``xborder workshop`` on a free port of 127.0.0.1, with a room token and a key."""
    port = _free_port()
    out = tmp_path / "rounds"
    argv = ["workshop", "toy_corridor", "--teams", "2", "--budget", "600k", "-r", "3"]
    argv += ["--ticks", str(TICKS), "--workers", "1", "--port", str(port)]
    argv += ["--token", "room7", "--key", "lead9", "--out", str(out)]
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(
        [*_cmd(), *argv],
        cwd=ROOT,
        env=dict(os.environ, MPLBACKEND="Agg"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    children: list[int] = []
    try:
        deadline = time.time() + 90
        while not _answers(base + "/"):
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"workshop did not start (exit {proc.poll()}): {_read(tmp_path)}")
            time.sleep(0.3)
        children = _children(proc.pid)
        yield base, out, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the command stops its server's group
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for pid in children:  # whatever happened, nothing of ours keeps running
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        log.close()


def _read(tmp_path: Path) -> str:
    return (tmp_path / "server.log").read_text()[-2000:]


@pytest.fixture(scope="module")
def browser():
    playwright = sync_playwright()
    pytest.importorskip("solara")
    with playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


OUTSIDE: list[str] = []  # requests for anything the game does not serve itself


def _page(browser, url: str):
    """A page in its own browser context (its own cookies: another device), offline."""
    page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()

    def route(r):  # anything not served by the game itself is refused, and noted
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            OUTSIDE.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    return page


def _offer(page, label: str):
    return page.locator(".xb-offer", has_text=label).get_by_role("button")


def test_the_game_in_chromium(server, browser, tmp_path):
    base, out, proc = server
    lobby = _page(browser, base + "/?token=room7")  # no key: not the facilitator's screen
    lobby.locator(".xb-lobby").wait_for(timeout=60_000)
    assert lobby.get_by_role("button", name="Run the game").count() == 0
    stranger = _page(browser, base + "/team/1")  # no token: nothing but the request
    stranger.locator(".xb-token-required").wait_for(timeout=60_000)
    assert stranger.locator(".xb-offer").count() == 0

    fac = _page(browser, base + "/?key=lead9&token=room7")
    run = fac.get_by_role("button", name="Run the game")
    run.wait_for(timeout=60_000)
    assert run.is_disabled()  # nobody has locked yet
    assert "/team/2?token=room7" in fac.locator(".xb-links").inner_text()
    t1 = _page(browser, base + "/team/1?token=room7")
    t2 = _page(browser, base + "/team/2?token=room7")
    for t in (t1, t2):
        t.get_by_role("button", name="Lock our portfolio").wait_for(timeout=60_000)

    # team 1: surge, then the MLAT on top would cost 750k > 600k: refused in the page
    _offer(t1, "surge_MID").click()
    row1 = fac.locator(".xb-teams tr.xb-team-1")
    row1.get_by_text("surge_MID").wait_for(timeout=15_000)  # the facilitator sees it live
    assert "choosing" in row1.inner_text()
    _offer(t1, "mlat_MKT_NOR").click()
    refusal = t1.locator(".xb-refusal")
    refusal.wait_for(timeout=15_000)
    text = refusal.inner_text()
    assert "Refused" in text and "750,000" in text and "600,000" in text, text
    assert "surge_MID; 500,000 USD/year" in t1.locator(".xb-portfolio").inner_text()
    assert "mlat_MKT_NOR" not in row1.inner_text()  # the refused choice never reached it
    t1.get_by_role("button", name="Lock our portfolio").click()
    # team 2: the MLAT alone
    _offer(t2, "mlat_MKT_NOR").click()
    t2.get_by_text("[chosen]").wait_for(timeout=15_000)
    t2.get_by_role("button", name="Lock our portfolio").click()
    t2.get_by_role("button", name="Unlock to change").wait_for(timeout=15_000)
    assert _offer(t2, "surge_MID").is_disabled()  # locked: the menu is frozen
    fac.locator(".xb-teams tr.xb-team-2", has_text="locked").wait_for(timeout=15_000)
    assert "locked" in row1.inner_text()

    fac.get_by_text("revealed at the end").wait_for()
    run.click()
    league = fac.locator(".xb-league table")
    league.wait_for(timeout=90_000)
    rows = league.locator("tbody tr").all_inner_texts()
    assert "Status quo" in rows[0]
    teams = {r.split("\t")[1]: r for r in rows[1:]}
    assert set(teams) == {"Team 1", "Team 2"}  # the recommender waits for the reveal
    assert "surge_MID" in teams["Team 1"] and "mlat_MKT_NOR" in teams["Team 2"]
    assert all("[" in r and ".." in r for r in teams.values())  # intervals
    assert "The recommender" not in league.inner_text()
    t2.locator(".xb-league table").wait_for(timeout=15_000)  # the teams see the league too

    # the saved study holds what the page shows
    saved = out / "round-1"
    league_df = pd.read_parquet(saved / "league.parquet")
    team1 = league_df.set_index("arm").loc["Team 1"]
    from sim.workshop.views import num

    assert num(team1["delivered_change"]) in teams["Team 1"]
    assert json.loads((saved / "manifest.json").read_text())["state"] == "finished"

    fac.get_by_role("button", name="Reveal the recommender's portfolio").click()
    reveal = fac.locator(".xb-recommender")
    reveal.wait_for(timeout=15_000)
    pick = json.loads((saved / "workshop.json").read_text())["recommender"]["portfolio"]
    assert f"The recommender's portfolio: {pick}" in reveal.inner_text()
    assert "The recommender" in league.inner_text()
    t1.locator(".xb-recommender").wait_for(timeout=15_000)
    shot = tmp_path / "workshop.png"
    shot.write_bytes(fac.screenshot(full_page=True))
    assert shot.stat().st_size > 20_000
    if (ROOT / "outputs").is_dir():
        (ROOT / "outputs" / "workshop_test.png").write_bytes(shot.read_bytes())

    assert OUTSIDE == [], f"the game asked for outside resources: {OUTSIDE[:3]}"

    # SIGTERM to the command: the server stops answering
    proc.send_signal(signal.SIGTERM)
    proc.wait(15)
    assert proc.returncode == 128 + signal.SIGTERM
    assert not _answers(base + "/")
