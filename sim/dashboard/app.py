"""The dashboard page: ``solara run sim.dashboard.app`` (or ``xborder dashboard``).

Our own page, not Mesa's generic one: Play, Step, Reset and a speed in weeks per
second; two or three large charts chosen by the trainer; the corridor map (two maps
side by side with the status quo); the agreement switches; the narrator. Each
participant's runs live in a worker process (:mod:`sim.dashboard.worker`), and the
page draws what the worker sends (series, not images) with ECharts in the browser.

The scenario shown first comes from ``XBORDER_DASHBOARD_SCENARIO`` (set by
``xborder dashboard SCENARIO``); the join token, if any, from
``XBORDER_DASHBOARD_TOKEN``.
"""

from __future__ import annotations

import hmac
import html
import os
import threading
import time
from urllib.parse import parse_qs

import solara
import solara.lab

from sim.dashboard import SCENARIO_ENV, TOKEN_ENV
from sim.dashboard.charts import CHART_CHOICES, DEFAULT_CHARTS, line_option, map_option
from sim.dashboard.figure import Figure
from sim.dashboard.session import SLIDERS, SWITCHES, scenario_names
from sim.dashboard.worker import Room, RoomFull

SCENARIO = os.environ.get(SCENARIO_ENV, "toy_corridor")
TOKEN = os.environ.get(TOKEN_ENV, "")
ROOM = Room()
SCENARIOS = scenario_names()  # read once: parsing every scenario file per render is slow
#: Large type for a projector. No ripple on the buttons: its half-second animation
#: redrew the page after every click, a quarter of a browser's work per step (solara's
#: loader and busy bar are stilled in ``assets/custom.css``, before the page is drawn).
CSS = """
.xb-page { font-size: 18px; }
.xb-page .v-btn { font-size: 18px !important; }
.xb-narrator, .xb-agreements { font-size: 18px; line-height: 1.45; }
.xb-side-by-side { font-size: 18px; font-weight: 600; }
.xb-page .v-ripple__container { display: none !important; }
"""


def token_ok(search: str | None, token: str = "") -> bool:
    """Whether the page's query string carries the join token (always, without one)."""
    if not token:
        return True
    given = parse_qs((search or "").lstrip("?")).get("token", [""])[0]
    return hmac.compare_digest(given.encode(), token.encode())


def _start_forkserver() -> None:
    """Start the workers' forkserver now (with the model loaded), not at the first join."""
    from multiprocessing import forkserver

    from sim.dashboard.worker import _context

    _context()
    forkserver.ensure_running()


_start_forkserver()


def _release_on_close():
    """Stop the participant's worker when the session closes (tab closed, then culled)."""
    kernel = solara.get_kernel_id()
    return lambda: ROOM.release(kernel)


solara.lab.on_kernel_start(_release_on_close)


@solara.component
def Page():
    """The join gate, then the dashboard: without the room's token, only a short request."""
    router = solara.use_router()
    if not token_ok(router.search, TOKEN):
        with solara.Column(classes=["xb-token-required"]):
            solara.HTML(tag="h2", unsafe_innerHTML="xborder dashboard")
            solara.Text(
                "This room needs its join link: ask the facilitator for the address "
                "ending in ?token=..."
            )
        return
    Dashboard()


def _setup(scenario: str, seed: int, sliders: dict) -> dict:
    return {"scenario_name": scenario, "seed": int(seed), **sliders}


@solara.component
def Dashboard():
    """One participant: a worker of their own (or the room-full message), then the page."""
    kernel = solara.get_kernel_id()

    def start():
        try:
            return ROOM.join(kernel, _setup(SCENARIO, 1, {})), ""
        except RoomFull as e:
            return None, str(e)

    worker, full = solara.use_memo(start, dependencies=[])
    if worker is None:
        with solara.Column(classes=["xb-room-full"]):
            solara.HTML(tag="h2", unsafe_innerHTML="xborder dashboard")
            solara.Text(full)
        return
    Participant(worker, kernel)


@solara.component
def Participant(worker, kernel: str):
    """The controls and the views of one participant's runs (in ``worker``)."""
    scenario, set_scenario = solara.use_state(SCENARIO)
    seed, set_seed = solara.use_state(1)
    sliders, set_sliders = solara.use_state({})
    setup, set_setup = solara.use_state(_setup(SCENARIO, 1, {}))
    charts, set_charts = solara.use_state(list(DEFAULT_CHARTS))
    speed, set_speed = solara.use_state(4.0)
    playing, set_playing = solara.use_state(False)
    side, set_side = solara.use_state(False)
    error, set_error = solara.use_state("")
    worker_ref = solara.use_ref(worker)
    w = worker_ref.current
    geo = solara.use_memo(lambda: w.call("geometry"), dependencies=[setup, w])
    view, set_view = solara.use_state(None)
    if view is None:
        view = w.call("view", tuple(charts))

    def refresh(v=None):
        set_view(v if v is not None else worker_ref.current.call("view", tuple(charts)))

    def step(n=1):
        refresh(worker_ref.current.call("step_view", n, tuple(charts)))

    def play_loop(cancel: threading.Event):
        if not playing:
            return
        interval = max(1.0 / speed, 0.25)
        n = max(1, round(speed * interval))
        while not cancel.is_set():
            t0 = time.monotonic()
            v = worker_ref.current.call("step_view", n, tuple(charts))
            set_view(v)
            if not v["running"]:
                set_playing(False)
                return
            cancel.wait(max(0.0, interval - (time.monotonic() - t0)))

    solara.use_thread(play_loop, dependencies=[playing, speed, tuple(charts)])

    def reset():
        set_playing(False)
        new = _setup(scenario, seed, sliders)
        try:
            worker_ref.current = ROOM.reset(kernel, dict(new, side_by_side=side))
        except RoomFull as e:  # pragma: no cover - the place was just freed
            set_error(str(e))
            return
        worker_ref.current.call("set_side_by_side", side)
        set_setup(new)
        refresh()

    def toggle_side(on: bool):
        set_side(on)
        worker_ref.current.call("set_side_by_side", on)
        refresh()

    solara.Style(CSS)
    with solara.Column(classes=["xb-page"], style={"padding": "8px 16px"}):
        with solara.Row(classes=["xb-controls"], style={"align-items": "center"}):
            solara.HTML(tag="h3", unsafe_innerHTML=f"xborder: {html.escape(view['scenario'])}")
            solara.Button(
                "Pause" if playing else "Play",
                on_click=lambda: set_playing(not playing),
                color="primary",
                disabled=not view["running"],
            )
            solara.Button("Step", on_click=lambda: step(1), disabled=playing or not view["running"])
            solara.Button("Reset", on_click=reset)
            with solara.Div(style={"width": "260px"}):
                solara.SliderFloat(
                    "weeks per second", value=speed, min=1, max=20, step=1, on_value=set_speed
                )
            solara.Switch(label="Side by side with the status quo", value=side,
                          on_value=toggle_side)  # fmt: skip
            solara.Text(
                f"Week {view['week']} of {view['horizon']} "
                f"(after {view['warmup']} weeks of warm-up)",
                classes=["xb-week"],
            )
        if error:
            solara.Error(error)
        if view["side_by_side"]:
            solara.Text(
                f"Side by side: left with the agreements, right the status quo "
                f"(seed {view['seed']}); dashed lines in the charts.",
                classes=["xb-side-by-side"],
            )
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            with solara.Column(classes=["xb-map"], style={"flex": "3", "min-width": "0"}):
                with solara.Row(style={"flex-wrap": "nowrap"}):
                    titles = {"main": "With the agreements" if view["side_by_side"] else "The run",
                              "base": "Status quo (same seed)"}  # fmt: skip
                    for key, live in view["maps"].items():
                        with solara.Div(style={"flex": "1", "min-width": "0"}):
                            Figure(
                                map_option(geo, live, titles[key]),
                                {"style": "height: 560px; width: 100%;", "class": f"xb-map-{key}"},
                            )
                Agreements(w, refresh, view["week"], view["switches"], view["messages"])
            with solara.Column(classes=["xb-charts"], style={"flex": "2", "min-width": "0"}):
                solara.SelectMultiple(
                    "Charts (two or three)",
                    values=charts,
                    all_values=list(CHART_CHOICES),
                    on_value=lambda v: (
                        set_charts(list(v)[:3] or list(DEFAULT_CHARTS)),
                        set_view(None),
                    ),  # fmt: skip
                )
                for name in charts:
                    if name in view["series"]:
                        Figure(
                            line_option(view, name, geo["unit"]),
                            {"style": "height: 330px; width: 100%;", "class": f"xb-chart-{name}"},
                        )
                Narrator(view["story"])
        SetUp(scenario, set_scenario, seed, set_seed, sliders, set_sliders)


@solara.component
def SetUp(scenario, set_scenario, seed, set_seed, sliders, set_sliders):
    """Scenario, seed and parameters (applied by Reset), drawn only once opened.

    Closed, it is one button: the page a participant joins has a dozen widgets fewer
    to create, send and mount (solara's ``Details`` builds its content closed too).
    """
    shown, set_shown = solara.use_state(False)
    solara.Button(
        f"{'Hide' if shown else 'Show'} the set-up: scenario, seed, parameters (Reset applies)",
        on_click=lambda: set_shown(not shown),
        text=True,
        classes=["xb-setup-toggle"],
    )
    if not shown:
        return
    with solara.Column(classes=["xb-setup"]):
        with solara.Row():
            names = SCENARIOS
            shown_names = names if scenario in names else [scenario, *names]
            solara.Select("Scenario", values=shown_names, value=scenario, on_value=set_scenario)
            solara.SliderInt("Seed", value=seed, min=0, max=99, on_value=set_seed)
        for name, (label, lo, hi, step_) in SLIDERS.items():
            solara.SliderFloat(
                label,
                value=sliders.get(name, (lo + hi) / 2),
                min=lo,
                max=hi,
                step=step_,
                on_value=lambda v, name=name: set_sliders({**sliders, name: v}),
            )


@solara.component
def Agreements(worker, refresh, week: int, switches: list[dict], messages: list[str]):
    """Agreement switches (from ``week`` on), what already exists, switches to turn off.

    Given only the parts of the view it shows (not the view's growing series, which
    reacton would walk on every render).
    """
    geo = solara.use_memo(lambda: worker.call("geometry"), dependencies=[worker])
    ids = geo["state_ids"]
    a, set_a = solara.use_state(ids[1] if len(ids) > 1 else ids[0])
    b, set_b = solara.use_state(ids[2] if len(ids) > 2 else ids[0])
    error, set_error = solara.use_state("")
    if a not in ids or b not in ids:  # a new scenario after Reset
        a, b = ids[min(1, len(ids) - 1)], ids[min(2, len(ids) - 1)]
    switched = tuple((s["label"], s["on"]) for s in switches)
    panel = solara.use_memo(
        lambda: worker.call("panel", a, b), dependencies=[worker, a, b, switched]
    )

    def act(method, *args):
        try:
            worker.call(method, *args)
            set_error("")
        except ValueError as e:
            set_error(str(e))
        refresh()

    with solara.Column(classes=["xb-agreements"]):
        solara.HTML(tag="b", unsafe_innerHTML=f"Agreements (act from week {week} on)")
        with solara.Row():
            solara.Select("State A", values=ids, value=a, on_value=set_a)
            solara.Select("State B", values=ids, value=b, on_value=set_b)
        exists = ", ".join(panel["existing"]) or "none"
        solara.Text(f"Already in force between {a} and {b}: {exists}", classes=["xb-existing"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            for kind, label in SWITCHES.items():
                why = panel["no_effect"].get(kind, "")
                solara.Button(
                    label,
                    on_click=lambda kind=kind: act("switch_on", kind, a, b),
                    outlined=True,
                    disabled=bool(why),
                    classes=[f"xb-switch-{kind}"],
                )
        for kind, why in panel["no_effect"].items():
            solara.Text(f"{SWITCHES[kind]}: no effect ({why})", classes=["xb-noop"])
        for s in switches:
            if s["on"]:
                solara.Button(
                    f"Switch off {s['label']}",
                    on_click=lambda label=s["label"]: act("switch_off", label),
                    text=True,
                    classes=["xb-switch-off"],
                )
        if error:
            solara.Error(error)
        for line in messages:
            solara.Text(line, classes=["xb-switched"])


@solara.component
def Narrator(story: list[str]):
    """The "what happened" panel."""
    with solara.Column(classes=["xb-narrator"]):
        solara.HTML(tag="b", unsafe_innerHTML="What happened")
        for line in story:
            solara.Text(line)


def _prewarm() -> None:
    """Warm up the first page's set-up in the background (a bad scenario fails at the join)."""
    try:
        ROOM.prewarm(_setup(SCENARIO, 1, {}))
    except Exception:  # noqa: BLE001 - the first participant's join reports it
        pass


threading.Thread(target=_prewarm, name="xborder-prewarm", daemon=True).start()
