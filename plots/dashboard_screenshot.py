"""README figure: the dashboard side by side at 1920x1080, in Chromium against a real server.

Starts ``xborder dashboard central_america_cocaine`` on a free loopback port, turns
on side by side, steps 10 weeks, switches on capacity building in Guatemala, steps
30 more, and saves the page as ``docs/dashboard.png``.

Usage::

    .venv/bin/python plots/dashboard_screenshot.py [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Serve, drive and photograph the dashboard."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "xborder"
    proc = subprocess.Popen(
        [str(exe), "dashboard", "central_america_cocaine", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("the dashboard did not start") from None
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(url)
            step = page.get_by_role("button", name="Step")
            step.wait_for(timeout=60_000)
            page.get_by_text("Side by side with the status quo", exact=True).click()
            page.locator(".xb-side-by-side").wait_for(timeout=30_000)

            def steps(n: int, start: int) -> None:
                for k in range(start + 1, start + n + 1):
                    step.click()
                    page.locator(".xb-week").get_by_text(f"Week {k} of", exact=False).wait_for()

            steps(10, 0)
            page.get_by_label("State A").select_option("GTM")
            page.locator(".xb-existing").get_by_text("between GTM and", exact=False).wait_for()
            page.get_by_role("button", name="Fund capacity building in A").click()
            page.get_by_text("capacity GTM switched on", exact=False).first.wait_for()
            steps(30, 10)
            page.wait_for_timeout(1000)
            a.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(a.out))
            b.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    print(f"written {a.out}")


if __name__ == "__main__":
    main()
