"""Suggestions for misspelt names: ``did you mean ...?`` for one-line errors.

Model-side and dependency-free, so the loader, the checks, the harness and the command
line can all call it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """The ``n`` choices closest to ``word`` (difflib, cutoff 0.6); [] when none is close."""
    pool = [str(c) for c in choices]
    hits = difflib.get_close_matches(str(word), pool, n=n, cutoff=0.6)
    if not hits:  # a different case is still a likely slip
        lower = {c.lower(): c for c in pool}
        hits = [lower[w] for w in difflib.get_close_matches(str(word).lower(), lower, n=n)]
    return hits


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    hits = close(word, choices)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


def known(choices: Iterable[str], limit: int = 40) -> str:
    """The choices as one comma-separated list (the first ``limit``, then how many more)."""
    pool = list(dict.fromkeys(str(c) for c in choices))
    more = f", ... ({len(pool) - limit} more)" if len(pool) > limit else ""
    return ", ".join(pool[:limit]) + more


__all__ = ["close", "did_you_mean", "known"]
