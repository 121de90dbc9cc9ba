"""What every kind of experiment shares: the runner's result and small helpers.

Kept apart from :mod:`sim.experiments.kinds` (the list of kinds) so that a kind
defined in its own module (:mod:`sim.experiments.recommend`) imports this and the
list imports the kind, in one direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.rng import run_seeds


@dataclass
class KindOutput:
    """A runner's result: the tables, and provenance for the manifest."""

    tables: dict[str, pd.DataFrame]
    provenance: dict = field(default_factory=dict)
    summary: str = ""


def seed_list(seed: int, n: int) -> list[int]:
    """The first ``n`` run seeds spawned from ``seed``, as plain ints (for the manifest)."""
    return [int(s) for s in run_seeds(seed, n)]


def status(text: str, enabled: bool):
    """A rich spinner on stderr while a check runs (checks have no per-run callback)."""
    from contextlib import nullcontext

    from rich.console import Console

    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        return nullcontext()
    return console.status(f"[bold]{text}[/bold] (running; checks report when done)")


__all__ = ["KindOutput", "seed_list", "status"]
