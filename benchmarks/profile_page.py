"""Profile: where one dashboard page load (and its steps) spends the browser's CPU.

One Chromium page, alone, loads the dashboard (or a solara app), with Chrome's
sampling profiler on; then it steps S times. Reported, per phase (load, steps):
CPU-seconds of the renderer (from /proc) and of the server process (the solara
process, then the workers it started), Chrome's own metrics (script, layout, style,
task durations), the bytes transferred and requests made, the widgets the page
created, and the profiler's self time grouped by script URL (the five largest).

``--variant NAME=MODULE,VAR=VALUE`` serves a solara module instead (or the dashboard,
``MODULE`` = ``dashboard``, with other settings), e.g. ``minimal=minimal_page``, a
one-button solara page: the floor solara imposes, which the dashboard left (it was a
solara app; the treaty game still is). Variants take turns, so a busy machine weighs on each alike.
``BROWSER_UI=1`` in a variant runs Chromium with its omnibox popups (as the benchmarks
did before): a renderer of Chromium's own per context, reported as ``browser_ui``.

Usage::

    .venv/bin/python benchmarks/profile_page.py [--scenario central_america_cocaine]
            [--variant NAME=MODULE[,VAR=VALUE...]] ... [--steps 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, os.path.dirname(__file__))
from bench_dashboard import ARGS, CHROMIUM, NO_BROWSER_UI, ROOT, WAIT_WEEK, _free_port  # noqa: E402
from probe_dashboard import _cpu as cpu  # noqa: E402  (CPU-seconds of processes, from /proc)

#: A variant's setting (not passed to the server): Chromium with its omnibox popups, as
#: the benchmarks ran it before (``BROWSER_UI=1``).
BROWSER_UI = "BROWSER_UI"

METRICS = ("ScriptDuration", "TaskDuration", "LayoutDuration", "RecalcStyleDuration",
           "JSHeapUsedSize", "Nodes")  # fmt: skip
#: A widget the server opens on the page (a ``comm_open`` message) and its model's name.
COMM_OPEN = re.compile(r'"msg_type":\s*"comm_open".*?"_model_name":\s*"(\w+)"', re.S)


#: solara's settings for a solara page (the treaty game's launcher, as it serves them).
SOLARA_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_KERNEL_CULL_TIMEOUT": "60s"}


def start(module: str, scenario: str, port: int, extra: dict | None = None) -> subprocess.Popen:
    """Serve ``module`` (``dashboard``: ``xborder dashboard``'s server; else a solara app)."""
    from sim.dashboard import app_command, serve_command, server_env

    env = dict(server_env(scenario), XBORDER_DASHBOARD_MAX="40")
    command = serve_command(scenario, port) if module == "dashboard" else app_command(module, port)
    if module != "dashboard":
        env.update(SOLARA_ENV)
    env.update(extra or {})  # PYTHONPATH=/other/checkout: that checkout's dashboard
    first = [p for p in (extra or {}).get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([*first, str(ROOT), str(ROOT / "benchmarks")])
    # ``python -m`` puts its working directory first on the path: the checkout's own
    proc = subprocess.Popen(command, cwd=first[0] if first else ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"server did not start (exit {proc.poll()})") from None
            time.sleep(0.3)


def groups(server_pid: int) -> dict[str, list[psutil.Process]]:
    """The page's renderers, the browser's own UI renderers, the rest of Chromium, the server."""
    out: dict[str, list[psutil.Process]] = {"renderer": [], "browser_ui": [], "browser_other": []}
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "chrom" in cmd:
            kind = "browser_other"
            if "--type=renderer" in cmd:
                kind = "browser_ui" if "--top-chrome-webui" in cmd else "renderer"
            out[kind].append(p)
    root = psutil.Process(server_pid)
    out["server"] = [root]
    out["workers"] = root.children(recursive=True)
    return out


def settle(server_pid: int, limit: float = 60.0) -> None:
    """Wait until the server is done starting (its warm-up included): 1 s without CPU."""
    deadline, last = time.time() + limit, -1.0
    while time.time() < deadline:
        now = sum(v for k, v in snapshot(server_pid).items() if k in ("server", "workers"))
        if now - last < 0.02:
            return
        last = now
        time.sleep(1.0)


def snapshot(server_pid: int) -> dict[str, float]:
    return {k: cpu(v) for k, v in groups(server_pid).items()}


def by_url(profile: dict, top: int = 6) -> list[tuple[str, float]]:
    """Self time (s) of a CPU profile grouped by the script URL of each sampled frame."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    dt: Counter = Counter()
    for sid, d in zip(profile["samples"], profile["timeDeltas"], strict=True):
        dt[sid] += d
    per: Counter = Counter()
    for nid, us in dt.items():
        f = nodes[nid]["callFrame"]
        url = f.get("url") or f"({f.get('functionName') or 'native'})"
        per[url.split("?")[0].rsplit("/", 2)[-1] if "/" in url else url] += us / 1e6
    return [(k, round(v, 3)) for k, v in per.most_common(top)]


async def profile(
    url: str, steps: int, server_pid: int, sampled: Path | None = None, ui: bool = False
) -> dict:
    """One page's load and steps; with ``sampled`` (a folder), under Chrome's profiler.

    The profiler costs the renderer CPU of its own: the CPU-seconds to compare come
    from runs without it, the self time by script from runs with it (saved there as
    ``load.cpuprofile`` and ``step.cpuprofile``, for Chrome's DevTools).
    """
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        args = [a for a in ARGS if not (ui and a == NO_BROWSER_UI)]
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=args)
        ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
        page = await ctx.new_page()
        cdp = await ctx.new_cdp_session(page)
        for dom in ("Performance", "Network") + (("Profiler",) if sampled else ()):
            await cdp.send(f"{dom}.enable")
        if sampled:
            await cdp.send("Profiler.setSamplingInterval", {"interval": 500})

        async def start_profiler() -> None:
            if sampled:
                await cdp.send("Profiler.start")

        async def stop_profiler(name: str, n: int) -> list:
            if not sampled:
                return []
            prof = (await cdp.send("Profiler.stop"))["profile"]
            sampled.mkdir(parents=True, exist_ok=True)
            (sampled / f"{name}.cpuprofile").write_text(json.dumps(prof))
            return [(u, round(s / n, 4)) for u, s in by_url(prof)]

        net = {"bytes": 0, "requests": 0}

        def done(ev):
            net["bytes"] += ev.get("encodedDataLength", 0)
            net["requests"] += 1

        cdp.on("Network.loadingFinished", done)
        ws, opened = [0], Counter()

        def frame(f) -> None:
            ws[0] += len(f)
            text = f if isinstance(f, str) else f.decode("utf-8", "replace")
            for m in COMM_OPEN.finditer(text):
                opened[m.group(1)] += 1

        page.on("websocket", lambda w: w.on("framereceived", frame))

        async def metrics() -> dict:
            got = (await cdp.send("Performance.getMetrics"))["metrics"]
            return {m["name"]: m["value"] for m in got if m["name"] in METRICS}

        c0, m0 = snapshot(server_pid), await metrics()
        await start_profiler()
        t0 = time.perf_counter()
        await page.goto(url, timeout=300_000)
        step = page.get_by_role("button", name="Step")
        await step.wait_for(timeout=180_000)
        wall = time.perf_counter() - t0
        await asyncio.sleep(3)  # let the charts settle
        c1, m1 = snapshot(server_pid), await metrics()
        urls = await stop_profiler("load", 1)
        load = phase(c0, c1, m0, m1, 1)
        load |= {"wall_s": round(wall, 2), "transfer_kb": round(net["bytes"] / 1024),
                 "requests": net["requests"], "ws_kb": round(ws[0] / 1024),
                 "dom_nodes": m1["Nodes"], "widgets": sum(opened.values()),
                 "widget_kinds": dict(opened.most_common(8)),
                 "by_url_s": urls}  # fmt: skip
        out = {"load": load}
        if steps and await page.locator(".xb-week").count():
            await start_profiler()
            ws0 = ws[0]
            for k in range(1, steps + 1):
                await step.click()
                await page.evaluate(WAIT_WEEK, [k, 180_000])
            await asyncio.sleep(1)
            c2, m2 = snapshot(server_pid), await metrics()
            urls = await stop_profiler("step", steps)
            out["step"] = phase(c1, c2, m1, m2, steps) | {
                "ws_kb": round((ws[0] - ws0) / 1024 / steps, 1),
                "by_url_s": urls,
            }
        await browser.close()
    return out


def phase(c0: dict, c1: dict, m0: dict, m1: dict, n: int) -> dict:
    """CPU-seconds per unit (a load, a step) of each process group and Chrome's metrics."""
    out = {f"{k}_cpu_s": round((c1[k] - c0[k]) / n, 3) for k in c0}
    for k in METRICS[:4]:
        out[k] = round((m1[k] - m0[k]) / n, 3)
    return out


def variant(text: str) -> tuple[str, str, dict]:
    """``NAME=MODULE[,VAR=VALUE...]``: a page to profile and its server's environment."""
    name, _, rest = text.partition("=")
    module, *pairs = rest.split(",")
    return name, module, dict(p.split("=", 1) for p in pairs)


def summary(rows: list[dict]) -> dict:
    """The median of each number over repeats (per phase)."""
    out: dict = {}
    for ph in ("load", "step"):
        got = [r[ph] for r in rows if ph in r]
        if got:
            keys = [k for k, v in got[0].items() if isinstance(v, int | float)]
            out[ph] = {k: round(statistics.median(g[k] for g in got), 3) for k in keys}
    return out


def main() -> None:
    """Profile each variant ``--repeat`` times, taking turns; print each run and the medians."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", action="append", type=variant, metavar="NAME=MODULE[,K=V]",
                    help="a page to profile (repeatable); default: the dashboard")  # fmt: skip
    ap.add_argument("--scenario", default="central_america_cocaine")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--sampled", type=Path, metavar="DIR",
                    help="under Chrome's sampling profiler, saved in DIR/NAME/")  # fmt: skip
    a = ap.parse_args()
    variants = a.variant or [("dashboard", "dashboard", {})]
    rows: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
    for _ in range(a.repeat):
        for name, module, extra in variants:  # taking turns: the machine's load hits all alike
            port = _free_port()
            proc = start(module, a.scenario, port, extra)
            try:
                settle(proc.pid)
                url = f"http://127.0.0.1:{port}/"
                into = a.sampled / name if a.sampled else None
                ui = extra.get(BROWSER_UI) == "1"
                row = asyncio.run(profile(url, a.steps, proc.pid, into, ui))
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(20)
            row["loadavg"] = open("/proc/loadavg").read().split()[:3]
            rows[name].append(row)
            print(name, json.dumps(row), flush=True)
    medians = {name: summary(r) for name, r in rows.items()}
    print(json.dumps(medians, indent=1))
    if a.out:
        a.out.write_text(json.dumps({"runs": rows, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
