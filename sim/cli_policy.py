"""``xborder recommend`` and ``xborder discover``: treaty portfolios and scenario discovery."""

from __future__ import annotations

from sim.cli import app  # noqa: F401  (commands register on the shared app)
