"""The dashboard server as a room would use it: where it listens, how it stops, the token.

Every test starts the real ``xborder dashboard`` command and talks to it over
127.0.0.1 only (never the machine's other interfaces); the token test drives Debian's
Chromium with Playwright.
"""

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import ARGS, CHROMIUM, answers, free_port, sync_playwright, xborder

pytest.importorskip("solara")

ROOT = Path(__file__).resolve().parent.parent
_free_port, _cmd, _answers = free_port, xborder, answers


def _start(port: int, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """``xborder dashboard`` in the foreground's way: its own process, not a group leader."""
    proc = subprocess.Popen(
        [*_cmd(), "dashboard", "toy_corridor", "--port", str(port), *extra],
        cwd=ROOT,
        env=dict(os.environ, MPLBACKEND="Agg", **(env or {})),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 90
    while not _answers(f"http://127.0.0.1:{port}/"):
        if proc.poll() is not None or time.time() > deadline:
            _cleanup(proc, port)
            pytest.fail(f"dashboard did not start (exit {proc.poll()})")
        time.sleep(0.3)
    return proc


def _cleanup(proc: subprocess.Popen, port: int) -> None:
    """Stop the command and, whatever happened, any server left on ``port``."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
    server = f"sim.dashboard.server import main.* --port {port}$"  # this test's server only
    subprocess.run(["pkill", "-f", server], check=False)


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp) of the sockets listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.rsplit(":", 1)
            if int(p, 16) == port and state == "0A":  # 0A: LISTEN
                found.append(addr)
    return found


def test_loopback_by_default_and_sigterm_leaves_nothing_answering():
    port = _free_port()
    proc = _start(port)
    try:
        addrs = _listening(port)
        assert addrs and set(addrs) == {"0100007F"}, addrs  # 127.0.0.1 only
        proc.send_signal(signal.SIGTERM)  # to the command only, as `kill -TERM PID` does
        deadline = time.time() + 5
        while _answers(f"http://127.0.0.1:{port}/") and time.time() < deadline:
            time.sleep(0.2)
        assert not _answers(f"http://127.0.0.1:{port}/"), "still answering 5 s after SIGTERM"
        assert not _listening(port)
        proc.wait(10)
    finally:
        _cleanup(proc, port)


def test_a_port_in_use_is_one_line_and_nothing_starts():
    port = _free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        r = subprocess.run(
            [*_cmd(), "dashboard", "toy_corridor", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0] and "in use" in lines[0], r.stderr
    assert "xborder dashboard: http" not in r.stderr  # nothing announced as started


def test_the_join_token_gates_the_page_in_chromium():
    playwright = sync_playwright()
    port = _free_port()
    proc = _start(port, "--token", "room42key")
    base = f"http://127.0.0.1:{port}/"
    try:
        with playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for url in (base, base + "?token=wrong"):
                page = b.new_page()
                page.goto(url)
                page.locator(".xb-token-required").wait_for(timeout=60_000)
                assert "join link" in page.locator(".xb-token-required").inner_text()
                assert page.get_by_role("button", name="Step").count() == 0
                page.close()
            page = b.new_page()
            page.goto(base + "?token=room42key")
            page.get_by_role("button", name="Step").wait_for(timeout=60_000)
            assert page.locator(".xb-token-required").count() == 0
            page.close()
            b.close()
    finally:
        _cleanup(proc, port)


def test_a_full_room_says_so_and_a_place_freed_is_taken_again_in_chromium():
    playwright = sync_playwright()
    port = _free_port()
    proc = _start(port, env={"XBORDER_DASHBOARD_MAX": "1"})
    url = f"http://127.0.0.1:{port}/"
    try:
        with playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            first = b.new_context().new_page()
            first.goto(url)
            first.get_by_role("button", name="Step").wait_for(timeout=60_000)
            second = b.new_context().new_page()
            second.goto(url)
            full = second.locator(".xb-room-full")
            full.get_by_text("The room is full (1 participants)", exact=False).wait_for(
                timeout=60_000
            )
            assert second.get_by_role("button", name="Step").count() == 0  # no page behind
            first.context.close()  # the first participant leaves: their place is freed
            deadline = time.time() + 30
            while True:  # the server stops the first worker as the connection closes
                second.reload()
                step = second.get_by_role("button", name="Step")
                try:
                    step.wait_for(timeout=5_000)
                    break
                except Exception:
                    if time.time() > deadline:
                        raise
            assert second.locator(".xb-room-full").is_hidden()
            b.close()
    finally:
        _cleanup(proc, port)


def test_versioned_assets_are_kept_by_the_browser():
    """The page's scripts carry a hash of their bytes and a year's Cache-Control; the page not."""
    from sim.dashboard.launch import versioned  # the treaty game's solara assets

    assert versioned("/_solara/cdn/echarts@5.4.0/dist/echarts.min.js", "")
    assert versioned("/static/main-vuetify.js", "v=ed93192e")
    assert not versioned("/_solara/cdn/@widgetti/solara-vuetify-app/dist/x.js", "")
    port = _free_port()
    proc = _start(port)
    try:

        def get(path: str):
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"}
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                body = r.read()
                if r.headers["Content-Encoding"] == "gzip":
                    body = gzip.decompress(body)
                return r.headers, body

        head, page = get("/")
        assert "immutable" not in (head["Cache-Control"] or "")
        assert b"solara" not in page and b"vuetify" not in page  # our own page, no framework
        urls = re.findall(rb'(?:src|href)="(/assets/[^"]+)"', page)
        assert len(urls) == 3, urls  # the style sheet, ECharts, the page's script
        for url in urls:
            assert b"?v=" in url
            for _ in range(2):  # compressed once, kept by the server: the same headers
                head, body = get(url.decode())
                assert head["Content-Encoding"] == "gzip" and len(body) > 1000
                kept = head["Cache-Control"] or ""
                assert "immutable" in kept and "max-age=31536000" in kept, kept
    finally:
        _cleanup(proc, port)


def test_the_websocket_is_refused_without_the_token():
    """Not only the page: the connection that drives a run needs the token too."""
    import asyncio

    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    port = _free_port()
    proc = _start(port, "--token", "room42key")

    async def first(token: str) -> str:
        url = f"ws://127.0.0.1:{port}/ws?token={token}"
        async with connect(url, open_timeout=30, max_size=None) as ws:
            await ws.send(json.dumps({"op": "view"}))
            return await asyncio.wait_for(ws.recv(), 60)

    try:
        with pytest.raises(WebSocketException):
            asyncio.run(first("wrong"))
        frame = json.loads(asyncio.run(first("room42key")))
        assert frame["week"] == 0 and frame["running"] and "map-main" not in frame
        assert set(frame["maps"]) == {"main"} and frame["charts"]
    finally:
        _cleanup(proc, port)
