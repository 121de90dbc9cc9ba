"""Issue 6: the workshop dashboard (session, narrator, figures, and the real server in Chromium)."""

import os
import shutil
import signal
import socket
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

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.parametrize("name", ["toy_corridor", "central_america_cocaine"])
def test_switches_are_registry_policies_acting_next_week(name):
    viz = CorridorViz(name, side_by_side=True)
    for _ in range(6):
        viz.step()
    a, b = viz.main.world.state_ids[1:3]
    n0 = len(viz.main.policies)
    for kind in SWITCHES:
        d = viz.switch_on(kind, a, b)
        assert d["start"] == 6
        pol = viz.main.policies[-1]
        assert pol.to_dict() == from_dict(d).to_dict()  # the same object the CLI builds
    assert len(viz.main.policies) == n0 + len(SWITCHES)
    assert len(viz.base.policies) == n0  # the twin stays the status quo
    legal_before = viz.main.legal
    viz.step()
    assert viz.main.legal is not legal_before  # legal state rebuilt on the next step
    assert viz.main.enforcement.capacity_mult[viz.main.world.state_index[a]] > 1.0
    assert [w for w, _ in viz.markers] == [6] * len(SWITCHES)


def test_pair_switch_needs_two_states():
    viz = CorridorViz("toy_corridor")
    with pytest.raises(ValueError, match="two different states"):
        viz.switch_on("mlat", "MID", "MID")


def test_twin_shares_the_seed_until_a_switch():
    viz = CorridorViz("toy_corridor", seed=3, side_by_side=True)
    for _ in range(20):
        viz.step()
    assert (viz.main.state_flow[:20] == viz.base.state_flow[:20]).all()
    viz.switch_on("capacity", "NOR")  # Nordia carries most of the toy's flow (Midland little)
    for _ in range(40):
        viz.step()
    assert not (viz.main.state_flow[20:60] == viz.base.state_flow[20:60]).all()


def test_narrator_plain_words():
    viz = CorridorViz("toy_corridor", side_by_side=True)
    assert "Nothing has happened" in what_happened(viz.main)[0]
    for _ in range(60):
        viz.step()
    viz.switch_on("capacity", "MID")
    viz.switch_on("mlat", "MID", "WES")
    for _ in range(40):
        viz.step()
    text = "\n".join(what_happened(viz.main, viz.markers, viz.base))
    assert "In 100 weeks" in text and "kg reached the market" in text
    assert "Week 60: capacity MID, MLAT MID-WES switched on." in text
    assert "status quo on the same seed" in text
    assert "request" in text or "expired" in text
    assert all(name in scenario_names() for name in ("toy_corridor", "central_america_cocaine"))


def test_figures_render():
    from sim.dashboard.views import charts_figure, map_figure

    viz = CorridorViz("central_america_cocaine", side_by_side=True)
    for _ in range(5):
        viz.step()
    viz.switch_on("mlat", "PAN", "CRI")
    viz.step()
    assert len(map_figure(viz).axes) == 2
    assert len(charts_figure(viz).axes) == 6


def test_cli_help():
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, ["dashboard", "--help"])
    assert res.exit_code == 0 and "127.0.0.1" in res.output


# ------------------------------------------------------------------ the real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} missing (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
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
    step = page.get_by_role("button", name="Step")
    for _ in range(n):
        step.click()
        page.wait_for_timeout(120)


def test_dashboard_in_chromium(server, browser, tmp_path):
    page, outside = _open(browser, server)
    step = page.get_by_role("button", name="Step")
    step.wait_for(timeout=60_000)
    narrator = page.locator(".xb-narrator")
    narrator.get_by_text("Nothing has happened").wait_for(timeout=30_000)
    map0 = page.locator(".xb-map img").screenshot()
    charts0 = page.locator(".xb-charts img").screenshot()

    for _ in range(3):
        step.click()
        page.wait_for_timeout(150)
    narrator.get_by_text("In 3 weeks").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    map1 = page.locator(".xb-map img").screenshot()
    charts1 = page.locator(".xb-charts img").screenshot()
    assert map1 != map0 and charts1 != charts0

    page.get_by_role("button", name="Fund capacity building in A").click()
    page.locator(".xb-agreements").get_by_text("Week 3: capacity MID switched on").wait_for(
        timeout=30_000
    )
    page.get_by_role("button", name="Add an MLAT between A and B").click()
    page.locator(".xb-agreements").get_by_text("Week 3: MLAT MID-WES switched on").wait_for(
        timeout=30_000
    )
    for _ in range(3):
        step.click()
        page.wait_for_timeout(150)
    narrator.get_by_text("In 6 weeks").wait_for(timeout=30_000)
    narrator.get_by_text("capacity MID, MLAT MID-WES switched on", exact=False).wait_for()
    page.wait_for_timeout(500)
    map2 = page.locator(".xb-map img").screenshot()
    charts2 = page.locator(".xb-charts img").screenshot()
    assert map2 != map1 and charts2 != charts1
    shot = _save(page.screenshot(full_page=True), "dashboard_test.png", tmp_path)
    assert shot.stat().st_size > 20_000

    assert outside == [], f"the dashboard asked for outside resources: {outside[:3]}"
    page.close()


def test_side_by_side_in_chromium(server, browser, tmp_path):
    """Tick side-by-side (by its label), Reset: a status-quo twin runs next to the main run."""
    page, outside = _open(browser, server)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    narrator = page.locator(".xb-narrator")
    narrator.get_by_text("Nothing has happened").wait_for(timeout=30_000)
    marker = page.locator(".xb-side-by-side")
    assert marker.count() == 0  # a single run until side-by-side is ticked and Reset
    natural = "e => e.naturalWidth / e.naturalHeight"
    single = page.locator(".xb-map img").evaluate(natural)

    # Vuetify's ripple covers the <input>, so Playwright's get_by_label().check() never
    # lands; clicking the label text is what a user does (and toggles the v-model).
    box = page.get_by_label("Side by side with the status quo")
    page.get_by_text("Side by side with the status quo", exact=True).click()
    page.wait_for_function("e => e.checked", arg=box.element_handle(), timeout=10_000)
    page.get_by_role("button", name="Reset").click()
    marker.wait_for(timeout=30_000)
    assert "status quo (seed 1)" in marker.inner_text()
    page.wait_for_timeout(300)
    double = page.locator(".xb-map img").evaluate(natural)
    assert double > 1.6 * single, (single, double)  # two maps side by side

    _steps(page, 3)
    narrator.get_by_text("In 3 weeks").wait_for(timeout=30_000)
    narrator.get_by_text("Against the status quo on the same seed: no difference yet").wait_for()

    # Nordia, the crossing before the market, carries most of the toy's early flow:
    # choose it as state A the way a user does, from the select's menu
    page.locator(".xb-agreements .v-select").first.click()
    page.locator(".v-menu__content .v-list-item", has_text="NOR").first.click()
    page.get_by_role("button", name="Fund capacity building in A").click()
    page.locator(".xb-agreements").get_by_text("Week 3: capacity NOR switched on").wait_for(
        timeout=30_000
    )
    _steps(page, 10)  # capacity in Nordia shows in seizures from week 6 on seed 1
    narrator.get_by_text("In 13 weeks").wait_for(timeout=30_000)
    line = narrator.get_by_text("Against the status quo on the same seed", exact=False)
    line.wait_for()
    text = line.inner_text()
    assert "no difference" not in text and "seized" in text, text
    page.wait_for_timeout(500)
    shot = _save(page.screenshot(full_page=True), "dashboard_side_by_side.png", tmp_path)
    assert shot.stat().st_size > 20_000
    assert outside == [], f"the dashboard asked for outside resources: {outside[:3]}"
    page.close()
