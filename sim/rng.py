"""Named random streams: one independent generator per stochastic process.

A stream is seeded from (run seed, stable hash of its name), so two runs with the same
seed share their luck process by process (common random numbers): a policy that adds
draws to one process leaves every other process's draws unchanged. Never Python's
``hash()`` (salted per interpreter) and never the global ``np.random``.
"""

from __future__ import annotations

import hashlib

import numpy as np

#: The streams the model draws from, one per stochastic process.
STREAMS = (
    "route_choice",
    "detection",
    "agency_explore",
    "case_open",
    "evidence",
    "mlat_latency",
    "database",
    "recruitment",
    "relocation",
    "arrests",
)


def stable_hash(name: str) -> int:
    """A 64-bit hash of ``name`` that is the same on every machine and interpreter."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for process ``name`` in the run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stable_hash(name)])))


class Streams:
    """Lazily created named streams of one run: ``streams["detection"].random(n)``."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._gens: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._gens.get(name)
        if gen is None:
            gen = self._gens[name] = stream(self.seed, name)
        return gen


def run_seeds(root_seed: int, n: int) -> list[int]:
    """Per-run seeds spawned from a study's root seed (``SeedSequence.spawn``)."""
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
