"""Issue 6: the workshop dashboard (session, narrator, figures, and the real server in Chromium)."""

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("solara")


from sim.dashboard.narrator import what_happened  # noqa: E402
from sim.dashboard.session import SWITCHES, CorridorViz, scenario_names  # noqa: E402
from sim.policies import from_dict  # noqa: E402
from tests.servers import ARGS, CHROMIUM, free_port, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["toy_corridor", "central_america_cocaine"])
def test_switches_are_registry_policies_acting_next_week(name):
    viz = CorridorViz(name, side_by_side=True, warmup=0, noise_seeds=1)
    viz.step(6)
    a, b = viz.main.world.state_ids[1:3]
    n0 = len(viz.main.policies)
    for kind in SWITCHES:
        d = viz.switch_on(kind, a, b)
        assert d["start"] == 6
        pol = viz.main.policies[-1]
        assert pol.to_dict() == from_dict(d).to_dict()  # the same object the CLI builds
    assert len(viz.main.policies) == n0 + len(SWITCHES)
    assert len(viz.base.policies) == n0  # the twin stays the status quo
    assert all(len(r.policies) == n0 + len(SWITCHES) for r in viz.runs)  # the noise runs too
    legal_before = viz.main.legal
    viz.step()
    assert viz.main.legal is not legal_before  # legal state rebuilt on the next step
    assert viz.main.enforcement.capacity_mult[viz.main.world.state_index[a]] > 1.0
    assert [(w, e) for w, _, e in viz.markers] == [(6, "on")] * len(SWITCHES)


def test_pair_switch_needs_two_states():
    viz = CorridorViz("toy_corridor", warmup=0, noise_seeds=0)
    with pytest.raises(ValueError, match="two different states"):
        viz.switch_on("mlat", "MID", "MID")


def test_the_story_starts_after_the_warm_up():
    viz = CorridorViz("toy_corridor", noise_seeds=0)
    assert viz.warmup == viz.sc.burn_in > 0 and viz.tick == viz.warmup and viz.week == 0
    v = viz.view()
    assert v["week"] == 0 and all(len(x["main"]) == 0 for x in v["series"].values())
    assert "Nothing has happened" in v["story"][0]
    viz.step(3)
    v = viz.view()
    assert v["week"] == 3 and len(v["series"]["delivered"]["main"]) == 3
    assert "In 3 weeks" in v["story"][0]
    d = viz.switch_on("capacity", "NOR")
    assert d["start"] == viz.warmup + 3 and viz.markers == [(3, "capacity NOR", "on")]
    # a second participant with the same set-up starts from the warmed-up snapshot
    other = CorridorViz("toy_corridor", noise_seeds=0, snapshot=viz.snapshot())
    assert other.tick == viz.warmup and other.main.series["delivered"][: other.tick].tolist() == (
        viz.main.series["delivered"][: viz.warmup].tolist()
    )


def test_twin_shares_the_seed_until_a_switch():
    viz = CorridorViz("toy_corridor", seed=3, side_by_side=True, warmup=0, noise_seeds=0)
    viz.step(20)
    assert viz.base is viz.main  # before any switch the twin is the run itself
    viz.switch_on("capacity", "NOR")  # Nordia carries most of the toy's flow (Midland little)
    assert viz.base is not viz.main
    viz.step(40)
    assert (viz.main.state_flow[:20] == viz.base.state_flow[:20]).all()
    assert not (viz.main.state_flow[20:60] == viz.base.state_flow[20:60]).all()


def test_choices_are_kept_across_side_by_side_and_can_be_switched_off():
    viz = CorridorViz("toy_corridor", warmup=0, noise_seeds=0)
    viz.step(4)
    viz.switch_on("capacity", "NOR")
    viz.step(4)
    viz.set_side_by_side(True)  # no reset: the switch stays, the twin shows the status quo
    assert [s["label"] for s in viz.view()["switches"]] == ["capacity NOR"]
    assert len(viz.base.policies) == len(viz.main.policies) - 1
    viz.step(4)
    viz.switch_off("capacity NOR")
    assert viz.main.policies[-1].end == 12 and viz.view()["switches"][0]["on"] is False
    assert "Week 12: capacity NOR switched off" in viz.messages
    with pytest.raises(ValueError, match="no switch"):
        viz.switch_off("capacity NOR")
    viz.switch_on("capacity", "NOR")  # on again, from week 12
    assert [s["on"] for s in viz.view()["switches"]] == [False, True]


def test_the_panel_shows_existing_agreements_and_no_ops():
    viz = CorridorViz("central_america_cocaine", warmup=0, noise_seeds=0)
    panel = viz.panel("PAN", "CRI")
    assert any(x.startswith("MLAT") for x in panel["existing"])
    assert "database interpol" in panel["existing"]
    assert "already covers PAN-CRI" in panel["no_effect"]["mlat"]
    assert "joint_team" not in panel["no_effect"] and "capacity" not in panel["no_effect"]
    assert "two different states" in viz.panel("PAN", "PAN")["no_effect"]["mlat"]


def test_narrator_plain_words():
    viz = CorridorViz("toy_corridor", side_by_side=True, warmup=0, noise_seeds=2)
    assert "Nothing has happened" in what_happened(viz.main)[0]
    viz.step(60)
    viz.switch_on("capacity", "MID")
    viz.switch_on("mlat", "MID", "WES")
    viz.step(40)
    text = "\n".join(viz.view()["story"])
    assert "In 100 weeks" in text and "kg reached the market" in text
    assert "Week 60: capacity MID, MLAT MID-WES switched on." in text
    assert "Against the status quo (3 seeds, the same luck in both arms)" in text
    assert "request" in text or "expired" in text
    assert all(name in scenario_names() for name in ("toy_corridor", "central_america_cocaine"))


def test_the_narrator_says_within_noise_unless_every_seed_agrees():
    from sim.dashboard.narrator import paired_effects, versus_status_quo

    viz = CorridorViz("toy_corridor", warmup=20, noise_seeds=3)
    viz.switch_on("capacity", "WES")  # Westland carries little of the flow: a small effect
    viz.step(40)
    e = paired_effects(viz, "delivered")
    line = versus_status_quo(viz)
    assert len(e) == 4 and e.any()  # the switch changed something on some seed ...
    assert not ((e > 0).all() or (e < 0).all())  # ... but not the same way on every seed
    assert "delivered within noise" in line
    big = CorridorViz("toy_corridor", warmup=20, noise_seeds=3)
    big.switch_on("capacity", "NOR")  # Nordia carries most of the flow: seizures rise
    big.step(40)
    e = paired_effects(big, "seized")
    assert (e > 0).all(), e
    assert "more seized" in versus_status_quo(big)


def test_map_and_chart_options_are_data_for_the_browser():
    import json

    from sim.dashboard.charts import line_option, map_option

    viz = CorridorViz("central_america_cocaine", side_by_side=True, noise_seeds=0)
    viz.step(5)
    viz.switch_on("mlat", "PAN", "NIC")
    viz.step(2)
    v = viz.view()
    geo = viz.geometry()
    m = map_option(geo, v["maps"]["main"], "map")
    json.dumps(m)  # plain data only
    names = {s["name"] for s in m["series"]}
    assert {"leader at liberty", "no flow", "enforcement capacity"} <= names
    labels = [d["value"] for d in next(s for s in m["series"] if s["name"] == "states")["data"]]
    assert len(labels) == len(geo["state_names"])
    ch = line_option(v, "delivered", geo["unit"])
    assert [s["name"] for s in ch["series"]] == [
        "with the agreements",
        "status quo (same seed)",
        "agreement switched on (dashed: off)",  # the red lines' legend
    ]
    assert ch["xAxis"]["minInterval"] == 1 and ch["title"]["textStyle"]["fontSize"] >= 18
    assert ch["series"][0]["markLine"]["data"][0]["xAxis"] == 5
    assert len(ch["series"][0]["data"]) == 7


def test_switching_off_is_marked_and_told_and_a_duplicate_is_greyed_out():
    from sim.dashboard.charts import line_option

    viz = CorridorViz("toy_corridor", warmup=0, noise_seeds=0)
    viz.step(4)
    viz.switch_on("joint_team", "MID", "NOR")
    viz.switch_on("capacity", "MID")
    # the same team with the states the other way round, the same programme: already on
    assert "JIT MID+NOR is already on" in viz.panel("NOR", "MID")["no_effect"]["joint_team"]
    assert "already on (since week 4)" in viz.panel("MID", "WES")["no_effect"]["capacity"]
    with pytest.raises(ValueError, match="already on"):
        viz.switch_on("joint_team", "NOR", "MID")
    viz.step(3)
    viz.switch_off("capacity MID")
    viz.step(2)
    assert viz.markers == [(4, "JIT MID+NOR", "on"), (4, "capacity MID", "on"),
                           (7, "capacity MID", "off")]  # fmt: skip
    story = "\n".join(viz.view()["story"])
    assert "Week 4: JIT MID+NOR, capacity MID switched on." in story
    assert "Week 7: capacity MID switched off." in story
    marks = line_option(viz.view(), "delivered", "kg")["series"][0]["markLine"]["data"]
    # one line per week (labels of the same week share it), dashed for a switch-off
    assert [(m["xAxis"], m["lineStyle"]["type"]) for m in marks] == [(4, "solid"), (7, "dashed")]
    assert marks[0]["label"]["formatter"].startswith("JIT MID+NOR, capacity")
    assert "no effect" not in viz.panel("MID", "NOR").get("no_effect", {}).get("capacity", "")


def test_the_database_switch_uses_the_scenarios_candidate_database():
    """Every Central American state is in INTERPOL: the switch creates the isthmus database."""
    viz = CorridorViz("central_america_cocaine", warmup=0, noise_seeds=0)
    assert "database" not in viz.panel("MEX", "GTM")["no_effect"]
    d = viz.switch_on("database", "MEX", "GTM")
    assert d["type"] == "create_database" and d["name"] == "isthmus" and "MEX" in d["members"]
    assert "cost" not in d and d["start"] == viz.tick
    # then a state outside it joins it; one inside it has nothing left to join
    assert viz.switch_on("database", "USA")["label"] == "USA joins isthmus"
    why = viz.panel("GTM", "MEX")["no_effect"]["database"]
    assert "already share a database" in why and "database isthmus" in why  # not policies[k]


def test_state_names_are_placed_for_the_maps_size_on_the_page():
    from sim.dashboard.charts import _overlap, map_option

    viz = CorridorViz("balkan_route_heroin", warmup=0, noise_seeds=0)
    geo, live = viz.geometry(), viz.view()["maps"]["main"]
    for size in ((360, 420), (900, 560)):
        m = map_option(geo, live, "map", size)
        pts = [d["value"] for d in next(s for s in m["series"] if s["name"] == "states")["data"]]
        x0, x1, y0, y1 = m["xAxis"]["min"], m["xAxis"]["max"], m["yAxis"]["min"], m["yAxis"]["max"]
        w, h = size[0] - 100, size[1] - 140  # the plotting area inside the map's margins
        boxes = []
        for x, y, name in pts:  # each name's box in the page's pixels (as charts.py estimates)
            px, py = (x - x0) / (x1 - x0) * w, (y - y0) / (y1 - y0) * h
            half = 0.55 * 16 * len(name) / 2
            boxes.append((px - half, py - 10, px + half, py + 10))
        pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
        assert not any(_overlap(a, b) for a, b in pairs), size


def test_a_room_has_a_worker_per_participant_and_a_cap():
    from sim.dashboard.worker import Room, RoomFull

    room = Room(cap=2)
    try:
        kw = {"scenario_name": "toy_corridor", "seed": 1, "noise_seeds": 0}
        a = room.join("a", kw)
        b = room.join("b", kw)
        assert a.proc.pid != b.proc.pid and a.proc.is_alive() and b.proc.is_alive()
        assert len(room.snapshots) == 1  # the second participant started from the snapshot
        a.call("step", 3)
        assert a.call("view")["week"] == 3 and b.call("view")["week"] == 0  # independent
        with pytest.raises(RoomFull, match="room is full"):
            room.join("c", kw)
        with pytest.raises(ValueError, match="two different states"):
            a.call("switch_on", "mlat", "MID", "MID")  # an error comes back as one line
        room.release("a")
        assert not a.proc.is_alive()
        room.join("c", kw)  # the place is free again
    finally:
        room.close()
    assert len(room) == 0 and not b.proc.is_alive()


def test_the_server_warms_the_first_set_up_before_anyone_joins():
    from sim.dashboard.worker import Room

    room = Room(cap=1)
    try:
        kw = {"scenario_name": "toy_corridor", "seed": 1, "noise_seeds": 0}
        room.prewarm(kw)
        assert len(room) == 0 and len(room.snapshots) == 1  # no place taken, the warm-up kept
        ((key, snap),) = room.snapshots.items()
        room.prewarm(kw)  # once per set-up
        assert room.snapshots[key] is snap
        # the participant starts from the kept snapshot (a 3-week one here), not a warm-up
        room.snapshots[key] = CorridorViz(**kw, warmup=3).snapshot()
        w = room.join("a", kw)  # the room's one place is free
        assert w.call("view")["warmup"] == 3 != pickle.loads(snap)[0].tick
    finally:
        room.close()


def test_participants_start_side_by_side_once_the_set_up_is_warm():
    import threading

    from sim.dashboard.worker import Room

    room = Room(cap=2)
    try:
        kw = {"scenario_name": "toy_corridor", "seed": 1, "noise_seeds": 0}
        room.prewarm(kw)
        _, gate = room._gate(kw)
        with gate:  # as while another participant's worker of this set-up were starting
            t = threading.Thread(target=room.join, args=("a", kw), daemon=True)
            t.start()
            t.join(60)
            assert not t.is_alive() and len(room) == 1  # did not wait for the other
    finally:
        room.close()


def test_cli_help():
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, ["dashboard", "--help"])
    assert res.exit_code == 0 and "127.0.0.1" in res.output


# ------------------------------------------------------------------ the real server


_free_port = free_port


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    exe = Path(sys.executable).parent / "xborder"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from sim.cli import app; app()"]
    out = ROOT / "outputs"
    log = open(out / "dashboard_server.log", "w") if out.is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [*cmd, "dashboard", "toy_corridor", "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ, MPLBACKEND="Agg"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"dashboard server did not start (exit {proc.poll()})")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright()() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _save(png: bytes, name: str, tmp_path: Path) -> Path:
    out = tmp_path / name
    out.write_bytes(png)
    if (ROOT / "outputs").is_dir():
        shutil.copyfile(out, ROOT / "outputs" / name)
    return out


def _open(browser, url: str):
    """A fresh page on the dashboard, offline; returns (page, outside requests)."""
    page = browser.new_page(viewport={"width": 1600, "height": 1300})
    outside = []

    def route(r):  # offline: anything not served by the dashboard itself is refused
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    return page, outside


def _steps(page, n: int) -> None:
    for _ in range(n):
        week = _week(page)
        page.get_by_role("button", name="Step").click()
        page.locator(".xb-week").get_by_text(f"Week {week + 1} of", exact=False).wait_for(
            timeout=30_000
        )


def _week(page) -> int:
    return int(page.locator(".xb-week").inner_text().split()[1])


def _canvas(page, css: str) -> bytes:
    page.wait_for_timeout(300)  # ECharts draws on the next animation frame
    return page.locator(f"{css} canvas").first.screenshot()


def _workers() -> int:
    """Worker processes of the dashboard's forkserver (one per participant)."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True, text=True)
    out = out.stdout
    rows = [line.split(None, 2) for line in out.splitlines()[1:]]
    servers = {r[0] for r in rows if "forkserver" in r[2] and "sim.dashboard.session" in r[2]}
    return sum(1 for r in rows if r[1] in servers)


def test_dashboard_in_chromium(server, browser, tmp_path):
    page, outside = _open(browser, server)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    assert "warm-up" in page.locator(".xb-week").inner_text() and _week(page) == 0
    narrator = page.locator(".xb-narrator")
    narrator.get_by_text("Nothing has happened").wait_for(timeout=30_000)
    assert page.get_by_text("Play Interval").count() == 0  # no generic Mesa panel
    map0, chart0 = _canvas(page, ".xb-map-main"), _canvas(page, ".xb-chart-delivered")
    _steps(page, 3)
    narrator.get_by_text("In 3 weeks").wait_for(timeout=30_000)
    assert _canvas(page, ".xb-map-main") != map0 and _canvas(page, ".xb-chart-delivered") != chart0

    agreements = page.locator(".xb-agreements")
    agreements.get_by_text("Already in force between MID and WES: none").wait_for()
    page.get_by_role("button", name="Fund capacity building in A").click()
    agreements.get_by_text("Week 3: capacity MID switched on").wait_for(timeout=30_000)
    page.get_by_role("button", name="Add an MLAT between A and B").click()
    agreements.get_by_text("Week 3: MLAT MID-WES switched on").wait_for(timeout=30_000)
    # the MLAT now exists: the panel says so and greys out the no-op
    agreements.get_by_text("Already in force between MID and WES: MLAT", exact=False).wait_for()
    assert page.get_by_role("button", name="Add an MLAT between A and B").is_disabled()
    _steps(page, 3)
    narrator.get_by_text("In 6 weeks").wait_for(timeout=30_000)
    narrator.get_by_text("capacity MID, MLAT MID-WES switched on", exact=False).wait_for()
    # Play runs on its own until Pause
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('.xb-week').innerText.split(' ')[1]) >= 9",
        timeout=30_000,
    )
    page.get_by_role("button", name="Pause").click()
    shot = _save(page.screenshot(full_page=True), "dashboard_test.png", tmp_path)
    assert shot.stat().st_size > 20_000
    assert outside == [], f"the dashboard asked for outside resources: {outside[:3]}"
    page.close()


def test_side_by_side_keeps_the_agreements_in_chromium(server, browser, tmp_path):
    """Switch on, then side by side (no Reset): the switch stays; then switch it off."""
    page, outside = _open(browser, server)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    marker = page.locator(".xb-side-by-side")
    assert marker.is_hidden()
    _steps(page, 2)
    # Nordia, the crossing before the market, carries most of the toy's flow
    page.get_by_label("State A").select_option("NOR")
    page.locator(".xb-agreements").get_by_text("Already in force between NOR and").wait_for()
    page.get_by_role("button", name="Fund capacity building in A").click()
    agreements = page.locator(".xb-agreements")
    agreements.get_by_text("Week 2: capacity NOR switched on").wait_for(timeout=30_000)
    page.get_by_text("Side by side with the status quo", exact=True).click()
    marker.wait_for(timeout=30_000)
    assert "status quo (seed 1)" in marker.inner_text()
    assert page.locator(".xb-map-base canvas").count() >= 1  # the second map
    # the agreement is still on, as its "switch off" button shows
    off = page.get_by_role("button", name="Switch off capacity NOR")
    assert off.count() == 1
    _steps(page, 12)
    line = page.locator(".xb-narrator").get_by_text("Against the status quo", exact=False)
    line.wait_for(timeout=30_000)
    assert "4 seeds" in line.inner_text()
    off.click()
    agreements.get_by_text("Week 14: capacity NOR switched off").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Switch off capacity NOR").count() == 0
    shot = _save(page.screenshot(full_page=True), "dashboard_side_by_side.png", tmp_path)
    assert shot.stat().st_size > 20_000
    assert outside == [], f"the dashboard asked for outside resources: {outside[:3]}"
    page.close()


def test_two_participants_step_at_once_each_in_a_worker(server, browser):
    deadline = time.time() + 60  # earlier tests' workers stop as their pages close
    while _workers() and time.time() < deadline:
        time.sleep(0.5)
    before = _workers()
    assert before == 0
    ctx = [browser.new_context(viewport={"width": 1600, "height": 1000}) for _ in range(2)]
    pages = [c.new_page() for c in ctx]
    for p in pages:
        p.goto(server)
    for p in pages:
        p.get_by_role("button", name="Step").wait_for(timeout=60_000)
    deadline = time.time() + 10
    while _workers() < before + 2 and time.time() < deadline:
        time.sleep(0.2)
    assert _workers() == before + 2  # a worker process per participant
    for _ in range(3):  # both click before either waits
        for p in pages:
            p.get_by_role("button", name="Step").click()
        for p in pages:
            p.wait_for_timeout(50)
    for p in pages:
        p.locator(".xb-week").get_by_text("Week 3 of", exact=False).wait_for(timeout=30_000)
    _steps(pages[0], 2)  # one participant's steps do not move the other's run
    assert (_week(pages[0]), _week(pages[1])) == (5, 3)
    for c in ctx:
        c.close()
    deadline = time.time() + 60  # the connections close and their workers stop
    while _workers() > before and time.time() < deadline:
        time.sleep(0.5)
    assert _workers() == before


def test_a_frame_is_what_the_page_draws_and_bad_requests_are_one_line():
    import json

    from sim.dashboard.frames import MAX_STEP, act, charts_asked

    viz = CorridorViz("toy_corridor", warmup=0, noise_seeds=0)
    f = json.loads(act(viz, {"op": "step", "n": 10_000, "charts": ["seized", "nope"]}))
    assert f["week"] == MAX_STEP and list(f["charts"]) == ["seized"] and f["error"] == ""
    assert set(f["maps"]) == {"main"} and f["maps"]["main"]["series"]
    assert f["params"]["exploration"] == viz.main.params["exploration"]
    f = json.loads(act(viz, {"op": "drop_tables"}))
    assert f["error"].startswith("unknown action 'drop_tables'") and f["week"] == MAX_STEP
    f = json.loads(act(viz, {"op": "switch_off", "label": "MLAT X-Y"}))
    assert f["error"] == "no switch 'MLAT X-Y' is on"
    f = json.loads(act(viz, {"op": "view", "a": "ZZZ", "b": "MID"}))  # unknown state: default
    assert f["a"] in f["states"] and f["b"] == "MID"
    assert charts_asked([]) == ["delivered", "seized", "interdiction_rate"]
    assert charts_asked(["seized", "seized", "db_hits", "delivered", "retail_price"]) == [
        "seized", "db_hits", "delivered"]  # fmt: skip
    viz.step(10_000)  # the horizon: no panel of no-ops, the run says it is over
    f = json.loads(act(viz, {"op": "view"}))
    assert not f["running"] and f["panel"]["no_effect"] == {}


def test_reset_applies_the_set_up_and_the_set_up_shows_the_runs_values_in_chromium(server, browser):
    page, outside = _open(browser, server)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    page.get_by_role("button", name="Show the set-up", exact=False).click()
    slider = page.get_by_label("exploration")
    toy = CorridorViz("toy_corridor", warmup=0, noise_seeds=0).main.params["exploration"]
    assert float(slider.input_value()) == pytest.approx(toy)  # the run's value, not mid-range
    page.get_by_label("Scenario").select_option("balkan_route_heroin")
    page.get_by_label("Seed").fill("7")
    page.get_by_label("Seed").dispatch_event("change")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator("#xb-title").get_by_text("xborder: balkan_route_heroin").wait_for(timeout=60_000)
    assert "seed 7" in page.locator(".xb-week").inner_text() and _week(page) == 0
    assert page.title() == "xborder: balkan_route_heroin"
    states = page.get_by_label("State A").locator("option").all_inner_texts()
    ids = CorridorViz("balkan_route_heroin", warmup=0, noise_seeds=0).geometry()["state_ids"]
    assert [s.split()[0] for s in states] == ids  # the new corridor's states, named
    _steps(page, 1)
    assert outside == []
    page.close()
