"""Named random streams: one independent generator per stochastic process.

A stream is seeded from (run seed, stable hash of its seed key), so two runs with the
same seed share their luck process by process (common random numbers): a policy that
adds draws to one process leaves every other process's draws unchanged. Never Python's
``hash()`` (salted per interpreter) and never the global ``np.random``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StreamSpec:
    """One stochastic process of the model.

    Attributes:
        name: the name the model draws it by (``streams["detection"]``).
        draws: what the stream draws, for the ODD and ``--help``.
        seed_key: the string hashed into its seed. It equals ``name`` except where a
            stream was renamed: the old key is kept so that published numbers stay
            reproducible to the digit.
    """

    name: str
    draws: str
    seed_key: str = ""

    @property
    def key(self) -> str:
        """The string hashed into the stream's seed."""
        return self.seed_key or self.name


#: The streams the model draws from, one per stochastic process.
SPECS: dict[str, StreamSpec] = {
    s.name: s
    for s in (
        StreamSpec("route_choice", "the path each new shipment takes (logit over candidates)"),
        StreamSpec("detection", "whether each arriving shipment is seized"),
        StreamSpec("agency_explore", "the random share of each agency's effort allocation"),
        StreamSpec(
            "case_open",
            "whether a seizure opens a case, the courier and broker it names, the "
            "courier's conviction and whether the evidence reaches the next rung",
        ),
        StreamSpec(
            "evidence",
            "whether a due request is answered, the arrest abroad, the conviction and "
            "whether the evidence reaches the next rung",
        ),
        StreamSpec(
            "request_latency",
            "the lognormal latency of every evidence request (domestic, JIT, MLAT, letters)",
            seed_key="mlat_latency",  # its name until 0.2; the key keeps results identical
        ),
        StreamSpec(
            "request_kind",
            "whether each evidence request needs a coercive measure and whether it is for "
            "stored data (a production order can serve it)",
        ),
        StreamSpec(
            "extradition",
            "an extradition's proceedings: consent, a political refusal, its duration and "
            "the trial that follows (in the requesting state, or at home)",
        ),
        StreamSpec(
            "controlled_delivery",
            "which detected loads are followed instead of seized, and the receiving broker",
        ),
        StreamSpec("database", "which seizure records a member enters for each partner"),
        StreamSpec("recruitment", "the lag before a vacant member slot is refilled"),
        StreamSpec("relocation", "whether a targeted leader moves, and to which safe haven"),
        StreamSpec("arrests", "the members a targeted operation (remove_members) arrests"),
        StreamSpec("stockpile", "how much of the stock waiting at each source a raid seizes"),
        StreamSpec(
            "network", "the ties between brokers and the couriers shared between organisations"
        ),
        StreamSpec("identifiers", "which of its organisation's identifiers each new load carries"),
        StreamSpec("leaks", "which received records leak, and when identifiers are replaced"),
        StreamSpec("case_drop", "whether a corrupt officer drops each open case this week"),
    )
}
STREAMS = tuple(SPECS)


def stable_hash(name: str) -> int:
    """A 64-bit hash of ``name`` that is the same on every machine and interpreter."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def stream(seed: int, key: str) -> np.random.Generator:
    """A generator seeded from ``seed`` and the string ``key``.

    The model's processes go through :class:`Streams`, which knows their keys; the
    harness uses this directly for its own named draws (bootstrap, Latin hypercube).
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stable_hash(key)])))


class Streams:
    """The named streams of one run: ``streams["detection"].random(n)``.

    Streams are created lazily; a name not in :data:`SPECS` is refused, so a misspelt
    stream never silently becomes a new, unseeded-by-design process.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._gens: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._gens.get(name)
        if gen is None:
            spec = SPECS.get(name)
            if spec is None:
                raise KeyError(f"unknown random stream {name!r} (known: {', '.join(STREAMS)})")
            gen = self._gens[name] = stream(self.seed, spec.key)
        return gen


def run_seeds(root_seed: int, n: int) -> list[int]:
    """Per-run seeds spawned from a study's root seed (``SeedSequence.spawn``)."""
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
