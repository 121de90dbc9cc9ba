"""The dashboard's web server: one small page, a WebSocket per participant, workers behind.

``python -m sim.dashboard.server --host H --port P`` (or ``xborder dashboard``) serves

- ``/``: the page (``assets/index.html``, our own HTML and script, no framework), or,
  without the room's token, a short page asking for the join link (HTTP 403);
- ``/assets/...``: its script, style sheet and ECharts, compressed once, kept a year by
  the browser (their URLs carry a hash of their bytes);
- ``/ws``: the participant's connection. Opening it starts the participant's worker
  (:class:`~sim.dashboard.worker.Room`, a process each, capped); each message asks for
  an action and is answered with the frame the worker built
  (:func:`sim.dashboard.frames.act`); closing it (the tab closed or reloaded) stops the
  worker.

Why not solara, as the treaty game: a solara page costs a browser ~1.5 CPU-s before
anything of ours (its 2 MB Vue/Vuetify bundle), so twenty participants joining at
once with their browsers on the server's two cores could not load within 15 s; this
page is the ECharts library and ~400 lines of script.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import html
import json
import os
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from sim.dashboard import ASSETS, LOOPBACK, SCENARIO_ENV, TOKEN_ENV
from sim.dashboard.charts import CHART_CHOICES, DEFAULT_CHARTS
from sim.dashboard.session import SLIDERS, SWITCHES, scenario_names
from sim.dashboard.worker import Room, RoomFull

YEAR = "public, max-age=31536000, immutable"
#: The charts' names in the chart choice, in the README's words.
CHART_NAMES = {
    "interdiction_rate": "interdiction rate",
    "retail_price": "retail price",
    "safe_haven_leaders": "leaders out of reach",
    "request_latency_median": "evidence request time",
    "db_hits": "database hits",
    "displacement": "route displacement",
}
#: Threads waiting on workers at once (one per participant's request in flight).
LIMITER = anyio.CapacityLimiter(64)
REFUSED = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>xborder dashboard</title></head><body style="font: 20px sans-serif; margin: 40px">
<div class="xb-token-required"><h2>xborder dashboard</h2>
<p>This room needs its join link: ask the facilitator for the address ending in
?token=...</p></div></body></html>"""


def token_ok(query: str | None, token: str = "") -> bool:
    """Whether the query string carries the room's join token (always, without one)."""
    if not token:
        return True
    given = parse_qs((query or "").lstrip("?")).get("token", [""])[0]
    return hmac.compare_digest(given.encode(), token.encode())


def echarts_file() -> Path:
    """ECharts' minified build, as installed with solara's assets (works offline)."""
    cdn = Path(sys.prefix) / "share" / "solara" / "cdn"
    found = sorted(cdn.glob("echarts@5*/dist/echarts.min.js"))
    if not found:  # pragma: no cover - the dashboard extra brings it
        raise FileNotFoundError(f"ECharts not found under {cdn} (pip install 'xborder[dashboard]')")
    return found[-1]


class Asset:
    """A static file: its bytes gzipped once, its URL versioned by a hash of its bytes."""

    TYPES = {".js": "text/javascript", ".css": "text/css"}

    def __init__(self, name: str, path: Path):
        body = path.read_bytes()
        self.name = name
        self.url = f"/assets/{name}?v={hashlib.sha256(body).hexdigest()[:12]}"
        self.type = self.TYPES[path.suffix] + "; charset=utf-8"
        self.plain, self.zipped = body, gzip.compress(body, 6)

    def response(self, request: Request) -> Response:
        """The file, gzipped if the browser takes it, to be kept a year."""
        head = {"cache-control": YEAR, "vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            head["content-encoding"] = "gzip"
            return Response(self.zipped, media_type=self.type, headers=head)
        return Response(self.plain, media_type=self.type, headers=head)


def setup(scenario: str, seed: int = 1, sliders: dict | None = None) -> dict:
    """A participant's set-up: the worker's keyword arguments."""
    return {"scenario_name": scenario, "seed": int(seed), **(sliders or {})}


def reset_setup(msg: dict, scenarios: list[str]) -> dict:
    """The set-up a Reset message asks for (bad values fall back: the page offers no others)."""
    scenario = msg.get("scenario") if msg.get("scenario") in scenarios else scenarios[0]
    try:
        seed = min(max(int(msg.get("seed", 1)), 0), 99)
    except (TypeError, ValueError):
        seed = 1
    sliders = {}
    for name, (_, lo, hi, _) in SLIDERS.items():
        try:
            sliders[name] = min(max(float(msg.get("sliders", {})[name]), lo), hi)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return setup(scenario, seed, sliders)


class Dashboard:
    """The app: the page, its assets, the participants' connections and their room."""

    def __init__(self, scenario: str, token: str = "", room: Room | None = None):
        self.scenario, self.token = scenario, token
        self.room = room if room is not None else Room()
        names = scenario_names()
        self.scenarios = names if scenario in names else [scenario, *names]
        self.assets = {
            name: Asset(name, path)
            for name, path in (
                ("echarts.min.js", echarts_file()),
                ("page.js", ASSETS / "page.js"),
                ("page.css", ASSETS / "page.css"),
            )
        }
        self.page = self._page()
        self.app = Starlette(
            routes=[
                Route("/", self.index),
                Route("/assets/{name}", self.asset),
                Route("/favicon.ico", lambda _: Response(status_code=204)),
                WebSocketRoute("/ws", self.connect),
            ],
        )

    def _page(self) -> str:
        config = {
            "scenario": self.scenario,
            "scenarios": self.scenarios,
            "switches": SWITCHES,
            "sliders": {k: list(v) for k, v in SLIDERS.items()},
            "charts": {n: CHART_NAMES.get(n, n.replace("_", " ")) for n in CHART_CHOICES},
            "default_charts": list(DEFAULT_CHARTS),
        }
        text = (ASSETS / "index.html").read_text()
        for name, asset in self.assets.items():
            text = text.replace(f'"{name}"', f'"{asset.url}"')
        config_js = json.dumps(config).replace("</", "<\\/")
        return text.replace("/*CONFIG*/{}", config_js).replace(
            "$TITLE", html.escape(f"xborder: {self.scenario}")
        )

    async def index(self, request: Request) -> Response:
        """The page, or without the room's token a short request for it (403)."""
        if not token_ok(request.url.query, self.token):
            return HTMLResponse(REFUSED, status_code=403)
        return HTMLResponse(self.page, headers={"cache-control": "no-store"})

    async def asset(self, request: Request) -> Response:
        """A static file of the page (404 for anything else)."""
        asset = self.assets.get(request.path_params["name"])
        if asset is None:
            return Response("not found", status_code=404)
        return asset.response(request)

    async def call(self, fn, *args):
        """``fn(*args)`` in a thread (a worker's pipe blocks)."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=LIMITER)

    async def connect(self, ws: WebSocket) -> None:
        """One participant, from joining to leaving: a worker of their own while connected."""
        if not token_ok(ws.url.query, self.token):
            await ws.close(code=4403)
            return
        await ws.accept()
        session = uuid.uuid4().hex
        try:
            worker = await self.call(self.room.join, session, setup(self.scenario))
        except RoomFull as e:
            await ws.send_text(json.dumps({"full": str(e)}))
            await ws.close()
            return
        except Exception as e:  # noqa: BLE001 - a bad scenario: said on the page, one line
            await ws.send_text(json.dumps({"fatal": f"{type(e).__name__}: {e}"}))
            await ws.close()  # (the room gave the place back: join failed)
            return
        try:
            while True:
                msg = json.loads(await ws.receive_text())
                if not isinstance(msg, dict):
                    continue
                try:
                    if msg.get("op") == "reset":
                        kwargs = reset_setup(msg, self.scenarios)
                        worker = await self.call(self.room.reset, session, kwargs)
                        msg = {**msg, "op": "side_by_side", "on": bool(msg.get("side"))}
                    text = await self.call(worker.call, "act", msg)
                except (ValueError, RoomFull) as e:
                    text = json.dumps({"error": str(e)})
                except (EOFError, OSError):  # the worker is gone (idle too long, or crashed)
                    text = json.dumps({"fatal": "Your run has stopped: reload the page to rejoin."})
                    await ws.send_text(text)
                    break
                await ws.send_text(text)
        except (WebSocketDisconnect, RuntimeError, json.JSONDecodeError):
            pass
        finally:
            await self.call(self.room.release, session)


def prewarm(room: Room, scenario: str) -> threading.Thread:
    """Warm up the first page's set-up in the background (a bad scenario fails at the join)."""

    def run() -> None:
        try:
            room.prewarm(setup(scenario))
        except Exception:  # noqa: BLE001 - the first participant's join reports it
            pass

    t = threading.Thread(target=run, name="xborder-prewarm", daemon=True)
    t.start()
    return t


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard until stopped (the command ``xborder dashboard`` runs)."""
    import uvicorn

    from sim.dashboard.worker import _context

    ap = argparse.ArgumentParser(prog="python -m sim.dashboard.server")
    ap.add_argument("--host", default=LOOPBACK)
    ap.add_argument("--port", type=int, default=8765)
    a = ap.parse_args(argv)
    scenario = os.environ.get(SCENARIO_ENV, "toy_corridor")
    dash = Dashboard(scenario, os.environ.get(TOKEN_ENV, ""))
    _context()  # the workers' forkserver, with the model imported, before anyone joins
    from multiprocessing import forkserver

    forkserver.ensure_running()
    prewarm(dash.room, scenario)
    try:
        uvicorn.run(dash.app, host=a.host, port=a.port, log_level="warning", access_log=False)
    finally:
        dash.room.close()


if __name__ == "__main__":
    main()
