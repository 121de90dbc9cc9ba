"""Helpers for the tests that start a real server and drive it in Chromium.

Shared by the dashboard, dashboard-server and treaty-game tests: a free loopback
port, the ``xborder`` command, whether a URL answers, and Debian's Chromium through
Playwright (failing, not skipping, under CI).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: Without Chromium's omnibox popups (a renderer of their own per window, ~0.6 CPU-s).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup"]  # fmt: skip


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xborder() -> list[str]:
    """The ``xborder`` command of this environment."""
    exe = Path(sys.executable).parent / "xborder"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from sim.cli import app; app()"]


def answers(url: str) -> bool:
    """Whether ``url`` answers an HTTP GET within 2 s (a refusal, such as 403, is an answer)."""
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def sync_playwright():
    """Playwright's sync API, once Debian's Chromium is known to be there."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} missing (apt-get install -y chromium)")
    return pytest.importorskip("playwright.sync_api").sync_playwright
