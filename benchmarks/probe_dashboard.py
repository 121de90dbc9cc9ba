"""Probe: CPU-seconds a dashboard step costs in each browser and in the server.

A short companion of ``bench_dashboard.py`` for comparing changes on a busy machine:
wall-clock step times there move with whatever else runs, CPU-seconds much less. N
participants (each its own browser context) load the page, then step S times each,
all at once, clicking Step and waiting for the week counter as the benchmark does.
Reported: CPU-seconds of the Chromium processes (renderers and the rest) and of the
server (its own process, then the workers it started), per page load and per step per
page, the median step time, and the bytes the server sent over the websocket per step
per page.

Usage::

    .venv/bin/python benchmarks/probe_dashboard.py [--pages 4] [--steps 10]
        [--scenario central_america_cocaine]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time

import numpy as np
import psutil

sys.path.insert(0, os.path.dirname(__file__))
from bench_dashboard import ARGS, CHROMIUM, WAIT_WEEK, _free_port, settle, start_server  # noqa: E402


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _chromium() -> dict[str, list[psutil.Process]]:
    """This process's Chromium descendants: renderers and the others."""
    out: dict[str, list[psutil.Process]] = {"renderer": [], "other": []}
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "chrom" in cmd:
            out["renderer" if "--type=renderer" in cmd else "other"].append(p)
    return out


def _server(pid: int) -> dict[str, list[psutil.Process]]:
    """The web server (and the ``xborder`` supervisor), then the workers it started."""
    root = psutil.Process(pid)
    kids = root.children(recursive=True)
    web = [p for p in kids if "sim.dashboard.server" in " ".join(p.cmdline())]
    workers = [q for p in web for q in p.children(recursive=True)]
    return {"server": [root, *web], "workers": workers}


def _snapshot(server_pid: int) -> dict[str, float]:
    groups = _chromium() | _server(server_pid)
    return {k: _cpu(v) for k, v in groups.items()}


async def run(url: str, pages: int, steps: int, server_pid: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        received = [0]

        def on_ws(ws):
            ws.on("framereceived", lambda f: received.__setitem__(0, received[0] + len(f)))

        async def load():
            ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
            page = await ctx.new_page()
            page.on("websocket", on_ws)
            await page.goto(url, timeout=300_000)
            step = page.get_by_role("button", name="Step")
            await step.wait_for(timeout=180_000)
            return page, step

        c0 = _snapshot(server_pid)
        loaded = await asyncio.gather(*(load() for _ in range(pages)))
        await asyncio.sleep(3)  # let the charts settle
        c1 = _snapshot(server_pid)
        b1 = received[0]
        times: list[float] = []

        async def stepping(page, step):
            for k in range(1, steps + 1):
                t = time.perf_counter()
                await step.click()
                await page.evaluate(WAIT_WEEK, [k, 180_000])
                times.append(time.perf_counter() - t)

        await asyncio.gather(*(stepping(pg, st) for pg, st in loaded))
        await asyncio.sleep(1)  # drawing after the week label moved is billed too
        c2 = _snapshot(server_pid)
        b2 = received[0]
        await browser.close()
    n = pages * steps
    return {
        "pages": pages,
        "steps": steps,
        "load_cpu_s_per_page": {k: round((c1[k] - c0[k]) / pages, 3) for k in c0},
        "step_cpu_s_per_page": {k: round((c2[k] - c1[k]) / n, 4) for k in c0},
        "step_median_s": round(float(np.median(times)), 3),
        "step_p95_s": round(float(np.percentile(times, 95)), 3),
        "ws_kb_per_step_per_page": round((b2 - b1) / n / 1024, 1),
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }


def main() -> None:
    """Start a server, probe it, print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--scenario", default="central_america_cocaine")
    a = ap.parse_args()
    port = _free_port()
    proc = start_server(a.scenario, port)
    try:
        settle(proc.pid)
        out = asyncio.run(run(f"http://127.0.0.1:{port}/", a.pages, a.steps, proc.pid))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
